"""Where a webhook connection (failure alerts, the weekly report) keeps its URL."""

from __future__ import annotations


def webhook_url(conn: object) -> str | None:
    """A webhook connection's URL: its password when set, else its host. Airflow encrypts a connection's password
    (and extra) in the metadata DB, not its host, and a webhook URL carries its secret (Slack's does)."""
    return getattr(conn, "password", None) or getattr(conn, "host", None) or None
