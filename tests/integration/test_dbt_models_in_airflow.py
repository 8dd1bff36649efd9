"""The dbt project as Airflow tasks (Cosmos WATCHER, pipeline/dbt_airflow.py): every dbt command Airflow starts goes
through run_dbt (pipeline/bin/dbt), and a model that failed is re-run alone, with what is built on it, by clearing
its task: a real Airflow (standalone: scheduler, API server, DAG processor, triggerer) on a fresh AIRFLOW_HOME, a
real dbt on a copy of the project with one model planted to fail, then fixed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.warehouse import connect
from pipeline.dbt_airflow import DBT_EXECUTABLE
from pipeline.dbt_cli import without_cosmos_paths
from pipeline.dbt_manifest import manifest_path
from pipeline.settings import PROJECT_ROOT
from tests.conftest import PII_TEST_KEY
from tests.e2e.airflow_processes import (
    free_port,
    log_server_ports,
    query,
    serialised,
    standalone,
    stop,
    wait_for,
)

DAG_ID = "creator_pipeline"
FAILING = "int_contract_costs"  # creator_roi and the marts of cost are built on it
PLANTED = "{{ config(pre_hook=\"select error('planted fault')\") }}\n"


def _dependants(project: Path, model: str) -> set[str]:
    """The models built on ``model``, from the manifest Airflow drew the task group from."""
    children = json.loads(manifest_path(project).read_text())["child_map"]
    found: set[str] = set()
    todo = [f"model.creator_pipeline.{model}"]
    while todo:
        for child in children[todo.pop()]:
            if child.startswith("model.") and child.split(".")[-1] not in found:
                found.add(child.split(".")[-1])
                todo.append(child)
    return found


def _project_copy(tmp_path: Path) -> Path:
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    return project


def _dbt_env(tmp_path: Path, warehouse: Path, project: Path) -> dict[str, str]:
    return {**os.environ, "PIPELINE_WAREHOUSE": str(warehouse), "PIPELINE_DBT_PROJECT_DIR": str(project),
            "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
            "DBT_TASK_PYTHON": sys.executable, "PIPELINE_PII_KEY": PII_TEST_KEY, "PIPELINE_DBT_TASKS": "models"}


def test_cosmos_path_flags_are_dropped() -> None:
    args = ["build", "--select", "a", "--project-dir", "/tmp/x", "--profiles-dir", "/tmp/x", "--profile", "p",
            "--target", "dev", "--log-format", "json"]
    assert without_cosmos_paths(args) == ["build", "--select", "a", "--log-format", "json"]


def test_the_group_executable_runs_dbt_through_run_dbt(loaded_warehouse: Path, tmp_path: Path) -> None:
    """As Cosmos calls it: JSON events pass through for the watcher, dbt runs on the project (not Cosmos's copy) with
    the settings' vars; and a warehouse another process holds stops it before dbt starts, naming the holder."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    project = _project_copy(tmp_path)
    env = _dbt_env(tmp_path, warehouse, project)
    cosmos_copy = tmp_path / "cosmos-copy"
    cosmos_copy.mkdir()
    argv = [str(DBT_EXECUTABLE), "build", "--select", "stg_fx__rates", "--log-format", "json",
            "--project-dir", str(cosmos_copy), "--profiles-dir", str(cosmos_copy), "--profile", "creator_pipeline",
            "--target", "dev"]
    done = subprocess.run(argv, env=env, cwd=cosmos_copy, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    finished = {e["data"]["node_info"]["unique_id"]: e["data"]["node_info"]["node_status"] for e in events
                if e.get("data", {}).get("node_info", {}).get("node_status") in ("success", "pass")}
    assert finished.get("model.creator_pipeline.stg_fx__rates") == "success", "no event the watcher reads"
    results = json.loads((tmp_path / "target" / "run_results.json").read_text())
    assert {r["unique_id"] for r in results["results"]} >= {"model.creator_pipeline.stg_fx__rates"}
    assert '"brand_handles"' in json.dumps(results["args"]["vars"])  # the settings' --vars

    holder = connect(warehouse)  # another process's write connection: the warehouse is taken
    try:
        held = subprocess.run(argv, env=env, cwd=cosmos_copy, capture_output=True, text=True, timeout=300)
    finally:
        holder.close()
    assert held.returncode == 1
    assert "did not start" in held.stdout and str(os.getpid()) in held.stdout, held.stdout[-2000:]
    assert not any(line.startswith("{") for line in held.stdout.splitlines()), "dbt must not have started"


def _states(db: Path, run_id: str) -> dict[str, tuple[str, int]]:
    rows = query(db, "select task_id, state, try_number from task_instance where dag_id = ? and run_id = ?",
                  DAG_ID, run_id)
    return {task: (state, tries) for task, state, tries in rows}


def _run_finished(db: Path, run_id: str) -> bool:
    rows = query(db, "select state from dag_run where dag_id = ? and run_id = ?", DAG_ID, run_id)
    return bool(rows) and rows[0][0] in ("success", "failed")


@pytest.mark.e2e
def test_a_failed_model_is_rerun_alone_with_what_depends_on_it(loaded_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    project = _project_copy(tmp_path)
    model_file = project / "models" / "intermediate" / f"{FAILING}.sql"
    fixed_sql = model_file.read_text()
    model_file.write_text(PLANTED + fixed_sql)
    port = free_port()
    env = {**_dbt_env(tmp_path, warehouse, project), "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "PIPELINE_DATA_DIR": str(tmp_path / "data"), "AIRFLOW__API__PORT": str(port), **log_server_ports(),
           "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
           # Only the run this test triggers: no run of the DAG's own schedule beside it.
           "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False", "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "3600"}
    db = tmp_path / "airflow" / "airflow.db"

    def airflow(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "pipeline.cli", "airflow", *args], env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"airflow {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        return done.stdout

    (tmp_path / "airflow").mkdir()
    with standalone(env) as (proc, log):
        wait_for("the DAG to be serialised", lambda: db.exists() and serialised(db, DAG_ID), 240, proc, log)
        airflow("dags", "unpause", DAG_ID)
        run_id = "planted-fault"
        # With a logical date, as a scheduled run has: `airflow tasks clear` finds only runs that have one.
        airflow("dags", "trigger", DAG_ID, "--run-id", run_id, "--logical-date", "2026-03-01T00:00:00+00:00")
        # Limits for a hang, not times to meet: some 250 task processes, on a CI machine busy with other tiers.
        wait_for("the first run", lambda: _run_finished(db, run_id), 1500, proc, log)
        first = _states(db, run_id)
        dependants = _dependants(project, FAILING)
        assert {"creator_roi", "budget_recommendations", "rate_fairness"} <= dependants, dependants
        assert first["dbt.dbt_producer_watcher"][0] == "failed"
        assert first[f"dbt.{FAILING}.run"][0] == "failed"
        assert all(first[f"dbt.{m}.run"][0] in ("failed", "upstream_failed") for m in dependants)
        assert first["dbt.int_orders.run"][0] == first["dbt.int_orders.test"][0] == "success"
        assert first["publish"][0] == "upstream_failed"
        assert first["run_failed"][0] == "failed", "a run with a failed model is a failed run"

        model_file.write_text(fixed_sql)  # the fix; then clear the failed model's task and what is built on it
        # -t: the installed Airflow matches task ids by substring, not by the regex its --help names
        airflow("tasks", "clear", DAG_ID, "-t", f"dbt.{FAILING}.run", "--downstream", "--yes")
        wait_for("the re-run", lambda: _run_finished(db, run_id), 1500, proc, log)
        stop(proc)

    second = _states(db, run_id)
    rerun = {task for task, (_, tries) in second.items() if tries > first[task][1]}
    dbt_rerun = {task for task in rerun if task.startswith("dbt.")}
    expected = {f"dbt.{m}.{kind}" for m in {FAILING} | dependants for kind in ("run", "test")}
    assert dbt_rerun == expected, sorted(dbt_rerun ^ expected)
    assert second["dbt.dbt_producer_watcher"] == first["dbt.dbt_producer_watcher"], "the whole build ran again"
    assert {task: second[task][0] for task in expected} == dict.fromkeys(expected, "success")
    assert {second[t][0] for t in ("mart_gate", "publish")} == {"success"}
    con = connect(warehouse, read_only=True)
    try:
        assert con.execute("select count(*) from marts.creator_roi").fetchone()[0] > 0
    finally:
        con.close()
