"""Every DAG imports without errors, quickly, and declares what the pipeline relies on."""

from __future__ import annotations

import time
from pathlib import Path

DAGS = Path(__file__).resolve().parents[2] / "dags"


def _dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_dags_import_without_errors() -> None:
    bag = _dagbag()
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"creator_pipeline", "weekly_report"}


def test_dag_files_parse_fast() -> None:
    _dagbag()  # warm imports shared by every file (airflow itself)
    started = time.perf_counter()
    _dagbag()
    assert time.perf_counter() - started < 5.0


def test_pipeline_dag_order_and_pool() -> None:
    dag = _dagbag().dags["creator_pipeline"]
    tasks = {t.task_id: t for t in dag.tasks}
    assert set(tasks) == {"ingest_marketing", "ingest_shopify", "ingest_social", "raw_gate", "rejected_batches",
                          "dbt_build", "mart_gate", "publish"}
    assert {t.pool for t in tasks.values()} == {"warehouse_writer"}
    # Raw gate before dbt (a bad batch is never transformed), mart gate before publish.
    assert tasks["raw_gate"].upstream_task_ids == {"ingest_shopify", "ingest_social"}
    assert tasks["dbt_build"].upstream_task_ids == {"raw_gate"}
    assert tasks["mart_gate"].upstream_task_ids == {"dbt_build"}
    assert tasks["publish"].upstream_task_ids == {"mart_gate"}
    assert tasks["rejected_batches"].upstream_task_ids == {"raw_gate"}
    assert tasks["rejected_batches"].retries == 0
    assert [o.name for o in tasks["publish"].outlets] == ["serving_marts"]


def test_weekly_report_runs_monday_morning() -> None:
    dag = _dagbag().dags["weekly_report"]
    assert "0 7 * * 1" in str(dag.timetable.summary) or "0 7 * * 1" in repr(dag.timetable)
