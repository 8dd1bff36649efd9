"""A real Airflow standalone for the end-to-end tests: its environment, start, waits, queries of its metadata DB,
and a stop as Ctrl-C gives it. Shared by the backfill and asset-scheduling tests."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

# Pipeline locations a developer's shell may set: the test's data folder must decide them all.
_OWN_LOCATIONS = ("PIPELINE_WAREHOUSE", "PIPELINE_LANDING_DIR", "PIPELINE_SERVING_DIR", "PIPELINE_REPORT_DIR",
                  "PIPELINE_QUALITY_DIR", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "AIRFLOW__API__HOST",
                  "DBT_TARGET_PATH")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_server_ports() -> dict[str, str]:
    """Free ports for the log servers a scheduler or Celery worker (8793) and a triggerer (8794) start: another
    test's Airflow may run beside this one (`pytest -n 2 -m e2e`), and only one process can listen on a port."""
    return {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port())}


def airflow_test_env(data_dir: Path, airflow_home: Path, port: int, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _OWN_LOCATIONS}
    return env | {"PIPELINE_DATA_DIR": str(data_dir), "AIRFLOW_HOME": str(airflow_home),
                  "PIPELINE_PII_KEY": "test-key-not-secret", "AIRFLOW__API__PORT": str(port),
                  "DBT_TARGET_PATH": str(data_dir / "dbt-target")} | log_server_ports() | extra


@contextmanager
def standalone(env: dict[str, str]) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`pipeline airflow standalone` in a session of its own, logging to AIRFLOW_HOME/standalone.log. On the way
    out, whatever is left of the session (a test that failed before stopping it) is killed."""
    log = Path(env["AIRFLOW_HOME"]) / "standalone.log"
    with log.open("w") as out:
        airflow = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "airflow", "standalone"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield airflow, log
    finally:
        if airflow.poll() is None or session_processes(airflow.pid):
            kill_session(airflow.pid)
            airflow.wait(10)


def pipeline_airflow(env: dict[str, str], *args: str) -> None:
    for _ in range(3):
        result = subprocess.run([sys.executable, "-m", "pipeline.cli", "airflow", *args], env=env, capture_output=True,
                                text=True, timeout=180)
        # The standalone's SQLite metadata DB takes one writer at a time: a busy scheduler can lock out this
        # command's first insert (nothing is written then), so it is tried again.
        if result.returncode == 0 or "database is locked" not in result.stdout + result.stderr:
            break
        time.sleep(5)
    assert result.returncode == 0, f"airflow {' '.join(args)}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"


def query(db: Path, sql: str, *params: object) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def serialised(db: Path, *dag_ids: str) -> bool:
    """The DAG processor has written every one of these DAGs to the metadata DB."""
    try:
        marks = ", ".join("?" * len(dag_ids))
        [(found,)] = query(db, f"select count(*) from serialized_dag where dag_id in ({marks})", *dag_ids)
        return found == len(dag_ids)
    except sqlite3.OperationalError:  # standalone is still creating the metadata DB
        return False


def wait_for(what: str, check: Callable[[], object], timeout: float, airflow: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert airflow.poll() is None, f"Airflow exited while waiting for {what}:\n{log.read_text()[-4000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}; Airflow log:\n{log.read_text()[-4000:]}"
        time.sleep(2)


def listening(port: int) -> set[str]:
    return {c.laddr.ip for c in psutil.net_connections("inet") if c.status == "LISTEN" and c.laddr.port == port}


def session_processes(sid: int) -> list[str]:
    alive = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if os.getsid(proc.pid) == sid and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])[:120]}")
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return alive


def stop(proc: subprocess.Popen) -> tuple[list[str], float]:
    """SIGINT to the command's process group, as Ctrl-C in a terminal; returns what is still alive after 60 s."""
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 30
    while (alive := session_processes(proc.pid)) and time.monotonic() < deadline:
        time.sleep(1)
    return alive, time.monotonic() - started


def kill_session(sid: int) -> None:
    """Test clean-up only: whatever of the Airflow session a failed test left behind."""
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getsid(proc.pid) == sid:
                proc.kill()
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
