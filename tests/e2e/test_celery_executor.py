"""Airflow on Celery workers, as docker-compose runs it, for real outside Docker: a throw-away PostgreSQL cluster
(metadata DB and Celery result backend) and redis-server (the broker), started and stopped here from Debian's
packages; then `airflow db migrate` and the warehouse pool, a scheduler, a DAG processor, an API server and
`airflow celery worker`, each started with the project's `pipeline airflow …` and the executor switched to
CeleryExecutor by the environment alone (docs/scale-out.md).

The pipeline's transform (creator_pipeline) runs twice on the scale-S sample, loaded first as the ingest DAGs would:
- the first run goes through the worker: every task instance carries the Celery task id it ran as, the result
  backend holds that id's SUCCESS, and the worker's log names it with the task; the marts are published;
- in the second run the worker host dies (kill -9 of the worker and everything under it, dbt included) while
  dbt_build runs: the scheduler finds the task without a heartbeat and sets it up for retry, the published marts
  stay the first run's while no worker is there, and a new worker runs the retry to success and publishes.
Then every Airflow process stops on SIGINT, and redis and Postgres on their own stop commands, leaving no process.

Needs redis-server and postgresql (apt-get install redis-server postgresql; .ci/run installs them)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from pipeline.airflow_env import SETUP_COMMANDS
from tests.e2e.airflow_processes import (
    airflow_test_env,
    free_port,
    kill_session,
    pipeline_airflow,
    session_processes,
    stop,
)
from tests.e2e.test_pipeline import _fingerprint

pytestmark = pytest.mark.e2e

DAG_ID = "creator_pipeline"
FINISHED = {"success", "failed"}
# The services docker-compose runs, each as `pipeline airflow <command>`; the triggerer is left out (no deferrable
# task in the transform).
SERVICES = {"scheduler": ("scheduler",), "dag-processor": ("dag-processor",), "api-server": ("api-server",),
            "worker": ("celery", "worker")}
# A task whose worker died is failed (then retried) this long after its last heartbeat; Airflow's default is 300 s.
HEARTBEAT_TIMEOUT = 45


def _postgres_bin() -> Path | None:
    """Debian keeps the server's programs (initdb, pg_ctl) off PATH, in /usr/lib/postgresql/<version>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")) or [shutil.which("pg_ctl")]
    return Path(found[-1]).parent if found[-1] else None


def _missing_tools() -> list[str]:
    return [name for name, found in (("redis-server", shutil.which("redis-server")),
                                     ("postgresql", _postgres_bin())) if not found]


@contextmanager
def postgres() -> Iterator[tuple[str, int]]:
    """A cluster of its own on a free port: yields its SQLAlchemy URL and the postmaster's PID; stopped on exit.
    The server refuses to run as root, so as root the cluster belongs to Debian's `postgres` user (in a folder of
    its own outside pytest's root-only temp folder)."""
    bin_dir = _postgres_bin()
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="celery-test-pg-"))
    if as_owner:
        shutil.chown(root, "postgres")
    port, data = free_port(), root / "data"

    def run(*argv: str) -> None:
        subprocess.run([*as_owner, *argv], check=True, capture_output=True, text=True, timeout=120)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "airflow", "--auth=trust", "-E", "UTF8")
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "postgres.log"), "-w", "start",
            "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1")
        try:
            run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "airflow", "airflow")
            yield (f"postgresql+psycopg2://airflow@127.0.0.1:{port}/airflow",
                   int((data / "postmaster.pid").read_text().split()[0]))
        finally:
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def redis_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """redis-server on a free loopback port, nothing persisted; yields its URL and process; SIGTERM on exit."""
    import redis

    port = free_port()
    with (folder / "redis.log").open("w") as log:
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(folder)], stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None and time.monotonic() < deadline, (folder / "redis.log").read_text()
                time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(30)


def pg_query(url: str, sql: str, *params: object) -> list[tuple]:
    import psycopg2

    con = psycopg2.connect(url.replace("postgresql+psycopg2", "postgresql"))
    try:
        with con.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        con.close()


class Cluster:
    """The Airflow processes, each `pipeline airflow <command>` in a session of its own logging to
    AIRFLOW_HOME/<name>.log; whatever is left of them is killed on exit (a test that failed before stopping them)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.home = Path(env["AIRFLOW_HOME"])
        self.procs: dict[str, subprocess.Popen] = {}
        self.sessions: list[int] = []

    def start(self, name: str, *args: str) -> subprocess.Popen:
        with (self.home / f"{name}.log").open("a") as out:
            proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "airflow", *args], env=self.env,
                                    stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        self.sessions.append(proc.pid)
        return proc

    def log(self, name: str) -> str:
        return (self.home / f"{name}.log").read_text(errors="replace")

    def wait_for(self, what: str, check: Callable[[], object], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            for name, proc in self.procs.items():
                assert proc.poll() is None, f"{name} exited while waiting for {what}:\n{self.log(name)[-4000:]}"
            assert time.monotonic() < deadline, (f"timed out waiting for {what}; scheduler log:\n"
                                                 f"{self.log('scheduler')[-3000:]}\nworker log:\n"
                                                 f"{self.log('worker')[-3000:]}")
            time.sleep(2)

    def commands(self, name: str) -> list[str]:
        """The command lines of the process and everything under it (those still there when asked)."""
        root = psutil.Process(self.procs[name].pid)
        commands = []
        for proc in [root, *root.children(recursive=True)]:
            try:
                commands.append(" ".join(proc.cmdline()))
            except psutil.NoSuchProcess:  # ended between the listing and this look
                continue
        return commands

    def kill_host(self, name: str) -> list[str]:
        """kill -9 of the process and everything under it (dbt runs in a session of its own, still under it), as
        when its machine dies; returns the command lines killed."""
        killed = self.commands(name)
        root = psutil.Process(self.procs.pop(name).pid)
        tree = [root, *root.children(recursive=True)]
        for proc in tree:
            proc.kill()
        psutil.wait_procs(tree, timeout=30)
        return killed

    def stop_all(self) -> tuple[dict[str, list[str]], float]:
        """SIGINT to each service's process group, as Ctrl-C; what is still alive of each afterwards, and the
        seconds it all took."""
        started = time.monotonic()
        return {name: stop(proc)[0] for name, proc in self.procs.items()}, time.monotonic() - started

    def kill_leftovers(self) -> None:
        for sid in self.sessions:
            if session_processes(sid):
                kill_session(sid)


@dataclass(frozen=True)
class CeleryRuns:
    runs: dict[str, str]  # run id -> state
    tasks: list[tuple[str, str, str, int, str | None, str]]  # run, task, state, try, Celery task id, queue
    failed_tries: list[tuple[str, str, int, str]]  # run, task, try, state of earlier tries (task_instance_history)
    celery_results: dict[str, str]  # Celery task id -> status, from the result backend
    worker_logs: str  # both workers'
    scheduler_log: str
    published: list[tuple[str, dict]]  # (version the serving file points to, fingerprint) after run 1, outage, run 2
    killed: list[str]  # command lines of the worker's processes killed mid-build
    survivors: dict[str, list[str]]
    left_running: list[str]  # redis and Postgres processes alive after their stop
    seconds: dict[str, float]  # start-up, run and stop times, also in AIRFLOW_HOME/timings.json


def _run_state(url: str, run_id: str) -> str | None:
    states = pg_query(url, "select state from dag_run where dag_id = %s and run_id = %s", DAG_ID, run_id)
    return states[0][0] if states else None


def _task_state(url: str, run_id: str, task_id: str) -> str | None:
    states = pg_query(url, "select state from task_instance where dag_id = %s and run_id = %s and task_id = %s",
                      DAG_ID, run_id, task_id)
    return states[0][0] if states else None


def _is_dbt_build(command: str) -> bool:
    return "bin/dbt build" in command


def _published(serving: Path) -> tuple[str, dict]:
    current = serving / "current"
    return os.path.realpath(current), _fingerprint(current / "marts.duckdb")


@pytest.fixture(scope="module")
def celery_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryRuns]:
    if missing := _missing_tools():
        pytest.skip(f"{', '.join(missing)} not installed: apt-get install redis-server postgresql (.ci/run does)")
    from ingest.runs import load_with_results
    from pipeline.generate import generate

    data_dir = tmp_path_factory.mktemp("data")
    airflow_home = tmp_path_factory.mktemp("airflow")
    generate(data_dir / "landing", scale="S", seed=42)
    load_with_results(["marketing", "shopify", "social"], data_dir / "landing", data_dir / "warehouse.duckdb",
                      "test-key-not-secret")
    timings: dict[str, float] = {}
    with ExitStack() as stack:
        started = time.monotonic()
        metadata, postmaster = stack.enter_context(postgres())
        broker, redis_proc = stack.enter_context(redis_server(airflow_home))
        timings["postgres and redis"] = time.monotonic() - started
        env = airflow_test_env(
            data_dir, airflow_home, free_port(),
            AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=metadata,
            AIRFLOW__CELERY__BROKER_URL=broker,
            AIRFLOW__CELERY__RESULT_BACKEND="db+" + metadata,  # as compose: the same database
            # Shared by every service, as in compose: tokens signed by one are accepted by the others.
            AIRFLOW__API_AUTH__JWT_SECRET="celery-test-jwt-secret", AIRFLOW__API__SECRET_KEY="celery-test-secret",
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL="5",
            PIPELINE_TRANSFORM_CRON="none")  # no scheduled run on unpause: only the two triggered here
        cluster = Cluster(env)
        stack.callback(cluster.kill_leftovers)
        started = time.monotonic()
        for command in SETUP_COMMANDS:  # what airflow-init does in compose
            pipeline_airflow(env, *command)
        timings["db migrate and pool"] = time.monotonic() - started
        started = time.monotonic()
        for name, args in SERVICES.items():
            cluster.start(name, *args)
        cluster.wait_for("the DAG processor to serialise the DAG",
                         lambda: pg_query(metadata, "select 1 from serialized_dag where dag_id = %s", DAG_ID), 300)
        cluster.wait_for("the worker to be ready", lambda: " ready." in cluster.log("worker"), 300)
        timings["scheduler, dag-processor, api-server, worker"] = time.monotonic() - started

        pipeline_airflow(env, "dags", "unpause", DAG_ID)
        started = time.monotonic()
        pipeline_airflow(env, "dags", "trigger", DAG_ID, "--run-id", "celery-1")
        cluster.wait_for("the first run to finish", lambda: _run_state(metadata, "celery-1") in FINISHED, 900)
        timings["run 1 (trigger to finish)"] = time.monotonic() - started
        assert _run_state(metadata, "celery-1") == "success", pg_query(
            metadata, "select task_id, state from task_instance where run_id = 'celery-1'")
        published = [_published(data_dir / "serving")]

        pipeline_airflow(env, "dags", "trigger", DAG_ID, "--run-id", "celery-2")
        cluster.wait_for("dbt_build to run", lambda: _task_state(metadata, "celery-2", "dbt_build") == "running", 600)
        cluster.wait_for("dbt to build under the worker",
                         lambda: any(_is_dbt_build(cmd) for cmd in cluster.commands("worker")), 120)
        time.sleep(5)  # into the build: dbt writing the warehouse
        killed = cluster.kill_host("worker")
        cluster.wait_for("the scheduler to find dbt_build without a heartbeat",
                         lambda: _task_state(metadata, "celery-2", "dbt_build") == "up_for_retry",
                         HEARTBEAT_TIMEOUT + 120)
        published.append(_published(data_dir / "serving"))  # no worker anywhere: what BI reads now
        killed_worker_log = cluster.log("worker")
        (airflow_home / "worker.log").rename(airflow_home / "worker-killed.log")
        cluster.start("worker", *SERVICES["worker"])
        # The retry waits out the DAG's retry_delay (2 min), then runs the whole build again on the new worker.
        cluster.wait_for("the second run to finish", lambda: _run_state(metadata, "celery-2") in FINISHED, 900)
        published.append(_published(data_dir / "serving"))

        runs = dict(pg_query(metadata, "select run_id, state from dag_run where dag_id = %s", DAG_ID))
        tasks = pg_query(metadata, "select run_id, task_id, state, try_number, external_executor_id, queue "
                                   "from task_instance where dag_id = %s order by run_id, task_id", DAG_ID)
        failed_tries = pg_query(metadata, "select run_id, task_id, try_number, state from task_instance_history "
                                          "where dag_id = %s order by run_id, task_id, try_number", DAG_ID)
        celery_results = dict(pg_query(metadata, "select task_id, status from celery_taskmeta"))
        worker_logs = killed_worker_log + cluster.log("worker")
        survivors, timings["stop every Airflow process"] = cluster.stop_all()
        scheduler_log = cluster.log("scheduler")
        postgres_tree = [postmaster, *(p.pid for p in psutil.Process(postmaster).children(recursive=True))]
        redis_pid = redis_proc.pid
    # The ExitStack stopped redis (SIGTERM) and Postgres (pg_ctl stop -m fast) on its way out.
    left_running = [f"{pid} {' '.join(psutil.Process(pid).cmdline())[:100]}"
                    for pid in [redis_pid, *postgres_tree] if psutil.pid_exists(pid)
                    and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    (airflow_home / "timings.json").write_text(json.dumps(timings, indent=2))
    yield CeleryRuns(runs=runs, tasks=tasks, failed_tries=failed_tries, celery_results=celery_results,
                     worker_logs=worker_logs, scheduler_log=scheduler_log, published=published, killed=killed,
                     survivors=survivors, left_running=left_running, seconds=timings)


def test_the_pipeline_ran_on_the_celery_worker_and_published(celery_runs: CeleryRuns) -> None:
    assert celery_runs.runs == {"celery-1": "success", "celery-2": "success"}
    ran = [t for t in celery_runs.tasks if t[0] == "celery-1" and t[2] == "success"]
    assert {t[1] for t in ran} >= {"raw_gate", "dbt_build", "mart_gate", "publish", "summarise_run"}
    for run_id, task_id, _, _, celery_id, queue in ran:
        # The CeleryExecutor's id of the message the worker took, its result in the backend, and the worker's line.
        assert celery_id and celery_runs.celery_results.get(celery_id) == "SUCCESS", (task_id, celery_id)
        assert queue == "default", task_id
        line = next((li for li in celery_runs.worker_logs.splitlines() if f"[{celery_id}] Executing workload" in li),
                    "")
        assert f"task_id='{task_id}'" in line and f"run_id='{run_id}'" in line, (task_id, line[:300])
    version, marts = celery_runs.published[0]
    assert Path(version).name != "current" and marts["creator_roi"][0] > 0 and marts["creator_vetting"][0] > 0


def test_a_worker_killed_mid_build_is_retried_on_a_new_worker_and_nothing_half_built_is_published(
        celery_runs: CeleryRuns) -> None:
    assert any(_is_dbt_build(cmd) for cmd in celery_runs.killed), celery_runs.killed
    tries = {t[1]: (t[2], t[3]) for t in celery_runs.tasks if t[0] == "celery-2"}
    assert tries["dbt_build"] == ("success", 2), tries
    assert ("celery-2", "dbt_build", 1, "failed") in celery_runs.failed_tries, celery_runs.failed_tries
    # The scheduler said which task lost its worker, and the Celery task id to look for in the worker's log.
    lost = [line for line in celery_runs.scheduler_log.splitlines()
            if "Detected a task instance without a heartbeat" in line and "'Task Id': 'dbt_build'" in line]
    assert lost and "'Run Id': 'celery-2'" in lost[0] and "'External Executor Id': '" in lost[0], lost
    (first, first_marts), (outage, outage_marts), (second, second_marts) = celery_runs.published
    # While no worker was there BI kept reading the first run's whole version; the retry published a new one
    # with the same marts (the same data, built again from scratch).
    assert (outage, outage_marts) == (first, first_marts)
    assert second != first and second_marts == first_marts


def test_every_process_stopped(celery_runs: CeleryRuns) -> None:
    assert celery_runs.survivors == {name: [] for name in SERVICES}
    assert celery_runs.left_running == []
