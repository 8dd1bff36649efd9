"""The note a DAG run carries (its totals, in the UI's run view). Tasks cannot write the metadata DB in Airflow 3,
so the note goes through the public REST API, with the credentials of the Airflow connection ``airflow_api``
(host = the API server's URL, login and password of a user allowed to edit DAG runs)."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger(__name__)

API_CONN_ID = "airflow_api"
NOTE_MAX_CHARS = 1000  # the metadata DB's column (dag_run_note.content)


def set_note(dag_id: str, run_id: str, note: str) -> bool:
    """Set the run's note; False (logged, the note stays in the task's XCom and log) when no API is configured or
    it refuses: a note must never fail the run it describes."""
    try:
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(API_CONN_ID)
    except Exception:  # no such connection
        log.info("DAG run note not set (no Airflow connection %r: host = API URL, login, password); it is this "
                 "task's XCom", API_CONN_ID)
        return False
    base = str(conn.host).rstrip("/")
    if len(note) > NOTE_MAX_CHARS:
        note = note[:NOTE_MAX_CHARS - 40] + "\n… (cut; summarise_run's XCom has it all)"
    try:
        token = httpx.post(f"{base}/auth/token", json={"username": conn.login, "password": conn.password},
                           timeout=10)
        token.raise_for_status()
        httpx.patch(f"{base}/api/v2/dags/{dag_id}/dagRuns/{run_id}", params={"update_mask": "note"},
                    json={"note": note}, headers={"Authorization": f"Bearer {token.json()['access_token']}"},
                    timeout=10).raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as exc:
        log.warning("DAG run note not set: the API at connection %r refused (%s)", API_CONN_ID, exc)
        return False
    return True
