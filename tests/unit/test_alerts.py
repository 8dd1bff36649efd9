"""Failure alerts posted to a real local webhook server: the reason is the exception's own text, without the ANSI
colour codes dbt prints, without secrets, with the DAG, task, run, data interval and log link; a refusing webhook is
logged (without its URL, which is a credential) and does not mask the task's own failure."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from pipeline.alerts import notify_failure
from pipeline.dbt import DbtFailed
from tests.inboxes import webhook_inbox

# How dbt's coloured lines reach DbtFailed (dbt colours its output even into a pipe).
DBT_FAILURE = ("dbt build failed (exit 1): \x1b[0m02:06:46  1 of 40 ERROR creating sql table model main.int_orders "
               "[\x1b[31mERROR\x1b[0m in 0.05s] | \x1b[0m02:06:47  \x1b[31mFailure in test "
               "not_null_int_orders_order_id (models/intermediate/_intermediate__models.yml)\x1b[0m")
TI = SimpleNamespace(dag_id="creator_pipeline", task_id="dbt_build",
                     log_url="http://localhost:8080/dags/creator_pipeline/runs/scheduled__1/tasks/dbt_build")


pytestmark = pytest.mark.usefixtures("no_registered_secrets")


def _raised(error: BaseException) -> BaseException:
    """The exception as Airflow hands it over: raised, with its traceback."""
    try:
        raise error
    except BaseException as exc:
        return exc


def test_a_dbt_failure_arrives_with_its_text_and_without_colour_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    with webhook_inbox() as (conn, posts):
        monkeypatch.setenv("PIPELINE_ALERT_WEBHOOK_URL", conn["host"])
        notify_failure({"ti": TI, "run_id": "scheduled__1", "exception": _raised(DbtFailed(DBT_FAILURE)),
                        "data_interval_start": datetime(2026, 11, 25, tzinfo=UTC),
                        "data_interval_end": datetime(2026, 11, 26, tzinfo=UTC)})
    [alert] = posts
    assert not any("\x1b" in value for value in alert.values()), alert
    assert alert["reason"].startswith("pipeline.dbt.DbtFailed: dbt build failed (exit 1): 02:06:46  1 of 40 ERROR")
    assert "[ERROR in 0.05s] | 02:06:47  Failure in test not_null_int_orders_order_id" in alert["reason"]
    assert "raised at " in alert["reason"] and "test_alerts.py" in alert["reason"]
    assert (alert["dag_id"], alert["task_id"], alert["run_id"], alert["log_url"]) == (
        "creator_pipeline", "dbt_build", "scheduled__1", TI.log_url)
    assert alert["data_interval"] == "2026-11-25T00:00:00+00:00 to 2026-11-26T00:00:00+00:00"
    assert alert["text"].startswith("Pipeline failure: creator_pipeline.dbt_build (run scheduled__1, data interval "
                                    "2026-11-25T00:00:00+00:00 to 2026-11-26T00:00:00+00:00)\n")


def test_secrets_from_the_environment_are_redacted_and_long_reasons_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "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"
    monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", secret)
    lines = [f"line {i}" for i in range(100)]
    error = _raised(RuntimeError(f"request with X-Shopify-Access-Token: {secret} refused\n" + "\n".join(lines)))
    with webhook_inbox() as (conn, posts):
        monkeypatch.setenv("PIPELINE_ALERT_WEBHOOK_URL", conn["host"])
        notify_failure({"ti": TI, "run_id": "r1", "exception": error})
    [alert] = posts
    assert secret not in repr(alert)
    assert alert["reason"].startswith("RuntimeError: request with X-Shopify-Access-Token: REDACTED refused")
    assert "line 10" in alert["reason"] and "line 99" not in alert["reason"]
    assert alert["reason"].endswith("(cut; the task log has the rest)")


def test_a_refusing_webhook_is_logged_without_its_url(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_inbox(status=500) as (conn, posts):
        monkeypatch.setenv("PIPELINE_ALERT_WEBHOOK_URL", conn["host"])
        notify_failure({"ti": TI, "run_id": "r1", "exception": None})  # must not raise
    assert len(posts) == 1 and posts[0]["reason"].startswith("unknown")
    assert "could not deliver the failure alert" in caplog.text and "500 Internal Server Error" in caplog.text
    assert conn["host"] not in caplog.text, "the webhook URL is a credential (Slack's carries its secret)"
