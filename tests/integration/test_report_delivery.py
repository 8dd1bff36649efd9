"""The weekly report reaches people: email through a real SMTP server, a post to a real webhook, clear errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import httpx
import pytest

from pipeline.delivery import deliver_report
from pipeline.settings import load_settings
from tests.inboxes import smtp_inbox, webhook_inbox

SMTP_ID, HOOK_ID = "test_smtp", "test_report_hook"


@pytest.fixture
def report(tmp_path: Path) -> Path:
    md = tmp_path / "weekly_report_2026-W46.md"
    md.write_text("# Creator programme: week 2026-W46\n\n## Top 5 creators by ROI\n\n" + "- a line\n" * 600)
    md.with_suffix(".html").write_text("<html><body><h1>Creator programme: week 2026-W46</h1></body></html>")
    return md


def _settings(recipients: tuple[str, ...] = ()):
    return dataclasses.replace(load_settings(), report_recipients=recipients, smtp_conn_id=SMTP_ID,
                               report_webhook_conn_id=HOOK_ID)


def _connect(monkeypatch: pytest.MonkeyPatch, conn_id: str, conn: dict) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def test_the_report_is_emailed_and_posted(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_inbox() as (smtp, mail), webhook_inbox() as (hook, posts):
        _connect(monkeypatch, SMTP_ID, smtp)
        _connect(monkeypatch, HOOK_ID, hook)
        channels = deliver_report(report, _settings(("cmo@brand.example", "growth@brand.example")))
    assert channels == ["email", "webhook"]
    (recipients, message), = mail
    assert recipients == ["cmo@brand.example", "growth@brand.example"]
    assert message["Subject"] == "Creator programme: week 2026-W46"
    assert message["From"] == "reports@brand.example"
    parts = {p.get_content_type(): p for p in message.walk()}
    assert "<h1>Creator programme" in parts["text/html"].get_content()
    attachment, = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == report.name
    (post,) = posts
    assert post["title"] == "Creator programme: week 2026-W46"
    assert post["text"].startswith("# Creator programme") and post["text"].endswith(f"(full report: {report.name})")
    assert len(post["text"]) < 3100


def test_nothing_configured_sends_nothing(report: Path) -> None:
    assert deliver_report(report, _settings()) == []


def test_recipients_without_an_smtp_connection_fail_naming_it(report: Path) -> None:
    with pytest.raises(RuntimeError, match=f"SMTP connection '{SMTP_ID}' is not defined.*AIRFLOW_CONN_TEST_SMTP"):
        deliver_report(report, _settings(("cmo@brand.example",)))


def test_a_webhook_that_refuses_fails_the_delivery(report: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with webhook_inbox(status=500) as (hook, posts):
        _connect(monkeypatch, HOOK_ID, hook)
        with pytest.raises(httpx.HTTPStatusError):
            deliver_report(report, _settings())
    assert len(posts) == 1
