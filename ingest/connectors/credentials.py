"""Connector credentials: environment variables first, else an Airflow connection (never in code or the repo)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ingest.connectors.redaction import register
from pipeline.settings import api_credentials


@dataclass(frozen=True)
class ApiCredentials:
    base_url: str
    token: str = field(repr=False)

    def __post_init__(self) -> None:
        register(self.token)  # from here on no log record, connector error or alert of this process shows it


def resolve(env_url: str, env_token: str, airflow_conn_id: str) -> ApiCredentials:
    url, token = api_credentials(env_url, env_token)
    if url and token:
        return ApiCredentials(url.rstrip("/"), token)
    try:
        conn = _airflow_connection(airflow_conn_id)
    except Exception as exc:  # Airflow absent or no such connection: say what to set
        raise RuntimeError(f"no credentials: set {env_url} and {env_token}, or the Airflow connection "
                           f"{airflow_conn_id!r} (host = base URL, password = token)") from exc
    return ApiCredentials(str(conn.host).rstrip("/"), str(conn.password))


def _airflow_connection(conn_id: str) -> Any:
    """The connection as a task sees it (Airflow's task SDK asks the API server); outside a task (`ingest fetch`)
    the SDK reads only AIRFLOW_CONN_* variables and secrets backends, never the metadata DB where `pipeline airflow
    connections add` keeps it, so the fallback is Airflow's own lookup, which reads that DB too."""
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except Exception:
        from airflow.models.connection import Connection

        return Connection.get_connection_from_secrets(conn_id)
