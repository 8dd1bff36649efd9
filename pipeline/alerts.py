"""Failure alerts: every DAG's on_failure_callback. Logs the failing task, the reason (the exception's own text,
without dbt's colour codes or any secret) and the log link, and posts them to a webhook when one is configured
(PIPELINE_ALERT_WEBHOOK_URL or Airflow connection ``pipeline_alerts``) as JSON with a Slack-compatible ``text``."""

from __future__ import annotations

import logging
import os
import re
import traceback
from typing import Any

import httpx

from ingest.connectors.redaction import redact, register, register_environment

log = logging.getLogger(__name__)

# Terminal escape sequences (CSI colours such as dbt's "\x1b[31m", OSC hyperlinks, two-byte escapes).
ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
REASON_MAX_LINES = 20
REASON_MAX_CHARS = 2000


def _webhook_url() -> str | None:
    url = os.environ.get("PIPELINE_ALERT_WEBHOOK_URL")
    if url:
        return url
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection("pipeline_alerts").host
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


def alert_payload(context: dict[str, Any]) -> dict[str, str]:
    ti = context.get("ti") or context.get("task_instance")
    payload = {
        "dag_id": str(getattr(ti, "dag_id", "?")),
        "task_id": str(getattr(ti, "task_id", "?")),
        "run_id": str(context.get("run_id", "?")),
        "reason": failure_reason(context.get("exception")),
        "log_url": str(getattr(ti, "log_url", "")),
    }
    payload["text"] = (f"Pipeline failure: {payload['dag_id']}.{payload['task_id']} (run {payload['run_id']})\n"
                       f"{payload['reason']}\nLog: {payload['log_url']}")
    return payload


def notify_failure(context: dict[str, Any]) -> None:
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
                  "pipeline_alerts): %s", exc)
