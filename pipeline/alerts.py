"""Failure alerts: every DAG's on_failure_callback. Logs the failing task, the reason and the log link, and posts
them to a webhook when one is configured (PIPELINE_ALERT_WEBHOOK_URL or Airflow connection ``pipeline_alerts``)."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Any

log = logging.getLogger(__name__)


def _webhook_url() -> str | None:
    url = os.environ.get("PIPELINE_ALERT_WEBHOOK_URL")
    if url:
        return url
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection("pipeline_alerts").host
    except Exception:  # no such connection: alerts stay in the task log
        return None


def alert_payload(context: dict[str, Any]) -> dict[str, str]:
    ti = context.get("ti") or context.get("task_instance")
    return {
        "dag_id": getattr(ti, "dag_id", "?"),
        "task_id": getattr(ti, "task_id", "?"),
        "run_id": str(context.get("run_id", "?")),
        "reason": str(context.get("exception", "unknown")),
        "log_url": str(getattr(ti, "log_url", "")),
    }


def notify_failure(context: dict[str, Any]) -> None:
    payload = alert_payload(context)
    log.error("pipeline failure: %s", payload)
    url = _webhook_url()
    if not url:
        return
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as exc:
        log.error("could not deliver the failure alert to %s: %s", url, exc)
