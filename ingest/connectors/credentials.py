"""Connector credentials: environment variables first, else an Airflow connection (never in code or the repo)."""

from __future__ import annotations

from dataclasses import dataclass, field

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
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(airflow_conn_id)
    except Exception as exc:  # Airflow absent or no such connection: say what to set
        raise RuntimeError(f"no credentials: set {env_url} and {env_token}, or the Airflow connection "
                           f"{airflow_conn_id!r} (host = base URL, password = token)") from exc
    return ApiCredentials(str(conn.host).rstrip("/"), str(conn.password))
