"""Every DAG imports without errors, quickly, and declares what the pipeline relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


def _dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def dbt_manifest() -> Path:
    """The manifest the dbt task group is drawn from, made as `pipeline airflow …` makes it (`dbt parse` when the
    project changed): a fresh clone has none."""
    from pipeline.dbt_manifest import ensure_manifest
    from pipeline.settings import load_settings

    return ensure_manifest(load_settings())


@pytest.fixture
def model_tasks(dbt_manifest: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PIPELINE_DBT_TASKS=models: the dbt part drawn as one task per model (Cosmos)."""
    monkeypatch.setenv("PIPELINE_DBT_TASKS", "models")


def test_dags_import_without_errors() -> None:
    bag = _dagbag()
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"ingest_files", "ingest_apis", "creator_pipeline", "weekly_report"}


# The DAG processor's parse of a changed file, measured: one interpreter imports Airflow (the processor has it
# loaded), then forks a child per DAG file, which parses that one file into a DagBag with nothing of the project
# imported yet. Timed in CPU seconds (the 2 cores are shared; an import's cost is CPU once the files are in the page
# cache). Each child prints what it measured and which of the heavy libraries the parse loaded.
HEAVY = ("duckdb", "dbt", "great_expectations", "pandas", "pyarrow", "streamlit")
PARSE_EACH_FILE = f"""
import json, os, sys, time, traceback
import airflow.sdk
from airflow.dag_processing.dagbag import DagBag
for arg in sys.argv[1:]:
    dag_file, _, dbt_tasks = arg.partition(":")
    if os.fork() == 0:
        try:
            os.environ["PIPELINE_DBT_TASKS"] = dbt_tasks
            wall, cpu = time.perf_counter(), time.process_time()
            bag = DagBag(dag_folder=dag_file)
            print(json.dumps({{"file": arg, "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall,
                              "errors": {{k: v[-500:] for k, v in bag.import_errors.items()}},
                              "dags": sorted(bag.dag_ids),
                              "heavy": sorted(m for m in {HEAVY!r} if m in sys.modules)}}), flush=True)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.wait()
    if status:
        sys.exit(f"parsing {{arg}} failed")
"""
# CPU seconds per parse. Measured on the 2-core dev box under load: 0.11-0.16 s a file (Airflow's cron timetable
# and SMTP notifier included), creator_pipeline with a task per dbt model 0.9 s (Cosmos' operators, ~130 tasks).
# A top-level `import pandas` in a DAG file made it 1.7 s, `import great_expectations` 6.2 s. With a task per model
# it took 2.2 s once, beside two other test runs and two users' trials (load 3.4 on 2 cores): CPU time grows too
# when processes contend for the cores' caches.
PARSE_CPU_BOUND = 0.5
MODEL_TASKS_CPU_BOUND = 3.0


@pytest.fixture(scope="module")
def fresh_parses(dbt_manifest: Path) -> dict[str, dict]:
    """Each DAG file parsed as the processor would (the default: one dbt build task), and creator_pipeline again
    with a task per dbt model (PIPELINE_DBT_TASKS=models)."""
    args = [f"{f}:build" for f in sorted(DAGS.glob("*.py"))] + [f"{DAGS / 'creator_pipeline.py'}:models"]
    result = subprocess.run([sys.executable, "-c", PARSE_EACH_FILE, *args], capture_output=True, text=True,
                            cwd=DAGS.parent, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    parses = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"file"')]
    for parsed in parses:
        assert parsed["errors"] == {} and parsed["dags"] == [Path(parsed["file"]).stem.split(":")[0]], parsed
    return {Path(p["file"]).name: p for p in parses}


def test_dag_files_parse_fast(fresh_parses: dict[str, dict]) -> None:
    """The DAG processor re-parses every file every 30 s: each parses in well under a second of CPU, because heavy
    libraries are imported inside the tasks, not at the top of a DAG file or of what it imports (pipeline/assets.py,
    pipeline/alerts.py, pipeline/settings.py; pipeline/dbt_airflow.py only with a task per model)."""
    assert set(fresh_parses) == {"ingest_files.py:build", "ingest_apis.py:build", "creator_pipeline.py:build",
                                 "weekly_report.py:build", "creator_pipeline.py:models"}
    slow = {f: f"{p['cpu']:.2f} s CPU ({p['wall']:.2f} s wall)" for f, p in fresh_parses.items()
            if p["cpu"] > (MODEL_TASKS_CPU_BOUND if f.endswith(":models") else PARSE_CPU_BOUND)}
    assert not slow, (f"DAG files parse slowly (bound {PARSE_CPU_BOUND} s CPU, {MODEL_TASKS_CPU_BOUND} s with a "
                      f"task per model): {slow}; import heavy libraries inside the task that uses them")


def test_dag_files_import_no_heavy_library(fresh_parses: dict[str, dict]) -> None:
    """Measured in a fresh interpreter: parsing a DAG file loads none of the libraries its tasks use (Cosmos draws the
    dbt task group from the manifest at parse time without importing dbt)."""
    loaded = {f: p["heavy"] for f, p in fresh_parses.items() if p["heavy"]}
    assert not loaded, f"DAG files import heavy libraries at parse time: {loaded}"


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


def test_the_transform_pool_can_be_turned_off_for_the_build_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """PIPELINE_TRANSFORM_POOL=none (a dbt target that is not the DuckDB file) takes only the dbt build out of the
    one-slot pool: every other task on the warehouse stays in it."""
    monkeypatch.setenv("PIPELINE_TRANSFORM_POOL", "none")
    tasks = {t.task_id: t.pool for t in _dagbag().dags["creator_pipeline"].tasks}
    assert tasks.pop("dbt_build") == "default_pool"
    assert {p for t, p in tasks.items() if t not in ("summarise_run", "run_failed")} == {"warehouse_writer"}

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
