"""creator_pipeline, the transform: gate the new batches, build the dbt project, gate the marts, publish. It runs
when an ingest DAG (ingest_files, ingest_apis) emits a raw asset (raw_marketing, raw_shopify, raw_social) and emits
serving_marts when it publishes.

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

from pipeline.alerts import failure_notifiers
from pipeline.assets import SERVING_MARTS, transform_schedule
from pipeline.settings import WAREHOUSE_POOL, load_settings


@dag(
    dag_id="creator_pipeline",
    schedule=transform_schedule(),  # new raw data of any family, and daily (pipeline/assets.py)
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2), "pool": WAREHOUSE_POOL,
                  "on_failure_callback": failure_notifiers()},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def creator_pipeline():
    settings = load_settings()

    @task
    def raw_gate(**context) -> dict[str, object]:
        from pipeline.tasks import raw_gate as run

        return run(context["run_id"])

    @task(retries=0)
    def rejected_batches(gated: dict[str, object]) -> dict[str, object]:
        """Fail (and alert) when this run's raw gate rejected a batch: the rest was still built and published. With
        none rejected its summary (the run's note) says so."""
        from airflow.exceptions import AirflowFailException

        if rejections := list(gated["rejections"]):
            raise AirflowFailException(f"{len(rejections)} batch(es) rejected and kept out of the marts:\n"
                                       + "\n".join(rejections))
        return gated

    # What the last dbt command of the group did (run_results.json), for the run's note; reads no warehouse.
    @task(trigger_rule="all_done", pool="default_pool", retries=0)
    def dbt_results() -> dict[str, object]:
        from pipeline.settings import load_settings
        from pipeline.summaries import dbt_summary

        return dbt_summary(load_settings().dbt_target_dir / "run_results.json")

    # A stale source fails this task (and alerts) without holding back the build and publish of what did arrive.
    @task(retries=0)
    def source_freshness() -> dict[str, object]:
        from pipeline.tasks import source_freshness as run

        return run()

    @task
    def mart_gate(**context) -> dict[str, object]:
        from airflow.exceptions import AirflowFailException

        from expectations.gate import QualityGateFailed
        from pipeline.tasks import mart_gate as run

        try:
            return run(context["run_id"])
        except QualityGateFailed as exc:  # the data, not the machine: a retry would fail the same way
            raise AirflowFailException(str(exc)) from exc

    @task(outlets=[SERVING_MARTS])
    def publish(**context) -> dict[str, object]:
        from pipeline.tasks import publish_marts

        return publish_marts(context["run_id"])

    # Every task's summary (XCom) folded into the run's note; it runs whatever failed, and needs no warehouse slot.
    @task(trigger_rule="all_done", pool="default_pool", retries=0)
    def summarise_run(**context) -> str:
        from pipeline.tasks import summarise_run as run

        return run(context)

    # A hung dbt is ended with its whole process group (pipeline/dbt.py), so the pool slot is freed. Its pool is a
    # setting (PIPELINE_TRANSFORM_POOL): a build on a target other than the DuckDB file needs no warehouse slot.
    @task(execution_timeout=timedelta(hours=2), pool=settings.transform_pool)
    def dbt_build() -> dict[str, object]:
        from pipeline.tasks import dbt_build as run

        return run()

    # The run's state follows its leaves, and summarise_run always succeeds: this leaf fails the run when any task
    # failed (and is skipped otherwise), so a rejected batch or a failed model still marks the run failed.
    @task(trigger_rule="one_failed", pool="default_pool", retries=0)
    def run_failed() -> None:
        from airflow.exceptions import AirflowFailException

        raise AirflowFailException("a task of this run failed (see the failed tasks; the run's note has the totals)")

    gated = raw_gate()
    checks = [rejected_batches(gated), gated >> source_freshness()]
    if settings.dbt_tasks == "models":
        # Every dbt node is a task of the group "dbt" (pipeline/dbt_airflow.py): one dbt build, in the pool.
        # Imported here: Cosmos' operators add 0.1 s CPU (0.3 s wall) to every parse, and the default draws none.
        from pipeline.dbt_airflow import dbt_task_group

        dbt = dbt_task_group(pool=settings.transform_pool)
        results = dbt >> dbt_results()
    else:
        dbt = results = dbt_build()
    published = gated >> dbt >> mart_gate() >> publish()
    leaves = [*checks, published, results]
    leaves >> summarise_run()
    leaves >> run_failed()


creator_pipeline()
