"""Cross-cutting parts of the creator pipeline: settings, sample data, dbt runner, quality gate glue, publish, report."""
