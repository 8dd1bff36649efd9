"""The environment Airflow runs in locally: embedded defaults (SQLite metadata, LocalExecutor, no examples,
parallelism 4, API server on localhost only; AIRFLOW__CORE__EXECUTOR=CeleryExecutor and its variables switch to
Celery workers, docs/scale-out.md) under a project-local AIRFLOW_HOME, the commands that prepare its
metadata DB, the dbt manifest the DAG draws its dbt tasks from, and the project's rules for the Airflow commands it
passes on. docker-compose.yml sets the same AIRFLOW__* variables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from pipeline.airflow_batch import FAIL_ABANDONED_RUNS, NO_MARKERS
from pipeline.airflow_runs import ABANDONED
from pipeline.dbt_manifest import ensure_manifest
from pipeline.settings import PROJECT_ROOT, WAREHOUSE_POOL, Settings, airflow_home

AIRFLOW_DEFAULTS = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    # The default 32 starts 32 worker processes (~1.3 GB); 4 is plenty for one DuckDB writer.
    "AIRFLOW__CORE__PARALLELISM": "4",
    # ... and a Celery worker's default 16 task processes likewise, when the executor is CeleryExecutor.
    "AIRFLOW__CELERY__WORKER_CONCURRENCY": "4",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    # Standalone's API server (and UI) listens on this machine only; set AIRFLOW__API__HOST=0.0.0.0 to expose it.
    "AIRFLOW__API__HOST": "127.0.0.1",
    # Cosmos (the dbt task group) sends no usage events.
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
}

# The SQLite metadata DB's busy timeout (Airflow reads it by this import path). Beside a running scheduler, a command
# that writes the DB (`backfill create`, `pools set`) waited sqlite3's default 5 s for the scheduler's write and then
# failed with "database is locked"; it now waits up to 30 s. Only for SQLite: Postgres takes other connect arguments.
SQLITE_CONNECT_ARGS = {"timeout": 30}
SQLITE_CONNECT_ARGS_PATH = "pipeline.airflow_env.SQLITE_CONNECT_ARGS"

# Every task that touches the warehouse runs in this pool (dags/creator_pipeline.py). Without the pool the
# scheduler never starts them ("Tasks using non-existent pool ... will not be scheduled").
SETUP_COMMANDS = (("db", "migrate"), ("pools", "set", WAREHOUSE_POOL, "1", "one writer per DuckDB file"))
# Before the DAGs run here, the runs a killed `dags test` left running are failed: they would hold back their DAG's
# next runs for good (pipeline/airflow_runs.py).
SETUP_STEPS = (*SETUP_COMMANDS, FAIL_ABANDONED_RUNS)
# Long-running Airflow commands that schedule tasks: they get the setup first and a process group of their own.
SERVICES = {"standalone", "scheduler"}
# Commands that run DAGs or tasks themselves: they get the setup first too (on a new AIRFLOW_HOME they stopped at
# "Database migration required", and tasks need the warehouse pool).
RUNS_DAGS = {("dags", "test"), ("tasks", "test"), ("dags", "trigger"), ("backfill", "create")}
# Commands that write the metadata DB, which a new AIRFLOW_HOME has not migrated yet: they get the setup too
# (`connections add pipeline_alerts ...` on a fresh clone said "Database migration required").
WRITES_METADATA = {"connections", "variables", "pools"}


def airflow_env(settings: Settings) -> dict[str, str]:
    """os.environ plus the Airflow and pipeline variables; values already set in the environment win. With a task
    per dbt model (PIPELINE_DBT_TASKS=models), makes the dbt manifest first when the dbt project changed since it
    was made (pipeline/dbt_manifest.py): every Airflow command and the demo get here before Airflow parses the DAG
    files. The default single `dbt build` task needs no manifest (a `dbt parse` saved)."""
    if settings.dbt_tasks == "models":
        ensure_manifest(settings)
    env = dict(os.environ)
    # Standalone starts its components as `airflow` from PATH: this environment's, also when it is not activated.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", os.defpath)])
    env["AIRFLOW_HOME"] = airflow_home()
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    for key, value in AIRFLOW_DEFAULTS.items():
        env.setdefault(key, value)
    if env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "sqlite").startswith("sqlite"):
        env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS", SQLITE_CONNECT_ARGS_PATH)
    # Task processes reach the API server here: the address it listens on locally, whatever "localhost" resolves to.
    env.setdefault("AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                   f"http://127.0.0.1:{env.get('AIRFLOW__API__PORT', '8080')}/execution/")
    env.setdefault("PIPELINE_DATA_DIR", str(settings.data_dir))
    env.setdefault("PIPELINE_WAREHOUSE", str(settings.warehouse_path))
    env.setdefault("PIPELINE_LANDING_DIR", str(settings.landing_dir))
    env.setdefault("PIPELINE_SERVING_DIR", str(settings.serving_dir))
    env.setdefault("PIPELINE_REPORT_DIR", str(settings.report_dir))
    env.setdefault("PIPELINE_QUALITY_DIR", str(settings.quality_dir))
    return env


def airflow_args(args: list[str]) -> list[str]:
    """An Airflow command as the project runs it. A backfill runs one DAG run at a time unless its command says
    otherwise: Airflow gives each backfill its own limit (10 by default) and ignores the DAG's max_active_runs for
    backfill runs, so without this a backfill ran several runs against the one warehouse at once."""
    if args[:2] == ["backfill", "create"] and not any(a.startswith("--max-active-runs") for a in args):
        return [*args, "--max-active-runs", "1"]
    return args


def run_airflow(args: list[str], env: dict[str, str]) -> int:
    """Run an Airflow command the project's way (``pipeline airflow ...``); returns its exit status.

    A service (standalone, scheduler), and a command that runs DAGs or tasks itself (``dags test``, ``backfill
    create``...), first gets the metadata DB migrated and the warehouse pool. A service then runs in a process group
    of its own, and SIGINT or SIGTERM sent to this process reach only its main process, as SIGINT.
    Measured: a terminal's Ctrl-C, which goes to every process of the foreground group, also hit the LocalExecutor's
    workers while the scheduler was stopping them, and standalone hung with the scheduler and workers alive; SIGTERM
    to standalone leaves its components behind (stack-notes.md). Other commands replace this process, so they keep
    the terminal (prompts, Ctrl-C) as they are.
    """
    # A background job of a non-interactive shell inherits an ignored SIGINT, and children inherit that: restore it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    argv = [sys.executable, "-m", "airflow"]
    if args and (args[0] in SERVICES | WRITES_METADATA or tuple(args[:2]) in RUNS_DAGS):
        # The setup steps in one Airflow process (pipeline/airflow_batch.py): one import of Airflow, not three.
        setup = subprocess.run([sys.executable, "-m", "pipeline.airflow_batch", json.dumps(SETUP_STEPS)],
                               env=env, capture_output=True, text=True)
        if setup.returncode:
            print(setup.stdout[-5000:], setup.stderr[-5000:], sep="\n", file=sys.stderr)
            return setup.returncode
        for line in setup.stdout.splitlines():
            if line.startswith(ABANDONED):
                print(line[len(ABANDONED):], file=sys.stderr)
    if args[:2] == ["tasks", "test"]:
        # Through the batch, which exits 1 when the task failed: Airflow's own `tasks test` exits 0 (airflow_batch.py).
        os.execve(sys.executable, [sys.executable, "-m", "pipeline.airflow_batch", NO_MARKERS, json.dumps([args])],
                  env)
    if not args or args[0] not in SERVICES:
        os.execve(sys.executable, [*argv, *airflow_args(args)], env)
    # Signals are held while the service starts, so one arriving in between is forwarded, not lost with an orphan.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        service = subprocess.Popen([*argv, *args], env=env, process_group=0,
                                   preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_UNBLOCK,
                                                                             {signal.SIGINT, signal.SIGTERM}))
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, frame: service.send_signal(signal.SIGINT))
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    return service.wait()
