"""Every DAG imports without errors, quickly, and declares what the pipeline relies on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


def _dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def model_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """PIPELINE_DBT_TASKS=models: the dbt part drawn as one task per model (Cosmos)."""
    monkeypatch.setenv("PIPELINE_DBT_TASKS", "models")


def test_dags_import_without_errors() -> None:
    bag = _dagbag()
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"ingest_files", "ingest_apis", "creator_pipeline", "weekly_report"}


def test_dag_files_parse_fast() -> None:
    """The DAG processor re-parses every file every 30 s: each parses in well under a second (Airflow's own per-file
    timing, imports warm as in the processor), because heavy libraries are imported inside the tasks, not at the top
    of the file. creator_pipeline draws ~130 dbt tasks from the manifest (Cosmos, 127 operators at ~3 ms each):
    measured 0.42-0.49 s warm on an idle machine, 1.0 s with two dbt builds on the 2 cores, plus 0.5-1.5 s to import
    cosmos in a cold process; its bound is 2 s."""
    _dagbag()
    stats = _dagbag().dagbag_stats
    assert {s.file for s in stats} == {"ingest_files.py", "ingest_apis.py", "creator_pipeline.py", "weekly_report.py"}
    bounds = {"creator_pipeline.py": 2.0}
    assert all(s.duration.total_seconds() < bounds.get(s.file, 0.5) for s in stats), stats


def test_dag_files_import_no_heavy_library() -> None:
    """Measured in a fresh interpreter: importing a DAG file loads none of the libraries its tasks use."""
    # Not cosmos: the dbt task group is drawn at parse time (0.45 s to import, no dbt; test_dag_files_parse_fast).
    heavy = ("duckdb", "dbt", "great_expectations", "pandas", "pyarrow", "streamlit")
    for dag_file in sorted(DAGS.glob("*.py")):
        code = ("import importlib.util, sys\n"
                f"spec = importlib.util.spec_from_file_location('dag_under_test', {str(dag_file)!r})\n"
                "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
                f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=DAGS.parent)
        assert result.returncode == 0, result.stderr[-2000:]
        assert result.stdout.strip().splitlines()[-1] == "[]", f"{dag_file.name} imports {result.stdout}"


def test_pipeline_dag_order_and_pool() -> None:
    """The default (PIPELINE_DBT_TASKS=build): one dbt build task."""
    dag = _dagbag().dags["creator_pipeline"]
    tasks = {t.task_id: t for t in dag.tasks}
    assert set(tasks) == {"raw_gate", "rejected_batches", "source_freshness", "dbt_build", "mart_gate", "publish",
                          "summarise_run", "run_failed"}
    # Every task on the warehouse holds its one slot; the summaries read only XComs and dbt's run_results.json.
    assert {t.pool for t in tasks.values() if t.task_id not in ("summarise_run", "run_failed")} == {
        "warehouse_writer"}
    # Raw gate before dbt (a bad batch is never transformed), mart gate after dbt, publish after it.
    assert tasks["raw_gate"].upstream_task_ids == set()
    assert tasks["dbt_build"].upstream_task_ids == {"raw_gate"}
    assert tasks["mart_gate"].upstream_task_ids == {"dbt_build"}
    assert tasks["publish"].upstream_task_ids == {"mart_gate"}
    assert tasks["rejected_batches"].upstream_task_ids == {"raw_gate"}
    assert tasks["rejected_batches"].retries == 0
    assert [o.name for o in tasks["publish"].outlets] == ["serving_marts"]
    assert tasks["source_freshness"].upstream_task_ids == {"raw_gate"}
    assert tasks["summarise_run"].trigger_rule == "all_done"
    leaves = {"rejected_batches", "source_freshness", "publish", "dbt_build"}
    assert tasks["summarise_run"].upstream_task_ids == leaves
    # summarise_run always succeeds; run_failed (one_failed) is the leaf that marks a run with a failed task failed.
    assert tasks["run_failed"].trigger_rule == "one_failed" and tasks["run_failed"].upstream_task_ids == leaves


def test_pipeline_dag_with_model_tasks(model_tasks: None) -> None:
    dag = _dagbag().dags["creator_pipeline"]
    tasks = {t.task_id: t for t in dag.tasks if not t.task_id.startswith("dbt.")}
    assert set(tasks) == {"raw_gate", "rejected_batches", "source_freshness", "mart_gate", "publish",
                          "dbt_results", "summarise_run", "run_failed"}
    assert {t.pool for t in tasks.values() if t.task_id not in ("summarise_run", "dbt_results", "run_failed")} == {
        "warehouse_writer"}
    # Raw gate before dbt (a bad batch is never transformed), mart gate after every dbt node, publish after it.
    dbt = dag.task_group.children["dbt"]
    assert {t.task_id for t in dbt.get_roots()} <= tasks["raw_gate"].downstream_task_ids
    assert tasks["mart_gate"].upstream_task_ids == {t.task_id for t in dbt.get_leaves()}
    assert tasks["publish"].upstream_task_ids == {"mart_gate"}
    assert tasks["summarise_run"].upstream_task_ids == {"rejected_batches", "source_freshness", "publish",
                                                        "dbt_results"}


def test_every_dbt_node_is_a_task_and_only_the_one_build_holds_the_warehouse(model_tasks: None) -> None:
    """Cosmos WATCHER (pipeline/dbt_airflow.py): one producer runs the one dbt build in the warehouse pool; each
    model, seed and snapshot, and each model's tests, is a task that reports its node from that build."""
    import json

    from pipeline.dbt_manifest import manifest_path
    from pipeline.settings import load_settings

    dag = _dagbag().dags["creator_pipeline"]
    dbt = {t.task_id.removeprefix("dbt."): t for t in dag.tasks if t.task_id.startswith("dbt.")}
    manifest = json.loads(manifest_path(load_settings().dbt_project_dir).read_text())
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    # "<model>.run" and "<model>.test" in the model's group; "<model>_run" for a model without tests
    shown = {k.removesuffix(".run").removesuffix("_run") for k in dbt}
    assert models and models <= shown, models - shown
    assert {"creator_roi.test", "creator_vetting.test", "order_attribution.test"} <= set(dbt)
    producer = dbt.pop("dbt_producer_watcher")
    assert producer.pool == "warehouse_writer" and producer.retries == 0
    assert type(producer).__name__ == "DbtProducerWatcherOperator"
    # Every dbt command of the group goes through run_dbt (settings, lock probe, --full-refresh, process group).
    assert producer.dbt_executable_path.endswith("pipeline/bin/dbt")
    sensors = [t for t in dbt.values() if t.task_type.endswith("WatcherOperator")]
    assert len(sensors) > 2 * len(models) * 0.9
    assert {t.pool for t in sensors} == {"default_pool"} and {t.retries for t in sensors} == {0}
    assert {t.dbt_executable_path for t in sensors} == {producer.dbt_executable_path}
    # A model's task waits for its parents' tasks: clearing it with --downstream re-runs exactly its dependants.
    assert {"dbt.int_orders.run", "dbt.int_orders.test"} <= dag.get_task("dbt.order_attribution.run"
                                                                         ).get_flat_relative_ids(upstream=True)


def test_the_transform_is_scheduled_on_the_raw_assets_the_ingest_dags_emit() -> None:
    from ingest.sources import GROUPS
    from pipeline.assets import FAMILIES

    assert FAMILIES == tuple(GROUPS), "one raw asset per source family (kept apart so DAG files import no ingest)"
    dags = _dagbag().dags
    raw = {"raw_marketing", "raw_shopify", "raw_social"}
    assert {a.name for a in dags["creator_pipeline"].timetable.asset_condition.objects} == raw
    # ... and daily, so freshness is checked when nothing arrives, admitted batches get in, backfills work.
    assert "'0 0 * * *'" in repr(dags["creator_pipeline"].timetable.timetable)
    emitted = {t.task_id: {o.name for o in t.outlets} for d in ("ingest_files", "ingest_apis") for t in dags[d].tasks}
    assert emitted == {"new_files": set(), "ingest_marketing": {"raw_marketing"}, "ingest_shopify": {"raw_shopify"},
                       "ingest_social": {"raw_social"}, "fetch_shopify": {"raw_shopify"},
                       "fetch_social": {"raw_social"}}
    for dag_id in ("ingest_files", "ingest_apis"):
        assert {t.pool for t in dags[dag_id].tasks} == {"warehouse_writer"}, dag_id
        assert dags[dag_id].max_active_runs == 1
    files = {t.task_id: t for t in dags["ingest_files"].tasks}
    # Marketing first: orders and metrics are judged against it; the sensor frees its slot between looks.
    assert files["ingest_shopify"].upstream_task_ids == files["ingest_social"].upstream_task_ids == {"ingest_marketing"}
    assert files["new_files"].mode == "reschedule" and files["new_files"].soft_fail
    assert "0 * * * *" in repr(dags["ingest_apis"].timetable)


def test_weekly_report_runs_monday_morning_and_after_a_publish_behind_a_guard() -> None:
    dag = _dagbag().dags["weekly_report"]
    assert "0 7 * * 1" in repr(dag.timetable.timetable)
    assert [a.name for a in dag.timetable.asset_condition.objects] == ["serving_marts"]
    assert dag.get_task("build_and_send_report").upstream_task_ids == {"report_due"}
