"""ingest_files: load landing files as soon as they land, one task per source family, each emitting its raw
asset (raw_marketing, raw_shopify, raw_social), on which creator_pipeline (the transform) is scheduled.

The DAG runs continuously, one run at a time: a sensor waits (rescheduling, so it holds no worker or pool slot
between looks) until a landing file matches a source and no load has taken it, then the families load, marketing
first because the rest is judged against it. A family with nothing new is skipped and emits no event. After an
hour without new files the sensor gives up quietly (skipped) and the next run starts waiting again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import PokeReturnValue, dag, task

from pipeline.alerts import failure_notifiers
from pipeline.assets import FAMILIES, RAW_ASSETS
from pipeline.settings import WAREHOUSE_POOL

POKE_SECONDS = 20


@dag(
    dag_id="ingest_files",
    schedule="@continuous",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    # A file that fails every load would otherwise restart the run (and alert) forever: pause after 5 in a row.
    max_consecutive_failed_dag_runs=5,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2), "pool": WAREHOUSE_POOL,
                  "on_failure_callback": failure_notifiers()},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def ingest_files():
    # In the pool: it reads the warehouse's manifest, and a reader would make a writer fail on DuckDB's lock.
    @task.sensor(poke_interval=POKE_SECONDS, timeout=3600, mode="reschedule", soft_fail=True)
    def new_files() -> PokeReturnValue:
        from ingest.errors import WarehouseLocked
        from pipeline.tasks import new_landing_files

        try:
            files = new_landing_files(list(FAMILIES))
        except WarehouseLocked:  # a writer outside Airflow (`ingest load`): look again later
            return PokeReturnValue(is_done=False)
        return PokeReturnValue(is_done=bool(files), xcom_value={"new_files": len(files), "first": files[:20]})

    @task(trigger_rule="none_failed")
    def ingest(family: str, **context) -> dict[str, object]:
        from pipeline.tasks import ingest_family

        return ingest_family(family, context["outlet_events"])

    marketing, *others = [ingest.override(task_id=f"ingest_{family}", outlets=[RAW_ASSETS[family]])(family)
                          for family in FAMILIES]
    new_files() >> marketing >> others


ingest_files()
