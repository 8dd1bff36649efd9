"""Delivering the weekly report: an HTML email with the charts inline and the PDF attached, through an Airflow SMTP
connection, and a JSON post of the summary to a webhook (Slack-compatible ``text``). Both are optional and
configured, never coded:

- email: ``PIPELINE_REPORT_RECIPIENTS`` (comma-separated) through the connection ``PIPELINE_SMTP_CONN_ID``
  (default ``smtp_default``; host, port, login, password, extras ``from_email``, ``disable_ssl``, ``disable_tls``
  as the Airflow SMTP provider reads them);
- webhook: the connection ``PIPELINE_REPORT_WEBHOOK_CONN_ID`` (default ``pipeline_report_webhook``), host = URL.

Connections come from the Airflow UI/metadata database or ``AIRFLOW_CONN_<ID>`` env vars (JSON form), so the same
settings work in a task and from the command line. Recipients set without an SMTP connection is an error: the
task fails and alerts instead of silently not sending. The subject carries the ISO week (and "[STALE DATA]" when
the report is marked stale).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx

from ingest.connectors.redaction import register
from pipeline.settings import Settings
from pipeline.webhooks import webhook_url
from serve.report.build import ReportFiles

if TYPE_CHECKING:
    from airflow.sdk import Connection

log = logging.getLogger(__name__)

# Slack truncates message text at 40,000 characters; a summary well under that keeps any webhook happy.
WEBHOOK_TEXT_LIMIT = 3000


def _connection(conn_id: str) -> Connection | None:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.sdk import BaseHook

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def email_report(report: ReportFiles, settings: Settings) -> bool:
    """Email the HTML report (charts referenced by Content-ID, PDF attached). False if no recipients are set."""
    if not settings.report_recipients:
        log.info("no report recipients (PIPELINE_REPORT_RECIPIENTS is empty): the report is not emailed")
        return False
    if _connection(settings.smtp_conn_id) is None:
        raise RuntimeError(
            f"report recipients are set but the SMTP connection {settings.smtp_conn_id!r} is not defined: add it in "
            f"Airflow (Admin > Connections) or as AIRFLOW_CONN_{settings.smtp_conn_id.upper()}, or clear "
            "PIPELINE_REPORT_RECIPIENTS")
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    # The provider gives every file a Content-ID of its name, which the HTML's cid: references point at.
    with SmtpHook(smtp_conn_id=settings.smtp_conn_id) as hook:
        hook.send_email_smtp(to=list(settings.report_recipients), subject=report.subject,
                             html_content=report.email_html, files=[str(p) for p in (*report.charts, report.pdf)])
    log.info("weekly report %s emailed to %d recipient(s) through %s", report.week.iso,
             len(settings.report_recipients), settings.smtp_conn_id)
    return True


def post_report(report: ReportFiles, settings: Settings) -> bool:
    """POST the report's summary (its Markdown) to the webhook connection. False if no such connection is defined."""
    conn = _connection(settings.report_webhook_conn_id)
    url = webhook_url(conn) if conn is not None else None
    if url is None:
        log.info("no webhook connection %r: the report is not posted", settings.report_webhook_conn_id)
        return False
    text = report.markdown.read_text()
    if len(text) > WEBHOOK_TEXT_LIMIT:
        text = text[:WEBHOOK_TEXT_LIMIT].rsplit("\n", 1)[0] + f"\n… (full report: {report.pdf.name})"
    payload = {"text": text, "title": report.subject, "report_file": str(report.pdf)}
    register(url)  # a webhook URL is a credential (Slack's carries its secret): httpx logs it at INFO
    response = httpx.post(url, json=payload, timeout=30)
    response.raise_for_status()  # a refused post fails the task, which retries and then alerts
    log.info("weekly report %s posted to the webhook connection %s", report.week.iso, settings.report_webhook_conn_id)
    return True


def deliver_report(report: ReportFiles, settings: Settings) -> list[str]:
    """Every configured delivery of the report; returns the channels used ("email", "webhook")."""
    channels = []
    if email_report(report, settings):
        channels.append("email")
    if post_report(report, settings):
        channels.append("webhook")
    return channels
