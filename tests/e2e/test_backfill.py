"""A real backfill of creator_pipeline (the transform) over three days, run by a real Airflow (standalone: scheduler,
DAG processor, API server, triggerer) started with the project's `pipeline airflow standalone` on a fresh
AIRFLOW_HOME: the runs never overlap on the warehouse, all succeed, the UI listens on localhost only, and Ctrl-C
stops every process.

Airflow 3 gives each backfill its own max_active_runs (10 by default) and ignores the DAG's for backfill runs, and
a scheduler never starts tasks of a pool that does not exist; the project's tooling (pipeline/airflow_env.py) makes
a backfill run one DAG run at a time and creates the pool before a scheduler starts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

import pytest

from tests.e2e.airflow_processes import (
    airflow_test_env,
    free_port,
    listening,
    pipeline_airflow,
    query,
    serialised,
    standalone,
    stop,
    wait_for,
)

pytestmark = pytest.mark.e2e

DAG_ID = "creator_pipeline"
DAYS = 3
FINISHED = {"success", "failed"}


@dataclass(frozen=True)
class Span:
    name: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Backfilled:
    runs: list[tuple[str, str, str]]  # run_id, run_type, state
    run_spans: list[Span]  # first task start to last task end, per run
    task_spans: list[Span]  # every task instance that ran
    failed_tasks: list[tuple[str, str, str]]
    backfill_max_active_runs: int
    api_listens_on: set[str]  # addresses the API server (UI) accepted connections on
    survivors: list[str]  # processes of the Airflow session still alive after SIGINT
    stop_seconds: float


def _runs_finished(db: Path) -> bool:
    states = [state for (state,) in query(db, "select state from dag_run where dag_id = ?", DAG_ID)]
    return len(states) >= DAYS and all(state in FINISHED for state in states)


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    from ingest.runs import load_with_results
    from pipeline.generate import generate

    data_dir = tmp_path_factory.mktemp("data")
    airflow_home = tmp_path_factory.mktemp("airflow")
    generate(data_dir / "landing", scale="S", seed=42)
    # creator_pipeline is the transform: the data it backfills over is loaded first, as the ingest DAGs would.
    load_with_results(["marketing", "shopify", "social"], data_dir / "landing", data_dir / "warehouse.duckdb",
                      "test-key-not-secret")
    port = free_port()
    env = airflow_test_env(data_dir, airflow_home, port)
    db = airflow_home / "airflow.db"
    with standalone(env) as (airflow, log):
        wait_for("the DAG processor to serialise the DAG", lambda: serialised(db, DAG_ID), 180, airflow, log)
        # The three days up to today's midnight: the latest schedule slot is a backfill run, so the scheduler
        # starts no scheduled run of its own when the DAG is unpaused.
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        first = today - timedelta(days=DAYS - 1)
        pipeline_airflow(env, "backfill", "create", "--dag-id", DAG_ID, "--from-date", first.isoformat(),
                         "--to-date", today.isoformat())
        pipeline_airflow(env, "dags", "unpause", DAG_ID)
        wait_for("the API server", lambda: listening(port), 120, airflow, log)
        api_listens_on = listening(port)
        # A limit for a hang, not a time to meet: three runs one after the other, on a CI machine busy with the
        # Spark tier and another e2e file (each run takes a minute or two alone).
        wait_for("the backfill runs to finish", lambda: _runs_finished(db), 900, airflow, log)
        survivors, stop_seconds = stop(airflow)

    tasks = query(db, "select run_id, task_id, state, start_date, end_date, pool from task_instance "
                      "where dag_id = ? and start_date is not null", DAG_ID)
    # The tasks that hold the warehouse (the run's summary and its failure leaf read none, in the default pool).
    task_spans = [Span(f"{run_id} {task_id}", datetime.fromisoformat(start), datetime.fromisoformat(end))
                  for run_id, task_id, _, start, end, pool in tasks if pool == "warehouse_writer"]
    runs = query(db, "select run_id, run_type, state from dag_run where dag_id = ? order by logical_date", DAG_ID)
    run_spans = [Span(run_id, min(s.start for s in task_spans if s.name.startswith(f"{run_id} ")),
                      max(s.end for s in task_spans if s.name.startswith(f"{run_id} "))) for run_id, _, _ in runs]
    (backfill_max_active_runs,) = [n for (n,) in query(db, "select max_active_runs from backfill")]
    yield Backfilled(runs=runs, run_spans=run_spans, task_spans=task_spans,
                     backfill_max_active_runs=backfill_max_active_runs, api_listens_on=api_listens_on,
                     failed_tasks=[(r, t, s) for r, t, s, *_ in tasks if s not in ("success", "skipped")],
                     survivors=survivors, stop_seconds=stop_seconds)


def _overlaps(spans: list[Span]) -> list[tuple[str, str]]:
    return [(a.name, b.name) for a, b in combinations(spans, 2) if a.start < b.end and b.start < a.end]


def test_every_backfill_run_succeeded(backfilled: Backfilled) -> None:
    assert [(run_type, state) for _, run_type, state in backfilled.runs] == [("backfill", "success")] * DAYS, (
        backfilled.runs, backfilled.failed_tasks)
    assert backfilled.failed_tasks == []


def test_backfill_runs_never_overlapped_on_the_warehouse(backfilled: Backfilled) -> None:
    assert backfilled.backfill_max_active_runs == 1, "pipeline airflow backfill create runs one DAG run at a time"
    assert _overlaps(backfilled.run_spans) == [], "a DAG run started before the previous one had finished"
    assert _overlaps(backfilled.task_spans) == [], "two tasks used the warehouse at the same time"


def test_airflow_stops_on_sigint_and_leaves_no_process(backfilled: Backfilled) -> None:
    assert backfilled.survivors == [], f"still running {backfilled.stop_seconds:.0f} s after SIGINT"


def test_the_api_server_listens_on_this_machine_only(backfilled: Backfilled) -> None:
    assert backfilled.api_listens_on == {"127.0.0.1"}
