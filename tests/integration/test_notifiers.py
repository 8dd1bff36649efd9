"""Failure alerts through Airflow notifiers, against a real SMTP server (aiosmtpd) and a real webhook, both reached
through Airflow connections (AIRFLOW_CONN_* variables, as a deployment defines them). The first test lets Airflow
itself run a failing task (``dag.test()``), so the context the notifiers get is Airflow's, not a hand-made one.
No alert carries a token, in the email or the webhook post."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.alerts import failure_notifiers, notify_failure
from tests.inboxes import smtp_inbox, webhook_inbox

pytestmark = pytest.mark.usefixtures("no_registered_secrets")

TOKEN = "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"


@pytest.fixture
def inboxes(monkeypatch: pytest.MonkeyPatch):
    """SMTP and webhook servers, the connections that point at them, and alert recipients configured."""
    with smtp_inbox() as (smtp, mail), webhook_inbox() as (hook, posts):
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps(smtp))
        monkeypatch.setenv("AIRFLOW_CONN_PIPELINE_ALERTS", json.dumps(hook))
        monkeypatch.setenv("PIPELINE_ALERT_RECIPIENTS", "oncall@brand.example, data@brand.example")
        monkeypatch.setenv("SHOPIFY_ACCESS_TOKEN", TOKEN)  # a secret in the environment, as in a deployment
        monkeypatch.delenv("PIPELINE_ALERT_WEBHOOK_URL", raising=False)
        yield mail, posts


PROBE_DAG = f"""
from datetime import datetime

from airflow.sdk import dag, task

from pipeline.alerts import failure_notifiers


@dag(dag_id="alerting_probe", schedule=None, start_date=datetime(2026, 1, 1),
     default_args={{"retries": 0, "on_failure_callback": failure_notifiers()}})
def alerting_probe():
    @task
    def load_orders() -> None:
        raise RuntimeError("Shopify refused X-Shopify-Access-Token: {TOKEN}\\nsecond line\\n{{{{ not jinja }}}}")

    load_orders()


alerting_probe()
"""


def _body(message) -> str:
    return next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()


@pytest.mark.e2e
def test_a_task_failing_in_airflow_alerts_by_email_and_webhook_without_the_token(
        inboxes, tmp_path: Path) -> None:
    mail, posts = inboxes
    (tmp_path / "dags").mkdir()
    (tmp_path / "dags" / "alerting_probe.py").write_text(PROBE_DAG)
    # An API server on another port than Airflow's 8080: the alert's log link must point at it.
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path / "airflow"),
           "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"), "AIRFLOW__API__PORT": "8093"}
    for command in (["db", "migrate"], ["dags", "test", "alerting_probe", "2026-11-25"]):
        result = subprocess.run([sys.executable, "-m", "airflow", *command], env=env, capture_output=True, text=True,
                                timeout=300)
    assert "DagRun Finished" in result.stdout + result.stderr and "state=failed" in result.stdout + result.stderr, (
        result.stdout[-3000:] + result.stderr[-3000:])
    [post] = posts
    assert (post["dag_id"], post["task_id"]) == ("alerting_probe", "load_orders")
    assert post["reason"].startswith("RuntimeError: Shopify refused X-Shopify-Access-Token: REDACTED\nsecond line")
    assert post["data_interval"].startswith("2026-11-25T00:00:00+00:00")
    assert post["log_url"].startswith("http://localhost:8093/dags/alerting_probe/runs/"), post["log_url"]
    assert post["log_url"].split("?")[0].endswith("/tasks/load_orders"), post["log_url"]
    [(recipients, message)] = mail
    assert recipients == ["oncall@brand.example", "data@brand.example"]
    assert message["Subject"] == f"Pipeline failure: alerting_probe.load_orders (run {post['run_id']})"
    body = _body(message)
    for expected in ("data interval 2026-11-25T00:00:00+00:00", "second line", "{{ not jinja }}", post["log_url"]):
        assert expected in body.replace("&#x27;", "'"), expected
    assert TOKEN not in repr(post) and TOKEN not in message.as_string()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_smtp_server_is_logged_and_the_webhook_still_gets_the_alert(
        inboxes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    mail, posts = inboxes
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", json.dumps(
        {"conn_type": "smtp", "host": "127.0.0.1", "port": _closed_port(), "password": TOKEN,
         "extra": {"from_email": "alerts@brand.example", "disable_ssl": True, "disable_tls": True,
                   "retry_limit": 0, "timeout": 5}}))
    ti = SimpleNamespace(dag_id="creator_pipeline", task_id="publish", log_url="http://localhost:8080/log")
    notify_failure({"ti": ti, "run_id": "r1", "exception": RuntimeError("disk full")})  # must not raise
    assert [p["task_id"] for p in posts] == ["publish"] and mail == []
    assert "could not email the failure alert through connection smtp_default" in caplog.text
    assert TOKEN not in caplog.text


def test_a_webhook_url_kept_in_the_connections_password_is_used(inboxes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README put the URL (and its secret) in the connection's host, which Airflow keeps unencrypted in the
    metadata DB; the password is encrypted, and is read first."""
    mail, posts = inboxes
    url = json.loads(os.environ["AIRFLOW_CONN_PIPELINE_ALERTS"])["host"]
    monkeypatch.setenv("AIRFLOW_CONN_PIPELINE_ALERTS", json.dumps(
        {"conn_type": "http", "host": "http://127.0.0.1:9/not-this-one", "password": url}))
    ti = SimpleNamespace(dag_id="creator_pipeline", task_id="publish", log_url="")
    notify_failure({"ti": ti, "run_id": "r1", "exception": RuntimeError("disk full")})
    assert [p["task_id"] for p in posts] == ["publish"]


def test_without_recipients_no_email_is_attempted(inboxes, monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    mail, posts = inboxes
    monkeypatch.delenv("PIPELINE_ALERT_RECIPIENTS")
    ti = SimpleNamespace(dag_id="creator_pipeline", task_id="publish", log_url="")
    notify_failure({"ti": ti, "run_id": "r1", "exception": None})
    assert len(posts) == 1 and mail == []


def test_one_notifier_instance_sends_every_alert_even_after_a_reason_that_looks_like_jinja(inboxes) -> None:
    """A DAG's notifiers are built once at parse time; under `airflow dags test` one instance sends every alert."""
    mail, posts = inboxes
    notifiers = failure_notifiers()
    ti = SimpleNamespace(dag_id="creator_pipeline", task_id="mart_gate", log_url="")
    for reason in ("template {{ never closed", "second failure"):
        for notifier in notifiers:
            notifier({"ti": ti, "run_id": "r1", "exception": RuntimeError(reason)})
    assert [p["reason"] for p in posts] == ["RuntimeError: template {{ never closed", "RuntimeError: second failure"]
    assert ["{{ never closed" in _body(m) for _, m in mail] == [True, False]
    assert "second failure" in _body(mail[1][1])
