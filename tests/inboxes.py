"""Real local servers that receive what the pipeline sends: an SMTP server (aiosmtpd) and a webhook (http.server).
Tests point Airflow connections at them and read what arrived."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collect:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"


@contextmanager
def smtp_inbox() -> Iterator[tuple[dict, list[tuple[list[str], EmailMessage]]]]:
    """Yields the Airflow connection (JSON form) of a running SMTP server, and the list its mail lands in."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    conn = {"conn_type": "smtp", "host": "127.0.0.1", "port": controller.port,
            "extra": {"from_email": "reports@brand.example", "disable_ssl": True, "disable_tls": True}}
    try:
        yield conn, handler.messages
    finally:
        controller.stop()


@contextmanager
def webhook_inbox(status: int = 200) -> Iterator[tuple[dict, list[dict]]]:
    """Yields the Airflow connection (JSON form) of a running webhook, and the list of JSON bodies posted to it."""
    posts: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            posts.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"conn_type": "http", "host": f"http://127.0.0.1:{server.server_port}/hooks/report"}, posts
    finally:
        server.shutdown()
        server.server_close()
