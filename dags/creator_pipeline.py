"""creator_pipeline: ingest every source, build the dbt project, gate on quality, publish the marts.

Every task that writes (or reads) the warehouse runs in the one-slot ``warehouse_writer`` pool: DuckDB allows
a single process on the file. The quality gate validates this run's raw batches (load ids from the ingest
tasks) and the marts; when it fails, publish does not run and BI keeps the last good serving file.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from pipeline.alerts import notify_failure
from pipeline.assets import SERVING_MARTS

WAREHOUSE_POOL = "warehouse_writer"


@dag(
    dag_id="creator_pipeline",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2), "pool": WAREHOUSE_POOL,
                  "on_failure_callback": notify_failure},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def creator_pipeline():
    @task
    def ingest(group: str) -> list[str]:
        from pipeline.tasks import ingest_group

        return ingest_group(group)

    @task
    def dbt_build() -> None:
        from pipeline.tasks import dbt_build as run

        run()

    @task
    def quality_gate(*load_id_lists: list[str]) -> None:
        from pipeline.tasks import quality_gate as run

        run([load_id for ids in load_id_lists for load_id in ids])

    @task(outlets=[SERVING_MARTS])
    def publish() -> dict[str, int]:
        from pipeline.tasks import publish_marts

        return publish_marts()

    # Marketing templates first: orders and metrics are judged against them.
    marketing = ingest.override(task_id="ingest_marketing")("marketing")
    shopify = ingest.override(task_id="ingest_shopify")("shopify")
    social = ingest.override(task_id="ingest_social")("social")
    marketing >> [shopify, social]
    built = dbt_build()
    [shopify, social] >> built
    gate = quality_gate(marketing, shopify, social)
    built >> gate >> publish()


creator_pipeline()
