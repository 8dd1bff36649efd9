"""Ingest: landing files and API pages into raw DuckDB tables, with lineage, quarantine and a manifest."""
