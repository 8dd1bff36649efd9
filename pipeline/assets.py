"""Airflow Assets the DAGs emit and schedule on (kept import-light: DAG files import this at parse time)."""

from airflow.sdk import Asset

SERVING_MARTS = Asset(name="serving_marts", uri="file:///serving/marts.duckdb")
