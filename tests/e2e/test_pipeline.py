"""The README's main command, end to end through Airflow, on scale-S sample data in a temporary folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import psutil
import pytest

from pipeline.publish import MARTS
from tests.inboxes import smtp_inbox, webhook_inbox

pytestmark = pytest.mark.e2e


def _demo_env(data_dir: Path, airflow_home: Path, **extra_env: str) -> dict[str, str]:
    env = {**os.environ, "PIPELINE_DATA_DIR": str(data_dir), "AIRFLOW_HOME": str(airflow_home), **extra_env}
    for key in ("PIPELINE_WAREHOUSE", "PIPELINE_LANDING_DIR", "PIPELINE_SERVING_DIR", "PIPELINE_REPORT_DIR",
                "PIPELINE_QUALITY_DIR"):
        env.pop(key, None)
    return env


def _run_demo(data_dir: Path, airflow_home: Path, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "demo"], env=_demo_env(data_dir, airflow_home,
                                                                                        **extra_env),
                          capture_output=True, text=True, timeout=900)


def _is_dbt(proc: psutil.Process, command: str) -> bool:
    try:
        argv = proc.cmdline()
    except psutil.Error:  # ended meanwhile (short-lived Airflow and dbt helpers come and go)
        return False
    return command in argv and any(arg.endswith("/dbt") for arg in argv)


@pytest.mark.parametrize("command", ["parse", "build"])
def test_a_demo_stopped_with_sigterm_leaves_no_airflow_or_dbt_behind(command: str, tmp_path: Path) -> None:
    """kill -TERM of the demo (a CI timeout, a closed session) while dbt parses ahead of Airflow's tasks, or once dbt
    is building: its Airflow process and dbt go with it, nothing is left writing the warehouse."""
    # dbt's target folder as on a fresh clone: the parse ahead is a whole parse, which outlives the 5 s wait below
    demo = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "demo"],
                            env=_demo_env(tmp_path / "data", tmp_path / "airflow",
                                          DBT_TARGET_PATH=str(tmp_path / "dbt-target")),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    try:
        while not any(_is_dbt(p, command) for p in psutil.Process(demo.pid).children(recursive=True)):
            assert demo.poll() is None and time.monotonic() < deadline, f"the demo never reached its dbt {command}"
            time.sleep(0.1)
        descendants = psutil.Process(demo.pid).children(recursive=True)
        demo.send_signal(signal.SIGTERM)
        demo.wait(timeout=30)
        # At once: an orphan would also die, but only when it next wrote to the demo's closed pipe, its dbt build
        # finished (seconds to minutes later).
        _, alive = psutil.wait_procs(descendants, timeout=5)
        assert alive == [], [p.cmdline()[:4] for p in alive]
    finally:
        for proc in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):  # ended since it was listed
                proc.kill()


def _fingerprint(serving: Path) -> dict[str, tuple[int, int]]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return {m: con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {m} as t").fetchall()[0]
                for m in MARTS}
    finally:
        con.close()


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, subprocess.CompletedProcess,
                                                                         tuple[list, list]]]:
    """The demo with report delivery configured as a deployment would: connections as AIRFLOW_CONN_* variables
    pointing at a real SMTP server and a real webhook."""
    data_dir = tmp_path_factory.mktemp("data")
    airflow_home = tmp_path_factory.mktemp("airflow")
    with smtp_inbox() as (smtp, mail), webhook_inbox() as (hook, posts):
        # dbt's target folder as on a fresh clone: no saved parse.
        result = _run_demo(data_dir, airflow_home, DBT_TARGET_PATH=str(data_dir / "dbt-target"),
                           PIPELINE_REPORT_RECIPIENTS="cmo@brand.example",
                           AIRFLOW_CONN_SMTP_DEFAULT=json.dumps(smtp),
                           AIRFLOW_CONN_PIPELINE_REPORT_WEBHOOK=json.dumps(hook))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        yield data_dir, airflow_home, result, (mail, posts)


def test_demo_prints_the_summary(demo_run) -> None:
    data_dir, _, result, _ = demo_run
    assert "Creators vetted: 60" in result.stdout
    assert "Top 5 creators by ROI" in result.stdout and " 5. " in result.stdout
    assert str(data_dir / "serving" / "current" / "marts.duckdb") in result.stdout
    # The demo reports the sample's last complete week (it ends on Sunday 2026-11-15).
    reports = list((data_dir / "reports").glob("weekly_report_*.md"))
    assert [r.name for r in reports] == ["weekly_report_2026-W46.md"]
    text = reports[0].read_text()
    assert "Top five creators by ROI (campaign to date)" in text
    assert "| vetting | net revenue | cost | ROI | ROAS |" in text, "who paid back is shown beside the verdict"
    assert all(reports[0].with_suffix(ext).exists() for ext in (".html", ".pdf"))


def test_dbt_parses_the_project_once_ahead_of_its_tasks(demo_run) -> None:
    """The demo starts dbt's one whole-project parse beside Airflow; the dbt tasks re-use what it saved."""
    data_dir, _, _, _ = demo_run
    assert "Unable to do partial parsing because saved manifest not found" in (
        data_dir / "logs" / "dbt_parse.log").read_text()
    # Whatever the reason dbt would give (no saved parse, other vars, profile or environment), no task parsed it all.
    tasks_log = (data_dir / "logs" / "airflow.log").read_text()
    assert "Running with dbt=" in tasks_log and "Unable to do partial parsing" not in tasks_log


def test_the_weekly_report_dag_emails_and_posts_the_report(demo_run) -> None:
    data_dir, _, _, (mail, posts) = demo_run
    report = next((data_dir / "reports").glob("weekly_report_*.md"))
    (recipients, message), = mail
    assert recipients == ["cmo@brand.example"]
    assert message["Subject"] == report.read_text().splitlines()[0].lstrip("# ")
    assert "2026-W46" in message["Subject"]
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_content()
    assert "Top five creators by ROI" in html
    pdf = [p for p in message.walk() if p.get_filename() == report.with_suffix(".pdf").name]
    assert len(pdf) == 1 and pdf[0].get_payload(decode=True).startswith(b"%PDF")
    (post,) = posts
    assert post["text"].startswith(report.read_text()[:200]) and post["report_file"] == str(report.with_suffix(".pdf"))


def test_marts_are_published_and_consistent(demo_run) -> None:
    data_dir, _, _, _ = demo_run
    serving = data_dir / "serving" / "current" / "marts.duckdb"
    con = duckdb.connect(str(serving), read_only=True)
    counts = {m: con.execute(f"select count(*) from {m}").fetchall()[0][0] for m in MARTS}
    assert all(n > 0 for n in counts.values()), counts
    # Attributed + unattributed net revenue = net revenue of all valid orders.
    total, split = con.execute("""
        select sum(net_revenue_reporting) filter (where is_valid),
               sum(net_revenue_reporting) filter (where attribution_rule in ('code', 'link'))
             + sum(net_revenue_reporting) filter (where attribution_rule = 'none')
        from order_attribution""").fetchall()[0]
    assert total == split
    # The ROI mart carries exactly the attributed revenue (every attributed order has a contract).
    attributed, in_roi = con.execute("""
        select (select sum(net_revenue_reporting) from order_attribution where attribution_rule in ('code', 'link')),
               (select sum(net_revenue) from creator_roi)""").fetchall()[0]
    assert attributed == in_roi
    assert con.execute("select count(*) from creator_roi where creator_cost > 0 and roi is null").fetchall()[0][0] == 0
    con.close()
    for mart in MARTS:
        assert (data_dir / "serving" / "current" / "parquet" / f"{mart}.parquet").stat().st_size > 0


def test_rerunning_the_demo_changes_nothing(demo_run) -> None:
    data_dir, airflow_home, _, _ = demo_run
    serving = data_dir / "serving" / "current" / "marts.duckdb"
    before = _fingerprint(serving)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    raw_before = con.execute("select count(*), sum(rows_loaded) from raw.load_manifest").fetchall()[0]
    con.close()
    again = _run_demo(data_dir, airflow_home)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert _fingerprint(serving) == before
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*), sum(rows_loaded) from raw.load_manifest").fetchall()[0] == raw_before
    con.close()
