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


def quality_gate(load_ids: list[str]) -> None:
    from expectations.gate import run_gate

    settings = load_settings()
    run_gate(settings.warehouse_path, settings.quality_dir, load_ids)


def publish_marts() -> dict[str, int]:
    from pipeline.publish import publish

    settings = load_settings()
    return publish(settings.warehouse_path, settings.serving_dir)


def weekly_report() -> dict[str, object]:
    """Build the report from the serving file, then send it wherever delivery is configured."""
    from pipeline.delivery import deliver_report
    from pipeline.report import build_report

    settings = load_settings()
    report = build_report(settings.serving_path, settings.report_dir)
    return {"report": str(report), "delivered_to": deliver_report(report, settings)}
