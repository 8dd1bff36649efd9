"""What the Airflow tasks do: thin wrappers the DAG files call (and tests call directly)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pipeline.settings import load_gate_settings, load_settings

log = logging.getLogger(__name__)


def ingest_group(group: str, fetch_apis: bool = False) -> dict[str, object]:
    """Load one source family (fetching its APIs first when ``fetch_apis``); returns the run's summary: per file
    rows read, loaded and quarantined, the raw tables changed and their load ids. Raises RejectShareExceeded,
    after every file's good rows are committed, when a file's quarantined share is over
    PIPELINE_GATE_MAX_QUARANTINE_SHARE: the message names each such file with its top reasons. A file that cannot
    be loaded at all raises IngestError naming it, after every other file is loaded and logged."""
    from ingest.connectors import fetch_configured
    from ingest.runs import file_summaries, load_sources, reject_shares_exceeded, summarise, unloadable
    from ingest.sources import ALL_SOURCES

    settings = load_settings()
    fetched = fetch_configured(group, settings.landing_dir, settings.warehouse_path) if fetch_apis else []
    # A file that failed before and has not changed is left out: one bad delivery fails one run, not every run.
    results, failed = load_sources([group], settings.landing_dir, settings.warehouse_path, settings.pii_key,
                                   retry_unloadable=False)
    totals = summarise(results)
    log.info("%s: %s", group, ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in totals.items()))
    for r in results:
        if r.warning:
            log.warning("%s: %s", r.file, r.warning)
    over = reject_shares_exceeded(results, load_gate_settings().max_quarantine_share)
    if error := unloadable(settings.landing_dir, failed):
        if over:
            log.error("%s", over)  # the task fails on the unloadable file; the quarantined shares are said too
        raise error
    if over:
        raise over
    changed = [r for r in results if r.status == "loaded"]
    return {"family": group, "files_fetched": len(fetched), **totals,
            "tables": sorted({f"raw.{ALL_SOURCES[r.source].table}" for r in changed}),
            "load_ids": [r.load_id for r in changed], "files": file_summaries(results)}


def new_landing_files(groups: list[str]) -> list[str]:
    """Landing files of these families no load has taken yet (the file sensor's poke)."""
    from ingest.runs import unloaded_files

    settings = load_settings()
    return [str(p) for p in unloaded_files(groups, settings.landing_dir, settings.warehouse_path)]


def dbt_build() -> dict[str, object]:
    """The whole project's daily build. Failed data tests fail the task at once: the same data fails them again, and
    a retry would only hold the alert back by the retry delay. Other failures (a held warehouse, memory, a killed
    process) keep the DAG's retry."""
    from airflow.exceptions import AirflowFailException

    from pipeline.dbt import DbtFailed, run_dbt
    from pipeline.summaries import dbt_summary

    settings = load_settings()
    try:
        run_dbt(settings, "build", daily_run=True)
    except DbtFailed as exc:
        if exc.data_tests_failed:
            raise AirflowFailException(str(exc)) from exc
        raise
    return dbt_summary(settings.dbt_target_dir / "run_results.json")


def source_freshness() -> dict[str, object]:
    """``dbt source freshness`` with the thresholds of the sources YAML: returns every checked table's status and
    age; a source past its warn threshold, or never delivered, is logged as a warning, past its error threshold
    raises SourcesStale."""
    from pipeline.dbt import DbtFailed, run_dbt
    from pipeline.summaries import freshness_summary

    settings = load_settings()
    output = settings.dbt_target_dir / "sources.json"
    output.unlink(missing_ok=True)
    try:
        run_dbt(settings, "source", "freshness")  # writes sources.json to the target path
        failed = None
    except DbtFailed as exc:  # dbt exits 1 when a source is past error_after: say which, from sources.json
        failed = exc
    if not output.is_file():
        raise SourcesStale(f"dbt source freshness wrote no {output}: {failed}")
    summary = freshness_summary(output)
    for line in summary["warn"] + summary["never"]:
        log.warning("source freshness: %s", line)
    # dbt exits 1 over a never-delivered table too: that alone is a warning here, not a failure.
    if summary["error"] or (failed and not summary["never"]):
        raise SourcesStale("source freshness: stale past the error threshold (dbt_project/models/staging/*/"
                           "_*__sources.yml, freshness.error_after):\n" + "\n".join(summary["error"] or [str(failed)])
                           + "\nDeliver the missing files (or check the API ingest's schedule), or raise the "
                           "threshold if this source is delivered less often")
    return summary


class SourcesStale(Exception):
    """A source's newest accepted delivery is older than its error_after threshold."""


def raw_gate(run_id: str) -> dict[str, object]:
    """Validate every batch not yet validated (whichever run loaded it); returns the result and the rejection
    messages."""
    from expectations.gate import run_raw_gate
    from expectations.state import held_back
    from ingest.warehouse import connect

    settings = load_settings()
    rejections = run_raw_gate(settings.warehouse_path, settings.quality_dir, run_id)
    # Batches rejected by earlier runs stay out of the marts too: a green run must not look as if none were.
    con = connect(settings.warehouse_path, read_only=True)
    try:
        held = held_back(con)
    finally:
        con.close()
    return {"result": "rejected" if rejections else "passed", "rejected": len(rejections), "rejections": rejections,
            "held_back": len(held)}


def mart_gate(run_id: str) -> dict[str, object]:
    """Validate the marts dbt just built; returns the rows per mart it passed. Raises QualityGateFailed (publish
    then does not run)."""
    from expectations.gate import run_mart_gate
    from expectations.state import last_passed_mart_rows
    from ingest.warehouse import connect

    settings = load_settings()
    run_mart_gate(settings.warehouse_path, settings.quality_dir, run_id)
    con = connect(settings.warehouse_path, read_only=True)
    try:
        return {"result": "passed", "mart_rows": last_passed_mart_rows(con)}
    finally:
        con.close()


class PublishRefused(Exception):
    """The marts are not the ones the mart gate of this run passed; nothing was published."""


def publish_marts(run_id: str) -> dict[str, object]:
    """Publish, but only the marts the mart gate of this same DAG run passed (same fingerprint)."""
    from expectations.state import mart_gate_verdict
    from ingest.warehouse import connect
    from pipeline.publish import MartsChanged, publish

    settings = load_settings()
    con = connect(settings.warehouse_path, read_only=True)
    try:
        verdict = mart_gate_verdict(con, run_id)
    finally:
        con.close()
    if verdict is None or not verdict[0]:
        raise PublishRefused(f"publish refused: the mart gate of run {run_id!r} "
                             f"{'failed' if verdict else 'has not run'} (raw.gate_runs); run the DAG again so the "
                             "gate validates the marts first")
    try:
        return dict(publish(settings.warehouse_path, settings.serving_dir, keep=settings.serving_keep_versions,
                            expected_fingerprint=verdict[1]))
    except MartsChanged as exc:
        raise PublishRefused(f"publish refused: {exc}") from exc


def weekly_report(logical_date: datetime | None = None) -> dict[str, object]:
    """Build the report of the week before the run from the serving file, then send it wherever delivery is
    configured. Refuses (or marks, by PIPELINE_REPORT_STALE) data published before that week ended."""
    from serve.report import build_report
    from serve.report.delivery import deliver_report

    settings = load_settings()
    report = build_report(settings.serving_path, settings.report_dir, as_of=logical_date,
                          timezone=settings.report_timezone, on_stale=settings.report_stale)
    return {"report": str(report.pdf), "week": report.week.iso, "stale": report.stale,
            "delivered_to": deliver_report(report, settings)}


def ingest_family(family: str, outlet_events: Any, fetch_apis: bool = False) -> dict[str, object]:
    """An ingest task: load one family (after fetching its APIs when ``fetch_apis``) and emit its raw asset with the
    tables and load ids it changed. Nothing new to load is a skip, which emits no asset event, so the transform
    does not run for nothing."""
    from airflow.exceptions import AirflowFailException, AirflowSkipException

    from ingest.errors import RejectShareExceeded
    from pipeline.assets import RAW_ASSETS

    try:
        summary = ingest_group(family, fetch_apis)
    except RejectShareExceeded as exc:  # the data, not the machine: a retry would skip the loaded file and pass
        raise AirflowFailException(str(exc)) from exc
    if fetch_apis and not summary["files_fetched"]:
        raise AirflowSkipException(f"{family}: no API page fetched (no credentials configured, or nothing new since "
                                   "the cursor); landed files are the ingest_files DAG's")
    if not summary["files_loaded"]:
        raise AirflowSkipException(f"{family}: nothing new ({summary['files_skipped']} file(s) already loaded, "
                                   f"{summary['files_empty']} empty): no raw_{family} event, so no transform")
    outlet_events[RAW_ASSETS[family]].extra = {"tables": summary["tables"], "load_ids": summary["load_ids"]}
    return summary


def report_due(logical_date: datetime | None, now: datetime) -> bool:
    """The weekly report's guard. A cron run (it has a logical date) always reports (data that does not cover the
    week is then refused and alerts). A run triggered by a publish reports only when the last complete week has no
    report yet and the new data covers it (the report's own rule, serve/report/week.py): the report a Monday refused
    goes out as soon as covering data is published, and a publish that does not cover it neither reports nor alerts."""
    import duckdb

    from serve.report.week import stale_reason, week_before

    if logical_date is not None:
        return True
    settings = load_settings()
    week = week_before(now, settings.report_timezone)
    if (settings.report_dir / f"weekly_report_{week.iso}.pdf").exists():
        log.info("week %s is already reported: nothing to do on this publish", week.iso)
        return False
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        [(published_at, orders_through)] = con.execute(
            "select (select published_at from publication), (select max(order_date) from order_attribution)"
        ).fetchall()
    finally:
        con.close()
    reason = stale_reason(published_at, orders_through, week, "mark", str(settings.serving_path))
    log.info("week %s has no report; %s", week.iso, f"not reported on this publish: {reason}" if reason else
             "the data published covers it")
    return reason is None


def summarise_run(context: Any) -> str:
    """The run's note: the summaries (XComs) of its top-level tasks (a task group's tasks report through their own
    group), set on the DAG run through the API when it is reachable (pipeline/run_notes.py); returned as XCom too."""
    from pipeline.run_notes import set_note
    from pipeline.summaries import run_note

    ti = context["ti"]
    task_ids = [t for t in context["dag"].task_ids if "." not in t and t not in (ti.task_id, "run_failed")]
    summaries = {t: ti.xcom_pull(task_ids=t) or None for t in task_ids}  # one by one: a list pull drops gaps
    note = f"**{context['dag'].dag_id}** run {context['run_id']}\n" + run_note(summaries)
    log.info("run summary:\n%s", note)
    set_note(ti.dag_id, context["run_id"], note)
    return note
