"""creator_pipeline: ingest every source, gate the new batches, build the dbt project, gate the marts, publish.

Every task that writes (or reads) the warehouse runs in the one-slot ``warehouse_writer`` pool: DuckDB allows
a single process on the file. The raw gate validates every batch no gate has judged yet (also those of runs that
stopped early) before dbt reads them; dbt reads only passed or admitted batches, so a rejected batch stays out of
the marts while the run goes on with the rest, and ``rejected_batches`` fails the run to alert about it. The mart
gate validates the marts dbt built; publish runs only when it passed, and itself refuses marts that differ from
the ones that gate passed in this run. When a gate fails, BI keeps the last good serving version.
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
        from airflow.exceptions import AirflowFailException

        from ingest.errors import RejectShareExceeded
        from pipeline.tasks import ingest_group

        try:
            return ingest_group(group)
        except RejectShareExceeded as exc:  # the data, not the machine: a retry would skip the loaded file and pass
            raise AirflowFailException(str(exc)) from exc

    @task
    def raw_gate(**context) -> list[str]:
        from pipeline.tasks import raw_gate as run

        return run(context["run_id"])

    @task(retries=0)
    def rejected_batches(rejections: list[str]) -> None:
        """Fail (and alert) when this run's raw gate rejected a batch: the rest was still built and published."""
        from airflow.exceptions import AirflowFailException

        if rejections:
            raise AirflowFailException(f"{len(rejections)} batch(es) rejected and kept out of the marts:\n"
                                       + "\n".join(rejections))

    # A hung dbt is ended with its whole process group (pipeline/dbt.py), so the pool slot is freed.
    @task(execution_timeout=timedelta(hours=2))
    def dbt_build() -> None:
        from pipeline.tasks import dbt_build as run

        run()

    @task
    def mart_gate(**context) -> None:
        from airflow.exceptions import AirflowFailException

        from expectations.gate import QualityGateFailed
        from pipeline.tasks import mart_gate as run

        try:
            run(context["run_id"])
        except QualityGateFailed as exc:  # the data, not the machine: a retry would fail the same way
            raise AirflowFailException(str(exc)) from exc

    @task(outlets=[SERVING_MARTS])
    def publish(**context) -> dict[str, object]:
        from pipeline.tasks import publish_marts

        return publish_marts(context["run_id"])

    # Marketing templates first: orders and metrics are judged against them.
    marketing = ingest.override(task_id="ingest_marketing")("marketing")
    shopify = ingest.override(task_id="ingest_shopify")("shopify")
    social = ingest.override(task_id="ingest_social")("social")
    marketing >> [shopify, social]
    gated = raw_gate()
    [shopify, social] >> gated
    rejected_batches(gated)
    gated >> dbt_build() >> mart_gate() >> publish()


creator_pipeline()
