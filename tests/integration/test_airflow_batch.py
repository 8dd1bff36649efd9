"""The demo's Airflow commands run in one Airflow process (pipeline/airflow_batch.py): in order, each through Airflow's
own CLI, stopping at the first that fails with a message naming it. Real Airflow, its metadata DB in the tests'
throw-away AIRFLOW_HOME (tests/conftest.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipeline.airflow_batch import MARKER
from pipeline.cli import StepFailed, run_airflow_steps
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY


def test_commands_run_in_order_and_the_first_failure_stops_the_rest(tmp_path: Path) -> None:
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow")}
    commands = [["db", "migrate"], ["pools", "set", "batch_probe", "3", "set by the batch"],
                ["pools", "get", "batch_probe"], ["dags", "test", "no_such_dag"], ["pools", "list"]]
    result = subprocess.run([sys.executable, "-m", "pipeline.airflow_batch", json.dumps(commands)], env=env,
                            capture_output=True, text=True, timeout=300)
    steps = [json.loads(line[len(MARKER):]) for line in result.stdout.splitlines() if line.startswith(MARKER)]
    ended = [(s["command"], s["exit"]) for s in steps if "exit" in s]
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    assert [c for c, status in ended if status == 0] == commands[:3], "the commands before the failure all ran"
    assert ended[-1][0] == ["dags", "test", "no_such_dag"] and ended[-1][1] != 0
    assert ["pools", "list"] not in [s["command"] for s in steps], "nothing runs after a failed command"
    # the pool the second command set is in the metadata DB the third one read
    assert "batch_probe" in result.stdout and "set by the batch" in result.stdout


def test_the_demo_names_the_failed_command_and_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path)
    log_file = tmp_path / "airflow.log"
    with pytest.raises(StepFailed, match=rf"'airflow dags test no_such_dag' failed \(exit 1\); see {log_file}"):
        run_airflow_steps(settings, [("db", "migrate"), ("dags", "test", "no_such_dag")], log_file)
    log = log_file.read_text()
    assert "$ airflow db migrate" in log and "$ airflow dags test no_such_dag" in log
    assert "no_such_dag" in log.split("$ airflow dags test no_such_dag", 1)[1], "Airflow's own error is in the log"


def test_the_batch_ends_with_its_status_after_every_other_exit_handler() -> None:
    # As in the batch's main: the hard exit is registered first, so a handler registered later (Airflow's, at its
    # import) still runs, its output is flushed, and the status is the one main returned.
    code = ("import atexit, sys; from pipeline.airflow_batch import _end_without_teardown; status = [1]; "
            "atexit.register(_end_without_teardown, status); "
            "atexit.register(lambda: print('a later handler ran', end='')); status[0] = 3")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (3, "a later handler ran")


FAILING_DAG = '''
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="failing_probe", schedule=None, start_date=datetime(2026, 1, 1), default_args={"retries": 0})
def failing_probe():
    @task
    def fine() -> int:
        return 1

    @task
    def explode(value: int) -> None:
        raise ValueError(f"orders.csv row {value + 2}, column total: expected a number, got 'abc'")

    explode(fine())


failing_probe()
'''


def test_a_failed_dag_names_each_failed_task_and_its_error_on_the_console(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's console said only "see airflow.log" (1,900 lines); the message now carries each failed task's
    exception, here from a real `airflow dags test` of a DAG whose second task raises."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "failing_probe.py").write_text(FAILING_DAG)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("AIRFLOW__CORE__DAGS_FOLDER", str(tmp_path / "dags"))
    settings = dataclasses.replace(load_settings(), data_dir=tmp_path)
    with pytest.raises(StepFailed) as failed:
        run_airflow_steps(settings, [("db", "migrate"), ("dags", "test", "failing_probe")], tmp_path / "airflow.log")
    lines = str(failed.value).splitlines()
    assert lines[0] == f"'airflow dags test failing_probe' failed (exit 1); see {tmp_path / 'airflow.log'}", lines
    assert lines[1:] == ["  task explode failed: ValueError: orders.csv row 3, column total: expected a number, "
                         "got 'abc'"], lines


@pytest.mark.e2e  # two `pipeline airflow` processes, each with its setup steps: about a minute
def test_a_failed_task_of_tasks_test_fails_the_command(tmp_path: Path) -> None:
    """Airflow's own `tasks test` logs a failed task's error and exits 0; `pipeline airflow tasks test` exits 1 and
    says so, and a task that succeeds still exits 0 (the same DAG's first task)."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "failing_probe.py").write_text(FAILING_DAG)
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags")}

    def tasks_test(task: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipeline.cli", "airflow", "tasks", "test", "failing_probe", task],
                              env=env, capture_output=True, text=True, timeout=300)

    fine, explode = tasks_test("fine"), tasks_test("explode")
    assert fine.returncode == 0 and " ended " not in fine.stdout, fine.stdout[-3000:] + fine.stderr[-3000:]
    assert explode.returncode == 1, explode.stdout[-3000:] + explode.stderr[-3000:]
    assert "task explode of failing_probe ended failed (its error is above)" in explode.stdout
    assert MARKER not in explode.stdout + fine.stdout, "the batch's lines for a calling process are not shown"
    assert "ValueError" in explode.stdout + explode.stderr or "TypeError" in explode.stdout + explode.stderr, \
        "Airflow's own error is shown"


def test_a_second_data_folder_under_the_same_airflow_home_ingests_and_emits_its_asset(
        sample_landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The raw assets' URIs held the warehouse's path: under a second PIPELINE_DATA_DIR Airflow kept the asset of the
    same name inactive (`dags test` never retires the old one), so the ingest's event was dropped with a warning, and
    nothing would trigger the transform (in the demo, the ingest tasks failed)."""
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("PIPELINE_PII_KEY", PII_TEST_KEY)
    log_file = tmp_path / "airflow.log"
    # every DAG stored under the first folder (creator_pipeline's schedule holds the assets too), as the demo leaves it
    steps: list[tuple[str, ...]] = [("db", "migrate"), ("dags", "reserialize")]
    for data_dir in (tmp_path / "first", tmp_path / "second"):
        shutil.copytree(sample_landing / "marketing", data_dir / "landing" / "marketing")
        monkeypatch.setenv("PIPELINE_DATA_DIR", str(data_dir))
        run_airflow_steps(load_settings(), [*steps, ("dags", "test", "ingest_files")], log_file)
        steps = []
        con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
        try:
            assert con.execute("select count(*) from raw.creators").fetchone()[0] > 0, data_dir
        finally:
            con.close()
    metadata = sqlite3.connect(tmp_path / "airflow" / "airflow.db")
    try:
        events = metadata.execute("select count(*) from asset_event join asset on asset.id = asset_event.asset_id "
                                  "where asset.name = 'raw_marketing'").fetchone()[0]
    finally:
        metadata.close()
    assert events == 2, "each folder's ingest emitted raw_marketing"
    assert "inactive asset" not in log_file.read_text()


def test_pipeline_airflow_dags_test_runs_on_a_new_airflow_home(tmp_path: Path) -> None:
    """`pipeline airflow dags test` on a new AIRFLOW_HOME stopped at "Database migration required": only the demo
    and the services prepared the metadata DB and the warehouse pool. A command that runs DAGs now does too."""
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "probe.py").write_text(FAILING_DAG.replace("failing_probe", "probe").replace(
        "raise ValueError(f\"orders.csv row {value + 2}, column total: expected a number, got 'abc'\")", "return None"))
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags")}
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "airflow", "dags", "test", "probe"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "DagRun Finished: dag_id=probe," in run.stdout + run.stderr and "state=success" in run.stdout + run.stderr
    pools = subprocess.run([sys.executable, "-m", "pipeline.cli", "airflow", "pools", "get", "warehouse_writer"],
                           env=env, capture_output=True, text=True, timeout=300)
    assert pools.returncode == 0 and "warehouse_writer" in pools.stdout, pools.stdout + pools.stderr



HOLDING_DAG = '''
import time
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task


@dag(dag_id="holding_probe", schedule=None, start_date=datetime(2026, 1, 1), max_active_runs=1,
     default_args={"retries": 0})
def holding_probe():
    @task
    def hold() -> None:
        folder = Path(__file__).parent
        if (folder / "hold").exists():
            (folder / "started").touch()
            time.sleep(600)

    hold()


holding_probe()
'''


def test_a_run_of_a_killed_dags_test_is_failed_before_the_next_command_runs_dags(tmp_path: Path) -> None:
    """kill -9 of `pipeline airflow dags test` left its run "running" for good: the scheduler fails only what its
    own job queued, so with max_active_runs=1 every later run of the DAG waited, with no alert."""
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "holding.py").write_text(HOLDING_DAG)
    (dags / "hold").touch()
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow"), "AIRFLOW__CORE__DAGS_FOLDER": str(dags)}
    command = [sys.executable, "-m", "pipeline.cli", "airflow", "dags", "test", "holding_probe"]
    killed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):  # its task started (Airflow's import and setup first)
            if (dags / "started").exists() or killed.poll() is not None:
                break
            time.sleep(0.5)
        assert (dags / "started").exists(), "the held task never started"
    finally:
        killed.kill()  # `pipeline airflow dags test` became `airflow dags test` (exec): this is Airflow's process
        killed.wait()
    metadata = sqlite3.connect(tmp_path / "airflow" / "airflow.db")
    try:
        [(run_id, state)] = metadata.execute("select run_id, state from dag_run").fetchall()
        assert state == "running", "kill -9 left the run running"

        (dags / "hold").unlink()
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
        assert (f"failed DAG run {run_id} of holding_probe: left running by a killed `dags test` (its process "
                f"{killed.pid} is gone)") in again.stderr, again.stderr[-3000:]
        assert metadata.execute("select state from dag_run order by id").fetchall() == [("failed",), ("success",)]
        assert metadata.execute("select state from task_instance where run_id = ?", [run_id]).fetchall() == [
            ("failed",)]
    finally:
        metadata.close()


def test_a_command_beside_a_scheduler_waits_for_its_write_instead_of_failing_database_locked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler holds the SQLite metadata DB's write lock for a moment; a CLI command that writes then failed
    after sqlite3's 5 s with "database is locked". Here another connection holds the lock for 6.5 s, and a process
    with Airflow's engine writes."""
    import threading

    from pipeline.airflow_env import airflow_env

    db = tmp_path / "airflow.db"
    sqlite3.connect(db).execute("create table probe (x integer)").connection.close()
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{db}")
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS", raising=False)
    ours = airflow_env(load_settings())
    assert ours["AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS"] == "pipeline.airflow_env.SQLITE_CONNECT_ARGS"
    sqlite_default = {k: v for k, v in ours.items() if k != "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS"}
    # Airflow is imported first (seconds): the lock is taken once the process is ready to write.
    write = ("import sys, time; from airflow import settings; print('ready', flush=True); sys.stdin.readline(); "
             "t = time.monotonic(); c = settings.engine.connect(); c.exec_driver_sql('insert into probe values (1)'); "
             "c.commit(); print(f'waited {time.monotonic() - t:.0f}')")

    def with_lock_held(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        proc = subprocess.Popen([sys.executable, "-c", write], env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
        holder.execute("begin exclusive")
        released = threading.Timer(6.5, lambda: (holder.execute("commit"), holder.close()))
        released.start()
        try:
            out, err = proc.communicate("go\n", timeout=120)
        finally:
            released.join()
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    failed = with_lock_held(sqlite_default)
    assert failed.returncode != 0 and "database is locked" in failed.stderr, "sqlite3's default 5 s gives up"
    waited = with_lock_held(ours)
    assert waited.returncode == 0, waited.stderr[-2000:]
    assert int(waited.stdout.split()[-1]) >= 5, "it waited for the lock rather than finding it free"

    # Postgres takes no such argument: the setting is for SQLite only.
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "postgresql+psycopg2://airflow@db/airflow")
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS" not in airflow_env(load_settings())
