"""Library entry points for loading: what `ingest load` and the Airflow ingest tasks both call, so neither
imports the other's command-line module."""

from __future__ import annotations

from pathlib import Path

from ingest.comment_scores import heal as heal_comment_scores
from ingest.errors import IngestError, RejectShareExceeded
from ingest.lake import lake_path, sync
from ingest.loader import LoadResult, ensure_table, load_source
from ingest.sources import ALL_SOURCES, GROUPS
from ingest.warehouse import check_key_fingerprint, connect
from pipeline.settings import check_pii_key, load_settings


def load_with_results(names: list[str], landing: Path, warehouse: Path, pii_key: str) -> list[LoadResult]:
    """Load the named sources (or groups); raises naming every file that could not be loaded, after every other
    file is loaded and committed. The Airflow ingest tasks call this same function."""
    results, failed = load_sources(names, landing, warehouse, pii_key)
    if error := unloadable(landing, failed):
        raise error
    return results


def load_sources(names: list[str], landing: Path, warehouse: Path, pii_key: str, retry_unloadable: bool = True
                 ) -> tuple[list[LoadResult], list[IngestError]]:
    """Load the named sources (or groups): what loaded, and each file that could not be (nothing of it written).
    Without ``retry_unloadable`` (the ingest DAGs), a file that could not be loaded before and has not changed since
    is left out with a warning (ingest/loader.py)."""
    expanded = [s for name in names for s in GROUPS.get(name, (name,))]
    unknown = [n for n in expanded if n not in ALL_SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}: choose from {sorted(ALL_SOURCES)} or groups {sorted(GROUPS)}")
    check_pii_key(pii_key)
    if not landing.is_dir():
        raise IngestError(landing, "the landing folder does not exist: put the exports there (see `ingest sources`) "
                          "or set PIPELINE_LANDING_DIR (or --landing) to the folder that holds them")
    con = connect(warehouse)
    try:
        check_key_fingerprint(con, warehouse, pii_key)
        for source in ALL_SOURCES.values():
            ensure_table(con, source)  # every raw table exists, even for a source with no delivery yet
        heal_comment_scores(con)  # a warehouse loaded before comments were scored at ingest gets its scores
        failed: list[IngestError] = []
        results = [r for name in expanded
                   for r in load_source(con, ALL_SOURCES[name], landing, pii_key, failed, retry_unloadable)]
        lake = lake_path(load_settings().lake_dir)
        if lake is not None:
            # After the commits: only committed batches, and any a killed earlier run left unwritten.
            sync(con, lake)
    finally:
        con.close()
    return results, failed


def unloadable(landing: Path, failed: list[IngestError]) -> IngestError | None:
    """One error naming each file that could not be loaded, with what to fix; None when every file loaded."""
    if len(failed) == 1:
        return failed[0]
    if failed:
        return IngestError(landing, f"{len(failed)} files could not be loaded (nothing of them was written; every "
                           "other file loaded):\n" + "\n".join(f"  {exc}" for exc in failed))
    return None


def load_status(warehouse: Path) -> list[tuple]:
    """Per source: files, empty files, rows read, loaded and quarantined, from the manifest (read-only)."""
    con = connect(warehouse, read_only=True)
    try:
        return con.execute("select source, count(*), count(*) filter (where file_bytes = 0), sum(rows_read), "
                           "sum(rows_loaded), sum(rows_quarantined) from raw.load_manifest group by source "
                           "order by source").fetchall()
    finally:
        con.close()


def reject_shares_exceeded(results: list[LoadResult], max_share: float) -> RejectShareExceeded | None:
    """The error naming every file of this load whose quarantined share exceeds ``max_share``, with its top reasons
    (None when there is none). Its good rows are committed (nothing is lost); the raw gate keeps its batch out of
    the marts."""
    over = [r for r in results if r.status == "loaded" and r.reject_share > max_share]
    if not over:
        return None
    lines = [f"{len(over)} file(s) have more than {max_share:.0%} of their rows quarantined "
             f"(PIPELINE_GATE_MAX_QUARANTINE_SHARE={max_share:g}); their good rows were loaded:"]
    for r in over:
        reasons = "; ".join(f"{column} x{rows} ({example})" for column, rows, example in r.top_rejects)
        lines.append(f"  {r.file}: {r.rows_quarantined} of {r.rows_read} rows ({r.reject_share:.0%}), load "
                     f"{r.load_id}; top reasons: {reasons}")
    lines.append("Fix the export and deliver it again (it loads as a new version), or, if its rows are right, "
                 "admit the batch once the next pipeline run's raw gate has rejected it (`pipeline gate status` then "
                 "lists it): `pipeline gate admit LOAD_ID --reason ...`; every rejected row and its reason is in "
                 "raw.quarantine (where load_id = LOAD_ID)")
    return RejectShareExceeded("\n".join(lines))


def summarise(results: list[LoadResult]) -> dict[str, int]:
    loaded = [r for r in results if r.status == "loaded"]
    return {"files_loaded": len(loaded), "files_skipped": sum(r.status == "skipped" for r in results),
            "files_empty": sum(r.status == "empty" for r in results),
            "rows_loaded": sum(r.rows_loaded for r in loaded),
            "rows_quarantined": sum(r.rows_quarantined for r in loaded)}


def file_summaries(results: list[LoadResult]) -> list[dict[str, object]]:
    """Per file: what was read, loaded and quarantined (JSON-ready, for the Airflow task's XCom)."""
    return [{"source": r.source, "file": Path(r.file).name, "status": r.status, "load_id": r.load_id,
             "rows_read": r.rows_read, "rows_loaded": r.rows_loaded, "rows_quarantined": r.rows_quarantined}
            for r in results]


def unloaded_files(groups: list[str], landing: Path, warehouse: Path) -> list[Path]:
    """Landing files of the groups' sources that no load has taken yet: not in raw.load_manifest (nor skipped as a
    copy of a loaded file, raw.skipped_files), or modified after their last load or skip (a re-export under the same
    name). Reads the warehouse read-only; a missing warehouse means every file is new."""
    files = {p for name in groups for s in GROUPS.get(name, (name,))
             for p in landing.glob(ALL_SOURCES[s].pattern) if p.is_file()}
    if not warehouse.is_file():
        return sorted(files)
    con = connect(warehouse, read_only=True)
    try:
        # a warehouse of an earlier version has neither table until its next load (read-only creates nothing)
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw' and "
                                            "table_name in ('skipped_files', 'unloadable_files')").fetchall()}
        loaded = dict(con.execute(
            "select file_path, max(seen) from (select file_path, started_at as seen from raw.load_manifest"
            + (" union all select file_path, skipped_at from raw.skipped_files" if "skipped_files" in tables else "")
            + ") group by 1").fetchall())
        # a file no load could take is not new again until it changes (the DAG would fail on it every run)
        unloadable = dict(con.execute("select file_path, modified_ns from raw.unloadable_files").fetchall()
                          if "unloadable_files" in tables else [])
    finally:
        con.close()
    return sorted(p for p in files
                  if unloadable.get(str(p)) != p.stat().st_mtime_ns
                  and (str(p) not in loaded or p.stat().st_mtime > loaded[str(p)].timestamp()))
