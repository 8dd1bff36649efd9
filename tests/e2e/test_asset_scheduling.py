"""A real scheduler runs the pipeline on its own through Assets: Airflow standalone (scheduler, DAG processor, API
server, triggerer) started with `pipeline airflow standalone`, a warehouse whose landing files are all loaded, then
one new file dropped into the landing folder. Nobody triggers anything: the ingest_files sensor sees the file, its
family's task loads it and emits raw_social (the families with nothing new are skipped and emit nothing),
creator_pipeline runs on that asset event, publishes and emits serving_marts, and the run carries a note with its
totals. SIGINT to the process group then stops every process."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.airflow_processes import (
    airflow_test_env,
    free_port,
    pipeline_airflow,
    query,
    serialised,
    standalone,
    stop,
    wait_for,
)

pytestmark = pytest.mark.e2e

PASSWORD = "asset-test-password"
FINISHED = {"success", "failed"}


@dataclass(frozen=True)
class Scheduled:
    ingest_tasks: dict[str, str]  # task id -> state, in the ingest_files run that loaded the new file
    transform_runs: list[tuple[str, str]]  # run_type, state
    transform_tasks: dict[str, str]
    events: list[tuple[str, str, str, dict]]  # asset name, source DAG, source task, extra
    note: str
    summary_xcom: str
    survivors: list[str]


def _sensor_waiting(db: Path) -> bool:
    """The sensor has looked at least once and found nothing new."""
    return bool(query(db, "select 1 from task_instance where dag_id = 'ingest_files' and task_id = 'new_files' and "
                           "state = 'up_for_reschedule'"))


def _transform_finished(db: Path) -> bool:
    states = query(db, "select state from dag_run where dag_id = 'creator_pipeline'")
    return bool(states) and all(s in FINISHED for (s,) in states)


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scheduled]:
    from ingest.runs import load_with_results
    from pipeline.generate import generate

    data_dir = tmp_path_factory.mktemp("data")
    airflow_home = tmp_path_factory.mktemp("airflow")
    landing = data_dir / "landing"
    generate(landing, scale="S", seed=42)
    load_with_results(["marketing", "shopify", "social"], landing, data_dir / "warehouse.duckdb", "test-key-not-secret")
    # A known admin password, so the run's summary can set its note through the API (pipeline/run_notes.py).
    (airflow_home / "simple_auth_manager_passwords.json.generated").write_text(json.dumps({"admin": PASSWORD}))
    port = free_port()
    env = airflow_test_env(
        data_dir, airflow_home, port,
        # No daily run: unpausing would start today's at once (catchup=False still runs the latest slot), and
        # this test is about the asset triggers alone.
        PIPELINE_TRANSFORM_CRON="none",
        AIRFLOW_CONN_AIRFLOW_API=json.dumps({"conn_type": "http", "host": f"http://127.0.0.1:{port}",
                                             "login": "admin", "password": PASSWORD}))
    db = airflow_home / "airflow.db"
    with standalone(env) as (airflow, log):
        wait_for("the DAG processor to serialise the DAGs",
                 lambda: serialised(db, "ingest_files", "creator_pipeline"), 180, airflow, log)
        for dag_id in ("ingest_files", "creator_pipeline"):
            pipeline_airflow(env, "dags", "unpause", dag_id)
        wait_for("the file sensor to find nothing new", lambda: _sensor_waiting(db), 180, airflow, log)
        assert query(db, "select count(*) from dag_run where dag_id = 'creator_pipeline'") == [(0,)]
        # A late follower-snapshot delivery: a part of a sample file under a new name (so a new checksum).
        source = next((landing / "followers").glob("*.csv"))
        lines = source.read_text().splitlines(keepends=True)
        (landing / "followers" / "followers-late.csv").write_text("".join(lines[:1] + lines[-50:]))
        wait_for("the transform to run and finish", lambda: _transform_finished(db), 600, airflow, log)
        survivors, _ = stop(airflow)

    ingest_run = query(db, "select run_id from task_instance where dag_id = 'ingest_files' and "
                            "task_id = 'ingest_social' and state = 'success'")[0][0]
    events = query(db, "select a.name, e.source_dag_id, e.source_task_id, e.extra from asset_event e "
                        "join asset a on a.id = e.asset_id order by e.timestamp")
    notes = query(db, "select n.content from dag_run_note n join dag_run r on r.id = n.dag_run_id "
                       "where r.dag_id = 'creator_pipeline'")
    xcom = query(db, "select value from xcom where dag_id = 'creator_pipeline' and task_id = 'summarise_run'")
    yield Scheduled(
        ingest_tasks=dict(query(db, "select task_id, state from task_instance where dag_id = 'ingest_files' and "
                                     "run_id = ?", ingest_run)),
        transform_runs=query(db, "select run_type, state from dag_run where dag_id = 'creator_pipeline'"),
        transform_tasks=dict(query(db, "select task_id, state from task_instance where dag_id = 'creator_pipeline'")),
        events=[(name, dag, task, json.loads(extra or "{}")) for name, dag, task, extra in events],
        note=notes[0][0] if notes else "", summary_xcom=json.loads(xcom[0][0]) if xcom else "",
        survivors=survivors)


def test_the_new_file_was_loaded_by_its_family_alone(scheduled: Scheduled) -> None:
    assert scheduled.ingest_tasks == {"new_files": "success", "ingest_marketing": "skipped",
                                      "ingest_shopify": "skipped", "ingest_social": "success"}


def test_the_ingest_emitted_raw_social_and_the_transform_ran_on_it_and_published(scheduled: Scheduled) -> None:
    assert scheduled.transform_runs == [("asset_triggered", "success")], scheduled.transform_tasks
    # Every task succeeded; the failure leaf (run_failed, one_failed) had nothing to report and was skipped.
    tasks = dict(scheduled.transform_tasks)
    assert tasks.pop("run_failed") == "skipped"
    assert set(tasks.values()) == {"success"}, tasks
    [raw, serving] = scheduled.events
    assert raw[:3] == ("raw_social", "ingest_files", "ingest_social")
    assert raw[3]["tables"] == ["raw.follower_snapshots"] and len(raw[3]["load_ids"]) == 1
    assert serving[:3] == ("serving_marts", "creator_pipeline", "publish")


def test_the_transform_run_carries_a_note_with_its_totals(scheduled: Scheduled) -> None:
    assert scheduled.note == scheduled.summary_xcom
    for line in ("**raw_gate**: passed (0 batch(es) rejected)", "**mart_gate**: passed", "**publish**: version ",
                 "**source_freshness**: 3 source tables checked, 0 warn, 0 error", " models built (0 failed); tests "):
        assert line in scheduled.note, line


def test_airflow_stops_on_sigint_and_leaves_no_process(scheduled: Scheduled) -> None:
    assert scheduled.survivors == []
