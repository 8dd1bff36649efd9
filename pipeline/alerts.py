"""Failure alerts through Airflow notifiers: every DAG's on_failure_callback is ``failure_notifiers()``. An alert
names the DAG, task, run, data interval, the reason (the exception's own text, without dbt's colour codes or any
secret, cut to its first lines) and the log link. It goes to a webhook (PIPELINE_ALERT_WEBHOOK_URL, or the host of
the Airflow connection PIPELINE_ALERT_WEBHOOK_CONN_ID, default ``pipeline_alerts``) as JSON with a Slack-compatible
``text``, and by email through the SMTP provider's notifier to PIPELINE_ALERT_RECIPIENTS (connection
PIPELINE_SMTP_CONN_ID). An alert that cannot be delivered is logged; it never masks the task's own failure."""

from __future__ import annotations

import html
import logging
import re
import traceback
from typing import Any

import httpx
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import BaseNotifier

from ingest.connectors.redaction import redact, register, register_environment
from pipeline.settings import load_settings
from pipeline.webhooks import webhook_url

log = logging.getLogger(__name__)

# Terminal escape sequences (CSI colours such as dbt's "\x1b[31m", OSC hyperlinks, two-byte escapes).
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
REASON_MAX_LINES = 20
REASON_MAX_CHARS = 2000


def _webhook_url() -> str | None:
    settings = load_settings()
    if settings.alert_webhook_url:
        return settings.alert_webhook_url
    try:
        from airflow.sdk import BaseHook

        return webhook_url(BaseHook.get_connection(settings.alert_webhook_conn_id))
    except Exception:  # no such connection: alerts stay in the task log
        return None


def failure_reason(error: BaseException | str | None) -> str:
    """``Type: message`` (the traceback's last line) and where it was raised, without colour codes or secrets,
    cut to its first lines."""
    if error is None:
        return "unknown: Airflow passed no exception, see the task log"
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        if frames := traceback.extract_tb(error.__traceback__):
            text += f"\n(raised at {frames[-1].filename}:{frames[-1].lineno} in {frames[-1].name})"
    else:
        text = str(error)
    register_environment()  # secrets from env vars too, even if no connector ran in this process
    lines = redact(ANSI_ESCAPE.sub("", text)).splitlines()  # redact before cutting: no half-secret survives
    reason = "\n".join(lines[:REASON_MAX_LINES])[:REASON_MAX_CHARS]
    return reason if reason == "\n".join(lines) else reason + "\n… (cut; the task log has the rest)"


# Airflow builds a task's log link on [api] base_url, and without one on this, whatever port its API server listens
# on ([api] port, AIRFLOW__API__PORT).
_AIRFLOW_DEFAULT_BASE = "http://localhost:8080/"


def _log_url(ti: object) -> str:
    from airflow.sdk.configuration import conf

    url = str(getattr(ti, "log_url", ""))
    if url.startswith(_AIRFLOW_DEFAULT_BASE) and not conf.get("api", "base_url", fallback=""):
        url = f"http://localhost:{conf.get('api', 'port', fallback='8080')}/" + url[len(_AIRFLOW_DEFAULT_BASE):]
    return url


def alert_payload(context: dict[str, Any]) -> dict[str, str]:
    ti = context.get("ti") or context.get("task_instance")
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    payload = {
        "dag_id": str(getattr(ti, "dag_id", "?")),
        "task_id": str(getattr(ti, "task_id", "?")),
        "run_id": str(context.get("run_id", "?")),
        # Asset-triggered and manual runs have no data interval.
        "data_interval": f"{start.isoformat()} to {end.isoformat()}" if start and end else "none",
        "reason": failure_reason(context.get("exception")),
        "log_url": _log_url(ti),
    }
    payload["text"] = (f"Pipeline failure: {payload['dag_id']}.{payload['task_id']} (run {payload['run_id']}, "
                       f"data interval {payload['data_interval']})\n{payload['reason']}\nLog: {payload['log_url']}")
    return payload


class WebhookNotifier(BaseNotifier):
    """Posts the alert as JSON to the alert webhook, when one is configured."""

    def notify(self, context: dict[str, Any]) -> None:
        payload = alert_payload(context)
        log.error("pipeline failure: %s", payload)
        url = _webhook_url()
        if not url:
            return
        register(url)  # a webhook URL is a credential (Slack's carries its secret): httpx logs it at INFO
        try:
            httpx.post(url, json=payload, timeout=10).raise_for_status()
        except httpx.HTTPError as exc:
            log.error("could not deliver the failure alert to the webhook (PIPELINE_ALERT_WEBHOOK_URL or connection "
                      "%s): %s", load_settings().alert_webhook_conn_id, exc)


class AlertEmailNotifier(SmtpNotifier):
    """The SMTP provider's notifier with the alert as subject and body, set per call from the (redacted) payload.
    Nothing is a Jinja template: a reason that looks like one is sent as it is, and the body an earlier call left on
    this (shared) instance is never rendered."""

    template_fields = ()

    def notify(self, context: dict[str, Any]) -> None:
        payload = alert_payload(context)
        self.subject = f"Pipeline failure: {payload['dag_id']}.{payload['task_id']} (run {payload['run_id']})"
        self.html_content = "<pre>" + html.escape(payload["text"]) + "</pre>"
        try:
            super().notify(context)
        except Exception as exc:  # the task's own failure is what matters; say why the email did not go
            log.error("could not email the failure alert through connection %s: %s", self.smtp_conn_id,
                      redact(str(exc)))


def failure_notifiers() -> list[BaseNotifier]:
    """The on_failure_callback of every DAG: the webhook always (it logs when none is configured), email when
    PIPELINE_ALERT_RECIPIENTS is set."""
    settings = load_settings()
    notifiers: list[BaseNotifier] = [WebhookNotifier()]
    if settings.alert_recipients:
        notifiers.append(AlertEmailNotifier(to=list(settings.alert_recipients), smtp_conn_id=settings.smtp_conn_id))
    return notifiers


def notify_failure(context: dict[str, Any]) -> None:
    """Send one failure alert through every configured notifier (what Airflow does with failure_notifiers())."""
    for notifier in failure_notifiers():
        notifier(context)
