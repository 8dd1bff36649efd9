"""What the Airflow tasks do: thin wrappers the DAG files call (and tests call directly)."""

from __future__ import annotations

import logging

from pipeline.settings import load_settings

log = logging.getLogger(__name__)


def ingest_group(group: str) -> list[str]:
    """Load one group of sources; returns the load ids written in this run (for the raw quality gate)."""
    from ingest.cli import load_with_results
    from ingest.connectors import fetch_configured

    settings = load_settings()
    fetch_configured(group, settings.landing_dir, settings.warehouse_path)
    results = load_with_results([group], settings.landing_dir, settings.warehouse_path, settings.pii_key)
    loaded = [r for r in results if r.status == "loaded"]
    log.info("%s: %d files loaded (%d rows, %d quarantined), %d already loaded", group, len(loaded),
             sum(r.rows_loaded for r in loaded), sum(r.rows_quarantined for r in loaded), len(results) - len(loaded))
    return [r.load_id for r in loaded]


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


def weekly_report() -> dict[str, object]:
    """Build the report from the serving file, then send it wherever delivery is configured."""
    from pipeline.delivery import deliver_report
    from pipeline.report import build_report

    settings = load_settings()
    report = build_report(settings.serving_path, settings.report_dir)
    return {"report": str(report), "delivered_to": deliver_report(report, settings)}
