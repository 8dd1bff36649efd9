"""What the Airflow tasks do: thin wrappers the DAG files call (and tests call directly)."""

from __future__ import annotations

import logging
from datetime import datetime

from pipeline.settings import load_gate_settings, load_settings

log = logging.getLogger(__name__)


def ingest_group(group: str) -> list[str]:
    """Load one group of sources; returns the load ids written in this run (for the raw quality gate). Raises
    RejectShareExceeded, after every file's good rows are committed, when a file's quarantined share is over
    PIPELINE_GATE_MAX_QUARANTINE_SHARE: the message names each such file with its top reasons."""
    from ingest.cli import check_reject_shares, load_with_results, summarise
    from ingest.connectors import fetch_configured

    settings = load_settings()
    fetch_configured(group, settings.landing_dir, settings.warehouse_path)
    results = load_with_results([group], settings.landing_dir, settings.warehouse_path, settings.pii_key)
    log.info("%s: %s", group, ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summarise(results).items()))
    for r in results:
        if r.warning:
            log.warning("%s: %s", r.file, r.warning)
    check_reject_shares(results, load_gate_settings().max_quarantine_share)
    return [r.load_id for r in results if r.status != "skipped"]


def dbt_build() -> None:
    from pipeline.dbt import run_dbt

    run_dbt(load_settings(), "build")


def raw_gate(run_id: str) -> list[str]:
    """Validate every batch not yet validated (whichever run loaded it); returns the rejection messages."""
    from expectations.gate import run_raw_gate

    settings = load_settings()
    return run_raw_gate(settings.warehouse_path, settings.quality_dir, run_id)


def mart_gate(run_id: str) -> None:
    """Validate the marts dbt just built; raises QualityGateFailed (publish then does not run)."""
    from expectations.gate import run_mart_gate

    settings = load_settings()
    run_mart_gate(settings.warehouse_path, settings.quality_dir, run_id)


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
