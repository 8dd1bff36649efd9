"""The quality gates, as GX Checkpoints over small frames DuckDB computes from the warehouse.

- Raw gate (before dbt): validates every batch no gate has judged yet, whichever run loaded it, and records each
  batch as passed or rejected in ``raw.batch_gate``. dbt reads only passed and admitted batches (``gated.*``),
  so a rejected batch stays out of the marts until it is replaced by a corrected delivery or admitted
  (``pipeline gate admit``). The run goes on with the accepted data; the rejections are returned for the alert.
- Mart gate (after dbt, before publish): validates every published mart and records the result with a
  fingerprint of the marts; publish checks that record (``expectations.state.mart_gate_verdict``).

GX's SQL datasource on DuckDB is broken upstream, so each suite's frame is computed set-based in DuckDB, written
as Parquet under ``<quality dir>/frames`` and validated by GX's pandas datasource: memory stays bounded by the
statistics, not the data. Results and Data Docs live in the GX project ``<quality dir>/gx``; each suite keeps its
last ``PIPELINE_GATE_KEEP_RESULTS`` results.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from expectations.state import (
    Batch,
    ensure_gate_tables,
    held_back_note,
    last_passed_mart_rows,
    marts_fingerprint,
    pending_batches,
    record_batches,
    record_gate_run,
    rejected_in_run,
)
from expectations.suites import Suite, mart_suites, raw_suites
from ingest.comment_scores import heal as heal_comment_scores
from ingest.sql import quote_literal
from ingest.warehouse import connect
from pipeline.publish import MARTS
from pipeline.settings import GateSettings, load_gate_settings

log = logging.getLogger(__name__)

DATASOURCE = "gate_frames"


class QualityGateFailed(Exception):
    """The mart gate failed: nothing is published. The message lists the failures and where the Data Docs are."""


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    success: bool  # no critical expectation failed (warnings are logged, they do not block)
    failures: list[str]
    warnings: list[str]
    # raw suites: the failures of each batch, by load id
    failed_batches: dict[str, list[str]] = field(default_factory=dict)


def data_docs_index(quality_dir: Path) -> Path:
    return quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def run_raw_gate(warehouse: Path, quality_dir: Path, run_id: str,
                 thresholds: GateSettings | None = None) -> list[str]:
    """Judge every pending batch; returns one message per rejected batch (empty when all passed)."""
    con = connect(warehouse)
    try:
        ensure_gate_tables(con)
        # dbt joins the comments to their scores: a warehouse loaded before ingest scored comments gets them here.
        heal_comment_scores(con)
        batches = pending_batches(con)
        failures: dict[str, list[str]] = defaultdict(list)
        if batches:
            ids_by_source = batches_by_source(batches)
            suites, frames = raw_frames(ids_by_source)
            source_of = {s.name: s.source or "" for s in suites}
            for outcome in _validate(con, quality_dir, "raw", suites, frames, run_id, thresholds):
                for load_id, found in outcome.failed_batches.items():
                    failures[load_id] += found
                if outcome.failures and not outcome.failed_batches:
                    # A failure GX could not pin on a batch (an expectation that raised, a missing column): fail
                    # closed, every batch this suite judged is rejected rather than waved through.
                    judged = ids_by_source.get(source_of.get(outcome.suite, ""), [b.load_id for b in batches])
                    for load_id in judged:
                        failures[load_id] += outcome.failures
        record_batches(con, run_id, batches, failures)
        # Read back from the warehouse, not from this attempt: a retry after a crash that followed the recording
        # still reports what this run rejected.
        messages = [_rejection(Batch(load_id, source, file_name), [found], quality_dir)
                    for load_id, source, file_name, found in rejected_in_run(con, run_id)]
        record_gate_run(con, "raw", run_id, not messages, messages)
    finally:
        con.close()
    log.info("raw gate: %d batch(es) validated, %d rejected in this run", len(batches), len(messages))
    for message in messages:
        log.warning("%s", message)
    return messages


def run_mart_gate(warehouse: Path, quality_dir: Path, run_id: str, thresholds: GateSettings | None = None) -> None:
    """Validate every published mart; record the verdict with the marts' fingerprint; raise if it failed."""
    con = connect(warehouse)
    try:
        ensure_gate_tables(con)
        suites, frames = mart_frames(con)
        outcomes = _validate(con, quality_dir, "marts", suites, frames, run_id, thresholds)
        failures = [f"{o.suite}: {f}" for o in outcomes for f in o.failures]
        fingerprint, rows = marts_fingerprint(con, MARTS)
        record_gate_run(con, "marts", run_id, not failures, failures, fingerprint, rows)
        held_back = held_back_note(con) if failures else None
    finally:
        con.close()
    for warning in (f"{o.suite}: {w}" for o in outcomes for w in o.warnings):
        log.warning("mart gate warning (not blocking): %s", warning)
    if failures:
        raise QualityGateFailed("mart gate failed, nothing published (the serving file keeps the last good "
                                "version):\n  - " + "\n  - ".join(failures) +
                                (f"\nNote: {held_back}." if held_back else "") +
                                f"\nFix the data or the model and run the DAG again. Data Docs: "
                                f"{data_docs_index(quality_dir)}")
    log.info("mart gate passed on %s (Data Docs: %s)", ", ".join(f"{m} ({n} rows)" for m, n in rows.items()),
             data_docs_index(quality_dir))


def batches_by_source(batches: list[Batch]) -> dict[str, list[str]]:
    ids_by_source: dict[str, list[str]] = defaultdict(list)
    for batch in batches:
        ids_by_source[batch.source].append(batch.load_id)
    return ids_by_source


def raw_frames(ids_by_source: dict[str, list[str]]) -> tuple[list[Suite], dict[str, str]]:
    """The raw suites of the sources with pending batches, and each one's frame query (one row per batch). The
    benchmark runs the same queries without GX as the gate's bare baseline."""
    suites = [s for s in raw_suites() if s.source in ids_by_source]
    return suites, {s.name: s.query.format(load_ids=_sql_list(ids_by_source[s.source or ""])) for s in suites}


def mart_frames(con: duckdb.DuckDBPyConnection) -> tuple[list[Suite], dict[str, str]]:
    """Every mart suite and its frame query (one row per mart), row counts compared with the last passed gate."""
    last_rows: defaultdict[str, Any] = defaultdict(lambda: "null", last_passed_mart_rows(con))
    suites = mart_suites()
    return suites, {s.name: s.query.format(last_rows=last_rows) for s in suites}


def _rejection(batch: Batch, failures: list[str], quality_dir: Path) -> str:
    return (f"batch {batch.load_id} ({batch.source}, file {batch.file_name}) rejected by the raw gate: "
            f"{'; '.join(failures)}. It stays out of the marts. Deliver a corrected file, or admit it: "
            f"uv run --frozen pipeline gate admit {batch.load_id} --reason '...'. "
            f"Data Docs: {data_docs_index(quality_dir)}")


def _sql_list(values: list[str]) -> str:
    return "(" + ", ".join(quote_literal(v) for v in values) + ")"


def _validate(con: duckdb.DuckDBPyConnection, quality_dir: Path, gate: str, suites: list[Suite],
              frames: dict[str, str], run_id: str, thresholds: GateSettings | None) -> list[SuiteOutcome]:
    """Write each suite's frame as Parquet, then run the gate's Checkpoint (which also updates the Data Docs)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # no usage events leave the machine
    # GX logs its own bookkeeping at INFO, from its import on (a line per asset each time it saves its config: 2,400
    # of the demo's 3,750 Airflow log lines); its warnings and errors still reach the task log.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx  # heavy import (~6 s): only when a gate really runs
    import great_expectations.expectations as gxe
    from great_expectations.core.run_identifier import RunIdentifier

    thresholds = thresholds or load_gate_settings()
    frame_dir = quality_dir / "frames"
    frame_dir.mkdir(parents=True, exist_ok=True)
    for suite in suites:
        path = frame_dir / f"{suite.name}.parquet"
        con.execute(f"copy ({frames[suite.name]}) to {quote_literal(str(path))} (format parquet)")

    context = _context(gx, quality_dir)
    context.variables.progress_bars = {"globally": False}
    datasource = _datasource(context, frame_dir, [suite.name for suite in suites])
    definitions = []
    for suite in suites:
        batch = datasource.get_asset(suite.name).get_batch_definition("frame")
        gx_suite = context.suites.add_or_update(
            gx.ExpectationSuite(name=suite.name, expectations=suite.expectations(gxe, thresholds)))
        definitions.append(context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)))
    _prune(context, {s.name for s in suites}, thresholds.keep_results - 1)
    result_format: dict[str, Any] = {"result_format": "SUMMARY"}
    if gate == "raw":
        result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": ["load_id"]}
    checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
        name=f"{gate}_gate", validation_definitions=definitions, result_format=result_format))
    started = time.perf_counter()
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_id))
    validated = time.perf_counter()
    # One Data Docs build for the whole run: UpdateDataDocsAction rebuilds the index once per suite (~1 s each).
    context.build_data_docs(resource_identifiers=list(result.run_results))
    log.info("%s gate: %d suites validated in %.1fs, Data Docs built in %.1fs: %s", gate, len(definitions),
             validated - started, time.perf_counter() - validated, data_docs_index(quality_dir))
    return [_outcome(r) for r in result.run_results.values()]


def _context(gx: Any, quality_dir: Path) -> Any:
    """The gate's GX project, without the config variables file GX creates with it: GX reads and parses that file
    again at each look at its configuration (about 860 times in the sample's raw gate: 0.6 s of its 3.6 s), and the
    gate's project substitutes no variables (nothing in it is a secret or differs between environments)."""
    context = gx.get_context(mode="file", project_root_dir=str(quality_dir))
    if context.variables.config_variables_file_path:
        context.variables.config_variables_file_path = None
        context.variables.save()
        context = gx.get_context(mode="file", project_root_dir=str(quality_dir))
    return context


def _datasource(context: Any, frame_dir: Path, names: list[str]) -> Any:
    """The gate's pandas datasource, with a Parquet asset for each suite's frame (and its batch definition "frame").
    The missing assets are added in one write of the project's config: added one by one, GX rewrites
    great_expectations.yml twice per asset (0.85 s for the raw gate's 25 in a new project; 0.04 s at once)."""
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.datasource.fluent.pandas_datasource import ParquetAsset

    try:
        datasource = context.data_sources.get(DATASOURCE)
    except KeyError:
        datasource = None
    # An asset without its batch definition (a write GX left half done) is made again, as if missing.
    whole = [asset for asset in (datasource.assets if datasource else [])
             if "frame" in {batch.name for batch in asset.batch_definitions}]
    missing = [ParquetAsset(name=name, path=frame_dir / f"{name}.parquet",
                            batch_definitions=[BatchDefinition(name="frame")])
               for name in names if name not in {asset.name for asset in whole}]
    if datasource is None or missing:
        datasource = context.data_sources.add_or_update_pandas(DATASOURCE, assets=[*whole, *missing])
    return datasource


def _prune(context: Any, suite_names: set[str], keep: int) -> None:
    """Keep each suite's newest ``keep`` results (the run about to start adds one); the next Data Docs update
    drops the pages of the removed ones."""
    store = context.validation_results_store
    by_suite: dict[str, list[Any]] = defaultdict(list)
    for key in store.list_keys():
        if key.expectation_suite_identifier.name in suite_names:
            by_suite[key.expectation_suite_identifier.name].append(key)
    for keys in by_suite.values():
        keys.sort(key=lambda k: k.run_id.run_time)
        for key in keys[:max(len(keys) - keep, 0)]:
            store.remove_key(key)


def _outcome(validation: Any) -> SuiteOutcome:
    failures, warnings, by_batch = [], [], defaultdict(list)
    for r in validation.results:
        if r.success:
            continue
        config = r.expectation_config
        text = _describe(config, r.result)
        critical = str(getattr(config, "severity", "critical")).lower().endswith("critical")
        (failures if critical else warnings).append(text)
        if critical:
            for row in r.result.get("unexpected_index_list") or []:
                if isinstance(row, dict) and "load_id" in row:
                    by_batch[row["load_id"]].append(_describe(config, r.result, row.get(config.kwargs["column"])))
    return SuiteOutcome(validation.suite_name, not failures, failures, warnings, dict(by_batch))


def _readable(value: Any) -> Any:
    """A ratio as people read it: 3151.37, not 3151.370846318149 (six significant digits keep a small share)."""
    return float(f"{value:.6g}") if isinstance(value, float) else value


def _describe(config: Any, result: dict[str, Any], observed: Any = None) -> str:
    kwargs = config.kwargs
    if "value_set" in kwargs:
        expected = "an ISO 4217 code" if len(kwargs["value_set"]) > 20 else f"one of {kwargs['value_set']}"
    else:
        expected = f"between {kwargs.get('min_value')} and {kwargs.get('max_value')}"
    if observed is None:
        observed = (result.get("partial_unexpected_list") or [result.get("observed_value")])[:3]
    observed = [_readable(v) for v in observed] if isinstance(observed, list) else _readable(observed)
    return f"{kwargs.get('column')} = {observed} (expected {expected}: {(config.meta or {}).get('why', '')})"
