"""Where a webhook connection (failure alerts, the weekly report) keeps its URL."""

from __future__ import annotations


def webhook_url(conn: object) -> str | None:
    """A webhook connection's URL: its password when that is an http(s) URL, else its host. Airflow encrypts a
    connection's password (and extra) in the metadata DB, not its host, and a webhook URL carries its secret (Slack's
    does). A password of another kind (basic auth on an HTTP connection) leaves the host as the URL, as before."""
    password = getattr(conn, "password", None) or ""
    if password.startswith(("https://", "http://")):
        return password
    return getattr(conn, "host", None) or None
