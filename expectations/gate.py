"""The quality gate: run every suite with GX on DataFrames read through DuckDB, write the results, and
raise ``QualityGateFailed`` when any expectation fails, so the publish task never runs on bad data.

GX's SQL datasource on DuckDB is broken upstream (every expectation errors), hence DataFrames
(docs/decisions.md).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from expectations.suites import SUITES, Suite
from ingest.warehouse import connect

log = logging.getLogger(__name__)


class QualityGateFailed(Exception):
    """At least one expectation failed; the message lists them."""


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    rows: int
    success: bool
    failures: list[str]


def _sql_list(values: list[str]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")" if values else "(null)"


def _describe_failure(r) -> str:
    kwargs = r.expectation_config.kwargs
    target = kwargs.get("column") or kwargs.get("column_list") or kwargs.get("column_A")
    examples = r.result.get("partial_unexpected_list", [])[:3]
    return f"{r.expectation_config.type}({target}): {r.result.get('unexpected_count', '?')} unexpected, e.g. {examples}"


def run_gate(warehouse: Path, quality_dir: Path, load_ids: list[str] | None = None,
             suites: tuple[Suite, ...] = SUITES) -> list[SuiteOutcome]:
    """Validate the new raw batch (``load_ids``; none = raw suites skipped) and the marts."""
    import great_expectations as gx  # heavy import (~6 s): only when the gate really runs
    import great_expectations.expectations as gxe

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_pandas("warehouse")
    outcomes: list[SuiteOutcome] = []
    results: dict[str, dict] = {}
    con = connect(warehouse, read_only=True)
    try:
        for suite in suites:
            if suite.raw and not load_ids:
                continue
            frame = con.execute(suite.query.format(load_ids=_sql_list(load_ids or []))).df()
            batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe("batch")
            gx_suite = context.suites.add(gx.ExpectationSuite(name=suite.name))
            for expectation in suite.expectations(gxe):
                gx_suite.add_expectation(expectation)
            validation = context.validation_definitions.add(
                gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite))
            result = validation.run(batch_parameters={"dataframe": frame})
            failures = [_describe_failure(r) for r in result.results if not r.success]
            outcomes.append(SuiteOutcome(suite.name, len(frame), bool(result.success), failures))
            results[suite.name] = result.to_json_dict()
            log.log(logging.INFO if result.success else logging.ERROR, "suite %s on %d rows: %s%s", suite.name,
                    len(frame), "passed" if result.success else "FAILED", "".join(f"\n  - {f}" for f in failures))
    finally:
        con.close()
    _write_results(quality_dir, outcomes, results)
    failed = [o for o in outcomes if not o.success]
    if failed:
        raise QualityGateFailed("quality gate failed, nothing published: " + "; ".join(
            f"{o.suite}: {', '.join(o.failures)}" for o in failed))
    return outcomes


def _write_results(quality_dir: Path, outcomes: list[SuiteOutcome], results: dict[str, dict]) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    quality_dir.mkdir(parents=True, exist_ok=True)
    (quality_dir / f"validation-{stamp}.json").write_text(json.dumps(results, indent=1, default=str))
    summary = {"validated_at": stamp, "success": all(o.success for o in outcomes),
               "suites": [o.__dict__ for o in outcomes]}
    (quality_dir / "latest.json").write_text(json.dumps(summary, indent=1))
