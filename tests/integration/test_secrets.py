"""Secrets never leave: each connector runs against a real local HTTP server that fails (5xx until it gives up,
HTTP 429 with an HTTP-date Retry-After, HTTP 401 echoing the token), with every logger captured at DEBUG (httpx and
httpcore included). The token must appear in no log record, exception message or traceback, landed or cursor
file, nor in the failure alert that a real local webhook server receives."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from ingest.connectors.credentials import ApiCredentials
from ingest.connectors.http import ConnectorError
from ingest.connectors.instagram import fetch_media, fetch_stories
from ingest.connectors.shopify import fetch_orders
from pipeline.alerts import notify_failure
from tests.inboxes import webhook_inbox
from tests.integration.test_connectors import FAST, GRAPH_TOKEN, SHOPIFY_TOKEN, FakeApi, serving_fake_api

pytestmark = pytest.mark.usefixtures("no_registered_secrets")


@pytest.fixture()
def api() -> Iterator[FakeApi]:
    with serving_fake_api() as fake:
        yield fake


def _run_shopify(fake: FakeApi, landing: Path) -> None:
    fetch_orders(ApiCredentials(fake.base, SHOPIFY_TOKEN), landing, FAST)


def _run_instagram(fake: FakeApi, landing: Path) -> None:
    fetch_media(ApiCredentials(fake.base, GRAPH_TOKEN), ["1784", "1785"], landing, FAST)


def _run_instagram_stories(fake: FakeApi, landing: Path) -> None:
    fetch_stories(ApiCredentials(fake.base, GRAPH_TOKEN), ["1784", "1785"], landing, FAST)


# connector -> (token, how to run it, the request key whose responses the failure replaces: after a good page)
CONNECTORS: dict[str, tuple[str, Callable[[FakeApi, Path], None], str]] = {
    "shopify": (SHOPIFY_TOKEN, _run_shopify, "/admin/api/2025-07/orders.json?page_info=2"),
    "instagram": (GRAPH_TOKEN, _run_instagram, "/1785/media"),  # the second account's token-carrying URL
    "instagram_stories": (GRAPH_TOKEN, _run_instagram_stories, "/1785/stories"),
}


FAILURES = ["5xx until it gives up", "429 with an HTTP-date Retry-After", "401 echoing the token"]


def _failure(kind: str, token: str) -> list[tuple[int, dict[str, str], str]]:
    echo = f'{{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password): {token}"}}'
    if kind == "5xx until it gives up":
        return [(500, {}, echo)] * 10
    if kind == "429 with an HTTP-date Retry-After":
        soon = format_datetime(datetime.now(UTC) + timedelta(seconds=1), usegmt=True)
        return [(429, {"Retry-After": soon}, echo)]
    return [(401, {"Content-Type": "application/json"}, echo)]


@pytest.mark.parametrize("connector", sorted(CONNECTORS))
@pytest.mark.parametrize("kind", FAILURES)
def test_no_token_in_logs_errors_landed_files_or_alerts_when_the_api_fails(
        api: FakeApi, connector: str, kind: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    token, run, failing_key = CONNECTORS[connector]
    api.script[failing_key] = _failure(kind, token)
    for name in ("", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    error: BaseException | None = None
    try:
        run(api, tmp_path / "landing")
    except ConnectorError as exc:
        error = exc
    assert (error is None) == (kind == "429 with an HTTP-date Retry-After"), f"{kind}: unexpected outcome {error!r}"

    with webhook_inbox() as (conn, alerts):
        if error is not None:
            monkeypatch.setenv("PIPELINE_ALERT_WEBHOOK_URL", conn["host"])
            ti = SimpleNamespace(dag_id="creator_pipeline", task_id=f"ingest_{connector}",
                                 log_url="http://localhost:8080/dags/creator_pipeline/runs/r1/tasks/ingest")
            notify_failure({"ti": ti, "run_id": "r1", "exception": error})
            [alert] = alerts
            reason = alert["reason"]
            assert ("HTTP 401" if "401" in kind else "HTTP 500") in reason
            if connector.startswith("instagram") and "401" in kind:  # the failing URL is named, token masked
                assert f"{failing_key}?" in reason and "access_token=REDACTED: HTTP 401" in reason

    assert any(r.name == "httpx" for r in caplog.records), "httpx's request log was captured (it is what leaks)"
    evidence = {
        "log records": "\n".join(repr(vars(r)) for r in caplog.records) + caplog.text,
        "the exception and its traceback": "".join(traceback.format_exception(error)) if error else "",
        "landed and cursor files": "\n".join(p.read_text() for p in (tmp_path / "landing").rglob("*") if p.is_file()),
        "the alert": repr(alerts),
    }
    for where, text in evidence.items():
        assert token not in text, f"the {connector} token leaked into {where}"
    assert "REDACTED" in evidence["log records"] or connector == "shopify"  # Graph's URLs carry it: shown masked
