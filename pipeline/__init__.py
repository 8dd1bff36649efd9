"""Cross-cutting parts of the pipeline: settings, sample data, dbt runner, publish, weekly report, the CLI."""
