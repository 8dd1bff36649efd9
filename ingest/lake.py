"""The raw batches as Parquet files in a Hive layout that DuckDB and Spark both read (issue 17), when
PIPELINE_LAKE_DIR is set; the DuckDB warehouse stays the system of record.

    <lake>/raw/<table>/load_date=YYYY-MM-DD/<load_id>.parquet   one file per committed batch (rows of raw.<table>)
    <lake>/raw/<table>/load_date=1970-01-01/empty.parquet        no rows: the table's columns, for a reader of a
                                                                 source with no batch yet (Spark infers from files)
    <lake>/state/batch_gate/batch_gate.parquet                   the gate's verdicts (load_id, status, decided_at)
    <lake>/raw/comment_scores/comment_scores.parquet             raw.comment_scores whole: a source dbt reads
                                                                 ungated (its scores belong to no batch)

A reader applies the gate as expectations/state.py's gated views do: the rows of passed and admitted batches, an
admitted batch's _loaded_at = greatest(_loaded_at, decided_at). Types are ones both engines have: a pseudonym
(UHUGEINT, no Spark type) as its 32 hex digits as macro pseudonym_hex writes them, JSON as text, TIMESTAMPTZ as a
UTC instant.

Files are written with DuckDB's COPY to a hidden temporary name (".<name>.tmp": Spark and the *.parquet glob skip
it) and renamed, so a reader never sees half a file. Batches are written after their transaction committed: a
file for every committed batch whose file is missing (`sync`), so a load killed before its commit leaves no file,
and a run killed between commit and write is made up by the next run. A load id always writes the same path with
the same rows, so writing again changes nothing.

Only a local (or mounted) folder: an object store URL (s3://...) would need DuckDB's httpfs extension, which an
offline machine cannot install, and an object store has no atomic rename.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingest.comment_scores import SCORES_TABLE
from ingest.sources import ALL_SOURCES
from ingest.sql import quote_ident, quote_literal

EMPTY_PARTITION = "load_date=1970-01-01"
GATE_STATE = Path("state") / "batch_gate" / "batch_gate.parquet"
# The gate state before the raw gate ever ran (raw.batch_gate does not exist yet): no verdicts.
NO_VERDICTS = "select null::varchar as load_id, null::varchar as status, null::timestamptz as decided_at limit 0"


class LakeError(ValueError):
    """PIPELINE_LAKE_DIR cannot be used; the message says what to set."""


def lake_path(setting: str | None) -> Path | None:
    """The lake folder of the PIPELINE_LAKE_DIR setting (None: no lake)."""
    if setting is None:
        return None
    if "://" in setting:
        raise LakeError(f"PIPELINE_LAKE_DIR={setting!r} is a URL: the lake must be a local or mounted folder "
                        "(an object store needs DuckDB's httpfs extension and has no atomic rename); mount the "
                        "bucket, or unset the variable")
    return Path(setting)


def portable_columns(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """The select list of a relation in types both DuckDB and Spark read from Parquet."""
    select = []
    for name, type_ in con.execute(f"select column_name, column_type from (describe {relation})").fetchall():
        column = quote_ident(name)
        if type_ == "UHUGEINT":  # as dbt_project/macros/portable.sql's pseudonym_hex
            select.append(f"lower(lpad(to_hex({column}), 32, '0')) as {column}")
        elif type_ == "JSON":
            select.append(f"{column}::varchar as {column}")
        else:
            select.append(column)
    return ", ".join(select)


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """COPY the query's rows to target, through a hidden temporary file renamed over it (atomic on one filesystem)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    con.execute(f"copy ({query}) to {quote_literal(str(temp))} (format parquet)")
    os.replace(temp, target)


def sync(con: duckdb.DuckDBPyConnection, lake: Path) -> int:
    """Write every committed batch that has no file yet, and each table's empty schema file; returns batches written."""
    # Each source's raw table and its select list, read once (the batches below reuse them).
    selects = {source.name: (source.table, f"select {portable_columns(con, f'raw.{quote_ident(source.table)}')} "
                                           f"from raw.{quote_ident(source.table)}") for source in ALL_SOURCES.values()}
    for table, select in selects.values():
        _copy(con, f"{select} limit 0", lake / "raw" / table / EMPTY_PARTITION / "empty.parquet")
    batches = con.execute("select load_id, source, strftime(started_at at time zone 'UTC', '%Y-%m-%d') "
                          "from raw.load_manifest where status = 'loaded' and rows_loaded > 0 order by started_at")
    written = 0
    for load_id, source_name, load_date in batches.fetchall():
        table, select = selects[source_name]
        target = lake / "raw" / table / f"load_date={load_date}" / f"{load_id}.parquet"
        if target.exists():
            continue
        _copy(con, f"{select} where _load_id = {quote_literal(load_id)}", target)
        written += 1
    if not (lake / GATE_STATE).exists():
        _copy(con, NO_VERDICTS, lake / GATE_STATE)
    name = SCORES_TABLE.split(".")[-1]
    _copy(con, f"select {portable_columns(con, SCORES_TABLE)} from {SCORES_TABLE}",
          lake / "raw" / name / f"{name}.parquet")
    return written


def write_gate_state(con: duckdb.DuckDBPyConnection, lake: Path) -> None:
    """Replace the gate state snapshot with raw.batch_gate's verdicts (after a gate run or an admission)."""
    _copy(con, "select load_id, status, decided_at from raw.batch_gate order by load_id", lake / GATE_STATE)
