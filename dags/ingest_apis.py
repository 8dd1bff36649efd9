"""ingest_apis: every hour, fetch the store and platform APIs whose credentials are configured (Shopify Admin API,
Instagram Graph API; each incremental from its stored cursor), land the pages and load them, emitting the family's
raw asset (raw_shopify, raw_social) that creator_pipeline is scheduled on. A family with no credentials, or nothing
new since its cursor, is skipped and emits no event."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from pipeline.alerts import failure_notifiers
from pipeline.assets import RAW_ASSETS
from pipeline.settings import WAREHOUSE_POOL

API_FAMILIES = ("shopify", "social")


@dag(
    dag_id="ingest_apis",
    schedule="@hourly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5), "pool": WAREHOUSE_POOL,
                  "on_failure_callback": failure_notifiers()},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def ingest_apis():
    @task
    def fetch(family: str, **context) -> dict[str, object]:
        from pipeline.tasks import ingest_family

        return ingest_family(family, context["outlet_events"], fetch_apis=True)

    for family in API_FAMILIES:
        fetch.override(task_id=f"fetch_{family}", outlets=[RAW_ASSETS[family]])(family)


ingest_apis()
