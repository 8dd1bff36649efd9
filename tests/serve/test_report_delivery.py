"""The report reaches people: an email with the charts inline and the PDF attached at a real SMTP server (aiosmtpd),
the ISO week in its subject; the summary posted to a real webhook; a missing SMTP connection fails naming it."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from pipeline.settings import load_settings
from serve.report import ReportFiles, build_report
from serve.report.delivery import deliver_report
from tests.inboxes import smtp_inbox, webhook_inbox
from tests.serve.conftest import Published

SMTP_ID, HOOK_ID = "test_report_smtp", "test_report_webhook"


@pytest.fixture(scope="module")
def report(published: Published, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(published.serving_dir / "current" / "marts.duckdb", tmp_path_factory.mktemp("reports"),
                        as_of=datetime(2026, 11, 16, 7, tzinfo=UTC), timezone="Europe/London")


def _settings(recipients: tuple[str, ...] = ()):
    return dataclasses.replace(load_settings(), report_recipients=recipients, smtp_conn_id=SMTP_ID,
                               report_webhook_conn_id=HOOK_ID)


def test_the_email_carries_the_week_the_charts_and_the_pdf(report: ReportFiles,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with smtp_inbox() as (smtp, mail), webhook_inbox() as (hook, posts):
        monkeypatch.setenv(f"AIRFLOW_CONN_{SMTP_ID.upper()}", json.dumps(smtp))
        monkeypatch.setenv(f"AIRFLOW_CONN_{HOOK_ID.upper()}", json.dumps(hook))
        assert deliver_report(report, _settings(("cmo@brand.example",))) == ["email", "webhook"]
    (recipients, message), = mail
    assert recipients == ["cmo@brand.example"]
    assert message["Subject"] == "Creator programme: week 2026-W46 (9-15 Nov 2026)"
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    assert "Needs attention (worst first)" in html
    files = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert files[report.pdf.name].get_payload(decode=True) == report.pdf.read_bytes()
    assert files[report.pdf.name].get_payload(decode=True).startswith(b"%PDF")
    for chart in report.charts:
        assert f'src="cid:{chart.name}"' in html
        assert files[chart.name]["Content-ID"] == f"<{chart.name}>"
        assert files[chart.name].get_payload(decode=True) == chart.read_bytes()
    (post,) = posts
    assert post["title"] == message["Subject"] and post["report_file"] == str(report.pdf)
    assert "Needs attention" in post["text"] and len(post["text"]) < 3100


def test_recipients_without_an_smtp_connection_fail_naming_it(report: ReportFiles) -> None:
    with pytest.raises(RuntimeError, match=f"SMTP connection '{SMTP_ID}' is not defined.*AIRFLOW_CONN_"):
        deliver_report(report, _settings(("cmo@brand.example",)))


def test_nothing_configured_sends_nothing(report: ReportFiles) -> None:
    assert deliver_report(report, _settings()) == []
