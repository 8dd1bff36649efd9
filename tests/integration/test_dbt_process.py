"""dbt as a child process: however its runner ends (SIGTERM from Airflow, kill -9, Airflow's execution timeout), no
dbt process is left and the warehouse is not left locked; a warehouse another process holds fails with a message
that says who holds it and what to do. Real dbt builds on a real warehouse file, real signals, real processes."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from pipeline.dbt import DbtFailed, dbt_target_lock, run_dbt
from pipeline.settings import load_settings

# Runs `dbt build` on the warehouse named in argv[1]; the test signals this process while dbt runs.
RUNNER = """
import dataclasses, logging, signal, sys
from pathlib import Path
from pipeline.dbt import DbtFailed, run_dbt
from pipeline.settings import load_settings
logging.basicConfig(level=logging.INFO)
settings = dataclasses.replace(load_settings(), warehouse_path=Path(sys.argv[1]))
mode = sys.argv[2]
if mode == "plain":
    run_dbt(settings, "build")
elif mode == "airflow-timeout":  # what Airflow does around a task with execution_timeout (a SIGALRM timer)
    from airflow.sdk.execution_time.timeout import timeout
    with timeout(600):
        run_dbt(settings, "build")
elif mode == "own-sigterm-handler":  # Airflow's task runner: SIGTERM calls on_kill and the task goes on
    signal.signal(signal.SIGTERM, lambda signum, frame: print("on_kill called", flush=True))
    try:
        run_dbt(settings, "build")
    except DbtFailed as exc:
        print(f"DbtFailed: {exc}", flush=True)
"""


@pytest.fixture(scope="module")
def dbt_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dbt's target folder of this module's builds: after the first, each re-uses the parse it saved. dbt writes it
    when its parse ends, before the build opens the warehouse, which is when these tests stop it."""
    return tmp_path_factory.mktemp("dbt") / "target"


@pytest.fixture()
def warehouse(loaded_warehouse: Path, dbt_target: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DBT_TARGET_PATH", str(dbt_target))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, copy)
    return copy


def _holds(proc: psutil.Process, path: Path) -> bool:
    # Looked up in /proc: opening the file to test the lock could itself make dbt's connect fail.
    try:
        return any(Path(f.path) == path for f in proc.open_files())
    except psutil.NoSuchProcess:
        return False


def _start_runner(warehouse: Path, *mode: str) -> tuple[subprocess.Popen, int]:
    """The runner, once its dbt child has the warehouse open; returns it and dbt's pid (= its process group)."""
    runner = subprocess.Popen([sys.executable, "-c", RUNNER, str(warehouse), *mode], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while not (children := psutil.Process(runner.pid).children()) or not _holds(children[0], warehouse):
        assert runner.poll() is None, runner.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "dbt never opened the warehouse"
        time.sleep(0.2)
    (dbt,) = children
    assert os.getpgid(dbt.pid) == dbt.pid != os.getpgid(runner.pid), "dbt runs in its own process group"
    return runner, dbt.pid


def _group(pgid: int) -> list[int]:
    alive = []
    for proc in psutil.process_iter():
        try:
            if os.getpgid(proc.pid) == pgid and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc.pid)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return alive


def _assert_gone_and_unlocked(dbt_group: int, warehouse: Path, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while _group(dbt_group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(dbt_group) == [], "a dbt process outlived its runner"
    duckdb.connect(str(warehouse)).close()  # not locked: the next task can open it read-write


def test_sigterm_ends_dbt_and_its_whole_group(warehouse: Path) -> None:
    runner, dbt_group = _start_runner(warehouse, "plain")
    runner.send_signal(signal.SIGTERM)
    output = runner.communicate(timeout=30)[0]
    # SIGTERM still does what it did before (terminate), once dbt's group is ended.
    assert runner.returncode == -signal.SIGTERM, output[-3000:]
    _assert_gone_and_unlocked(dbt_group, warehouse, within=0)


def test_sigterm_under_a_task_runners_handler_fails_the_task_with_a_clear_message(warehouse: Path) -> None:
    runner, dbt_group = _start_runner(warehouse, "own-sigterm-handler")
    runner.send_signal(signal.SIGTERM)
    output = runner.communicate(timeout=30)[0]
    _assert_gone_and_unlocked(dbt_group, warehouse, within=0)
    assert "on_kill called" in output
    assert "DbtFailed: dbt build was stopped by SIGTERM before it finished; run it again." in output


def test_kill_9_of_the_runner_takes_dbt_with_it(warehouse: Path) -> None:
    runner, dbt_group = _start_runner(warehouse, "plain")
    runner.kill()
    runner.communicate(timeout=30)
    _assert_gone_and_unlocked(dbt_group, warehouse)


def test_airflow_execution_timeout_ends_dbt(warehouse: Path) -> None:
    runner, dbt_group = _start_runner(warehouse, "airflow-timeout")
    runner.send_signal(signal.SIGALRM)  # the timeout's timer firing now, while dbt builds
    output = runner.communicate(timeout=60)[0]
    assert runner.returncode != 0 and "AirflowTaskTimeout" in output, output[-3000:]
    _assert_gone_and_unlocked(dbt_group, warehouse, within=0)


@pytest.fixture()
def bi_reader(warehouse: Path):
    """A BI tool with the warehouse open read-only (a second process: DuckDB locks per process)."""
    reader = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; "
                               f"con = duckdb.connect({str(warehouse)!r}, read_only=True); print('open', flush=True); "
                               "time.sleep(120)"], stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "open"
    yield reader.pid
    reader.kill()
    reader.wait()


def test_a_bi_tool_holding_the_warehouse_stops_dbt_before_it_starts(warehouse: Path, bi_reader: int) -> None:
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    started = time.monotonic()
    with pytest.raises(DbtFailed) as failed:
        run_dbt(settings, "build")
    assert time.monotonic() - started < 2.5, "dbt itself takes ~3 s to start: the probe must refuse first"
    message = str(failed.value)
    assert message.startswith("dbt build did not start: ") and str(bi_reader) in message
    assert "serving" in message, "says where BI tools should read instead"


def test_a_lock_taken_after_the_probe_is_reported_from_dbts_output(warehouse: Path, bi_reader: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # The holder arrives between the probe and dbt's own connect: skip the probe to reach that moment.
    monkeypatch.setattr("pipeline.dbt._check_warehouse_free", lambda settings, command: None)
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    with pytest.raises(DbtFailed) as failed:
        run_dbt(settings, "build")
    message = str(failed.value)
    assert message.startswith(f"dbt build could not open the warehouse: warehouse {warehouse} is held by PID "
                              f"{bi_reader} ")
    assert f"retry when PID {bi_reader} ends" in message and str(settings.serving_path) in message


def test_dbt_sends_no_anonymous_usage_stats(warehouse: Path, dbt_target: Path) -> None:
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    run_dbt(settings, "parse")  # with DO_NOT_TRACK=1 in its environment
    manifest = dbt_target / "manifest.json"
    assert json.loads(manifest.read_text())["metadata"]["send_anonymous_usage_stats"] is False
    # Without that variable (someone running dbt by hand), dbt_project.yml's flag still turns them off.
    manifest.unlink()
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "DBT_SEND_ANONYMOUS_USAGE_STATS")}
    # The same vars and profile as run_dbt's (the warehouse by name, from its folder), so dbt reuses the parse it
    # just saved instead of parsing the project again.
    subprocess.run([str(Path(sys.executable).with_name("dbt")), "parse", "--vars", json.dumps(settings.dbt_vars()),
                    "--project-dir", str(settings.dbt_project_dir), "--profiles-dir", str(settings.dbt_project_dir)],
                   env={**env, **settings.dbt_env(), "PIPELINE_WAREHOUSE": warehouse.name,
                        "PIPELINE_DBT_TEMP_DIR": f"{warehouse.name}.tmp"},
                   check=True, capture_output=True, cwd=warehouse.parent)
    assert json.loads(manifest.read_text())["metadata"]["send_anonymous_usage_stats"] is False


def test_a_second_dbt_on_the_same_target_waits_for_the_first(warehouse: Path, dbt_target: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    """Two dbt runs writing one target folder overwrite each other's saved parse and results: the second waits, and
    a holder killed with -9 frees it (the lock is the kernel's)."""
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    dbt_target.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time\nf = open(sys.argv[1], 'a')\n"
                               "fcntl.flock(f, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(600)",
                               str(dbt_target_lock(dbt_target))], stdout=subprocess.PIPE, text=True)
    done = threading.Event()
    # A daemon, and the holder killed whatever happens: a failed assertion must not leave the worker waiting on them.
    runner = threading.Thread(target=lambda: (run_dbt(settings, "parse"), done.set()), daemon=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with caplog.at_level(logging.INFO, logger="pipeline.dbt"):
            runner.start()
            assert not done.wait(5), "dbt ran while another dbt held its target folder"
            assert [c.pid for c in psutil.Process().children()] == [holder.pid], "dbt started while the lock was held"
            assert f"dbt parse: waiting for the dbt that is writing {dbt_target} to finish" in caplog.text
    finally:
        holder.kill()
        holder.wait()
    runner.join(120)
    assert done.is_set(), "dbt never ran after the holder was killed"
