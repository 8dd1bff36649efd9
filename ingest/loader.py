"""Load one landing file into its raw table: one transaction, lineage on every row, rejects quarantined.

For every file ``rows_read = rows_loaded + rows_quarantined`` and the manifest records all three. A file whose
checksum is already in the manifest is skipped, so re-running a load changes nothing; a file killed mid-load
leaves nothing behind (the transaction never committed), and the next run loads it whole.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.errors import IngestError, MissingColumnError, UnreadableFileError, WarehouseSchemaError
from ingest.spec import LINE, Source
from ingest.sql import declared_columns, key_from_csv_line, keyed_hash, quote_ident, quote_literal, typed_select

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = "_load_id, _source, _source_file, _source_row, _loaded_at"
# DuckDB's reader allocates a buffer of this size; an API page is well under 1 MB (250 Shopify orders ~600 KB).
MAX_JSON_LINE_BYTES = 32 * 1024 * 1024
JSON_CHUNK_BYTES = 16 * 1024 * 1024
# The text of a rejected record's first line, as `ingest locate` reads a landing file: split at \n, no \r.
FIRST_LINE = "rtrim(split_part({}, chr(10), 1), chr(13))"


@dataclass(frozen=True)
class LoadResult:
    source: str
    file: str
    status: str  # loaded | skipped (already loaded)
    load_id: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    records_already_delivered: int = 0
    seconds: float = 0.0


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_file(con: duckdb.DuckDBPyConnection, source: Source, path: Path, pii_key: str,
              as_load: tuple[str, datetime] | None = None) -> LoadResult:
    """Load one file. ``as_load`` = (load id, start time) reloads it as an earlier load (``ingest rekey``), so
    lineage, "newest version wins" and the gate's records of that load stay valid."""
    started = time.perf_counter()
    started_at = as_load[1] if as_load else datetime.now(UTC)
    path = Path(path)
    size = path.stat().st_size
    checksum = file_checksum(path)
    done = con.execute("select load_id from raw.load_manifest where source = ? and checksum = ?",
                       [source.name, checksum]).fetchall()
    if done:
        log.info("%s: %s already loaded as %s, skipped", source.name, path.name, done[0][0])
        return LoadResult(source.name, str(path), "skipped", done[0][0])
    if size == 0:
        raise UnreadableFileError(path, "the file is empty (expected at least a header or one JSON line)")
    load_id = as_load[0] if as_load else f"{source.name}-{started_at:%Y%m%dT%H%M%S}-{checksum[:12]}"

    con.execute("set variable pii_key = ?", [pii_key])
    try:
        extra, not_parsed = _stage(con, source, path)
        rows_ok, rows_bad, redelivered = _write(con, source, path, load_id, checksum, size, started_at,
                                                extra, not_parsed)
    finally:
        # The staged copy can be as large as the file: free it now, not when the next file replaces it.
        con.execute("drop view if exists _typed; drop table if exists _staged; drop table if exists _src")
    result = LoadResult(source.name, str(path), "loaded", load_id, rows_ok + rows_bad, rows_ok, rows_bad,
                        redelivered, round(time.perf_counter() - started, 3))
    if redelivered:
        log.warning("%s: %s re-delivers %d record(s) already loaded from other files (same %s): the newest "
                    "version wins downstream", source.name, path.name, redelivered, ", ".join(source.key))
    level = logging.WARNING if rows_bad else logging.INFO
    log.log(level, "%s: %s loaded %s rows, quarantined %s in %.2f s (%s rows/s)%s", source.name, path.name,
            f"{rows_ok:,}", f"{rows_bad:,}", result.seconds, f"{(rows_ok + rows_bad) / max(result.seconds, 1e-3):,.0f}",
            _extra_note(extra))
    return result


def _extra_note(extra: list[str]) -> str:
    """Undeclared columns, briefly: a Shopify export has dozens (all recorded in the manifest)."""
    if not extra:
        return ""
    shown = ", ".join(repr(h) for h in extra[:5]) + (", ..." if len(extra) > 5 else "")
    return f"; {len(extra)} undeclared column(s) not loaded (raw.load_manifest.extra_columns): {shown}"


def _stage(con: duckdb.DuckDBPyConnection, source: Source, path: Path) -> tuple[list[str], int]:
    """Type and check the file's records into ``_staged``, readable with record numbers as the view ``_typed``.
    Returns the undeclared CSV headers and the count of records the reader could not parse (``_not_parsed``)."""
    extra: list[str] = []
    if source.format == "csv":
        extra, not_parsed = _stage_csv(con, source, path)
    else:
        not_parsed = _stage_jsonl(con, source, path)
    for check in source.row_checks:
        con.execute(f"update _staged set _bad_column = ?, _bad_value = {quote_ident(check.column)}::varchar, "
                    f"_reason = ? where rowid in (select _rid from _typed where _bad_column is null and "
                    f"({check.predicate}))", [check.column, check.reason])
    _reject_whole_records(con, source)
    return extra, not_parsed


def _reject_whole_records(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """A record can span several rows (every line of a Shopify order shares its ``Name``). When one row of a key is
    rejected, reject the key's other rows in this file too: downstream the newest version of a key wins, so a
    partial new version (say, lines without the order's currency and totals) would replace a whole older one.
    This way the previous version stays whole, and a new record loads whole or not at all."""
    if not source.key:
        return
    keys = ", ".join(quote_ident(k) for k in source.key)
    labels = {c.name: c.source if source.format == "csv" else c.name for c in source.columns}
    record = " || ', ' || ".join(f"{quote_literal(labels[k] + ' ')} || {quote_ident(k)}::varchar"
                                 for k in source.key)  # e.g. 'Name #1001'
    values = " || ', ' || ".join(f"{quote_ident(k)}::varchar" for k in source.key)
    rejected = (f"select {keys}, _row_number as _row, _bad_column as col, _reason as reason from _typed "
                f"where _bad_column is not null union all "
                f"select {keys}, source_row, coalesce(column_name, '(line)'), reason from _not_parsed")
    first_rejected = (f"select {keys}, {record} as record, {values} as key_value, min(_row) as _row, "
                      f"arg_min(col, _row) as col, arg_min(reason, _row) as reason from ({rejected}) "
                      f"where {' and '.join(f'{quote_ident(k)} is not null' for k in source.key)} group by {keys}")
    reason = ("'another line of the same record (' || b.record || ') was rejected (row ' || b._row || ', ' || b.col "
              "|| ': ' || b.reason || '): a record''s lines load together, so its last good version stays whole'")
    same_key = " and ".join(f"_staged.{quote_ident(k)} = b.{quote_ident(k)}" for k in source.key)
    con.execute(f"update _staged set _bad_column = {quote_literal(', '.join(labels[k] for k in source.key))}, "
                f"_bad_value = b.key_value, _reason = {reason} from ({first_rejected}) b "
                f"where _staged._bad_column is null and {same_key}")


def _write(con: duckdb.DuckDBPyConnection, source: Source, path: Path, load_id: str, checksum: str, size: int,
           started_at: datetime, extra: list[str], not_parsed: int) -> tuple[int, int, int]:
    """Good rows to the raw table, rejected ones to quarantine, the accounting to the manifest: one
    transaction. Returns rows loaded, rows quarantined and records already delivered by other files."""
    rows_ok, rows_bad = con.execute(
        "select count(*) filter (where _bad_column is null), count(*) filter (where _bad_column is not null) "
        "from _staged").fetchall()[0]
    rows_bad += not_parsed
    table = f"raw.{quote_ident(source.table)}"
    ensure_table(con, source)
    redelivered = _already_delivered(con, source, table)
    col_list = ", ".join(quote_ident(name) for name, _ in declared_columns(source))
    file_lit = quote_literal(str(path))
    con.execute("begin transaction")
    try:
        con.execute(
            f"insert into {table} ({col_list}, {LINEAGE_COLUMNS}) select {col_list}, ?, ?, {file_lit}, "
            f"_row_number, ? from _typed where _bad_column is null", [load_id, source.name, started_at])
        con.execute(
            "insert into raw.quarantine (load_id, source, file_name, source_row, column_name, raw_value, reason, "
            "quarantined_at, line_hash) select ?, ?, ?, _row_number, _bad_column, _bad_value, _reason, ?, null "
            "from _typed where _bad_column is not null union all "
            "select ?, ?, ?, source_row, column_name, null, reason, ?, line_hash from _not_parsed",
            [load_id, source.name, str(path), started_at] * 2)
        con.execute("insert into raw.load_manifest (load_id, source, file_path, file_name, checksum, file_bytes, "
                    "rows_read, rows_loaded, rows_quarantined, records_already_delivered, extra_columns, started_at, "
                    "finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [load_id, source.name, str(path), path.name, checksum, size, rows_ok + rows_bad, rows_ok,
                     rows_bad, redelivered, extra, started_at, datetime.now(UTC)])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return rows_ok, rows_bad, redelivered


def _already_delivered(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> int:
    """How many distinct business keys of this file were already loaded from other files."""
    if not source.key:
        return 0
    keys = ", ".join(quote_ident(k) for k in source.key)
    match = " and ".join(f"r.{quote_ident(k)} is not distinct from f.{quote_ident(k)}" for k in source.key)
    # A join, not INTERSECT: the file's few distinct keys are the hash table and the raw table is only probed,
    # instead of de-duplicating every key ever loaded once per file.
    return con.execute(f"select count(*) from (select distinct f.* from (select distinct {keys} from _staged "
                       f"where _bad_column is null) f join {table} r on {match})").fetchall()[0][0]


def ensure_table(con: duckdb.DuckDBPyConnection, source: Source) -> None:
    """Create the source's raw table from its declaration (so dbt finds it before the first delivery), and
    add columns declared since it was created. A column whose declared type changed is an error: DuckDB would
    silently cast new values into the old type."""
    table = f"raw.{quote_ident(source.table)}"
    columns = declared_columns(source)
    cols = ", ".join(f"{quote_ident(name)} {type_}" for name, type_ in columns)
    con.execute(f"create table if not exists {table} ({cols}, _load_id varchar not null, _source varchar not null,"
                f" _source_file varchar not null, _source_row bigint not null, _loaded_at timestamptz not null)")
    existing = dict(con.execute(f"select column_name, column_type from (describe {table})").fetchall())
    for name, type_ in columns:
        if name not in existing:
            con.execute(f"alter table {table} add column {quote_ident(name)} {type_}")
        elif existing[name] != type_:
            raise WarehouseSchemaError(
                f"{table}.{name} is {existing[name]} in the warehouse but source {source.name!r} now declares "
                f"{type_}: this warehouse was built by an older release. Rebuild it (delete the warehouse file and "
                f"run the load again; raw files are kept in the landing folder) or alter the column by hand.")


def _page_without_records(records: str) -> str:
    """The page minus its record list, as SQL: every record row keeps the request (account, period) without
    carrying a copy of the whole page (250 Shopify orders would otherwise be copied 250 times)."""
    if "[" in records:  # a path through arrays cannot be patched out; such pages are small (demographics)
        return "line::json"
    patch: object = None
    for key in reversed(records.removeprefix("$.").split(".")):
        patch = {key: patch}
    return f"json_merge_patch(line::json, '{json.dumps(patch)}')"


def _stage_csv(con: duckdb.DuckDBPyConnection, source: Source, path: Path) -> tuple[list[str], int]:
    """Type the CSV straight from DuckDB's reader into ``_staged``; rows the reader cannot split go to
    ``_not_parsed``. Returns the undeclared headers and the count of unparsed rows."""
    con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
    # The same options for the header read as for the load: rejects capture also changes how the sniffer
    # treats a few malformed rows.
    options = ("all_varchar = true, header = true, encoding = 'utf-8', store_rejects = true, "
               "rejects_table = '_rejects', rejects_scan = '_reject_scans'")
    try:
        headers = [r[0] for r in con.execute(f"describe select * from read_csv(?, {options})",
                                             [str(path)]).fetchall()]
        extra = _check_headers(source, path, headers)
        # One pass: read, type, check, hash and store. The reader only copies the columns the select uses, and
        # insertion order is preserved, so rowid + 1 is the record's ordinal (no window, no untyped copy).
        reader = f"read_csv({quote_literal(str(path))}, {options})"
        con.execute(f"create or replace temp table _staged as "
                    f"{typed_select(source, set(headers), reader, row_number=False)}")
    except duckdb.Error as exc:
        # DuckDB's full error can quote the offending line, personal data included: not chained into tracebacks.
        raise UnreadableFileError(path, f"not a readable UTF-8 CSV file: {exc}".splitlines()[0]) from None
    # Records the reader rejected (wrong column count, broken quoting); DuckDB's "line" counts the header.
    # DuckDB reports one error per missing column: keep the first, and no column for a wrong column count.
    # The record itself may hold anything (emails, names, addresses): only the keyed hash of its (first) line is kept,
    # so an operator can find it in the landing file (`ingest locate`, docs/pii.md). Its key is read for
    # _reject_whole_records.
    dialect = con.execute("select delimiter, quote from _reject_scans limit 1").fetchall()
    delimiter, quote = dialect[0] if dialect else (",", '"')
    keys = "".join(f", {item}" for item in key_from_csv_line(source, headers, delimiter, quote, "csv_line"))
    con.execute(f"create or replace temp table _not_parsed as select source_row, column_name, reason, "
                f"{keyed_hash(FIRST_LINE.format('csv_line'))} as line_hash{keys} from (select line - 1 as source_row, "
                "case when bool_and(error_type in ('MISSING COLUMNS', 'TOO MANY COLUMNS')) then null "
                "else arg_min(column_name, coalesce(column_idx, 0)) end as column_name, "
                "any_value(csv_line) as csv_line, "
                "'unreadable CSV row: ' || arg_min(error_message, coalesce(column_idx, 0)) as reason "
                "from _rejects group by line)")
    not_parsed = con.execute("select count(*) from _not_parsed").fetchall()[0][0]
    if not_parsed:
        # The k-th parsed record's true number is k + #{i : R_i - i < k} over rejected numbers R (sorted).
        con.execute("create or replace temp table _gaps as select source_row - row_number() over "
                    "(order by source_row) as before, row_number() over (order by source_row) as skipped "
                    "from _not_parsed")
        con.execute("create or replace temp view _typed as select s.rowid as _rid, s.rowid + 1 + "
                    "coalesce(g.skipped, 0) as _row_number, s.* from _staged s asof left join _gaps g "
                    "on g.before < s.rowid + 1")
    else:
        con.execute("create or replace temp view _typed as select rowid as _rid, rowid + 1 as _row_number, * "
                    "from _staged")
    return extra, not_parsed


def _check_headers(source: Source, path: Path, headers: list[str]) -> list[str]:
    """Fail the file on a missing required or a duplicated column; return the undeclared headers."""
    header_set = set(headers)
    declared = {c.source for c in source.columns}
    for column in source.columns:
        if column.header_required and column.source not in header_set:
            expected = ", ".join(c.source for c in source.columns if c.header_required)
            raise MissingColumnError(path, column.source, expected)
    duplicated = [h for h in headers if h not in declared and h.rstrip("0123456789").endswith("_")
                  and h.rstrip("0123456789")[:-1] in declared]
    if duplicated:
        raise UnreadableFileError(path, f"duplicated header column(s) {duplicated}: each column name must appear once")
    return [h for h in headers if h not in declared]


def _stage_jsonl(con: duckdb.DuckDBPyConnection, source: Source, path: Path) -> int:
    """One JSON document per line: invalid JSON and pages of the wrong shape go to ``_not_parsed``; the
    records of the good pages go to ``_src`` with ``doc`` (the page without its records), ``item`` (the record) and
    ``file_path`` (for sources whose account or time is only in the file's name or folder), then typed into
    ``_staged``.

    Pages are parsed in chunks of about JSON_CHUNK_BYTES: DuckDB's JSON parsing needs several times the text's
    size, and one statement over a whole file would not stay within the memory cap."""
    try:
        con.execute(
            "create or replace temp table _lines as select _row_number, line, "
            f"(sum(length(line)) over (order by _row_number) // {JSON_CHUNK_BYTES}) as _chunk from ("
            "select row_number() over () as _row_number, line from "
            "read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = '\\x01', quote = '', "
            f"escape = '', auto_detect = false, max_line_size = {MAX_JSON_LINE_BYTES}, encoding = 'utf-8'))",
            [str(path)])
    except duckdb.Error as exc:
        raise UnreadableFileError(path, f"not readable as UTF-8 JSON lines: {exc}".splitlines()[0]) from None
    shape = (source.shape or "true").replace("doc", "line::json")
    file_path = f"{quote_literal(str(path))} as file_path"
    if source.records == LINE:
        records = (f"select _row_number, line::json as doc, line::json as item, {file_path} from _pages "
                   "where valid and shaped")
    elif source.records:
        # The page without its records is computed once per page, before unnest repeats it per record.
        records = (f"select _row_number, slim as doc, unnest(json_extract(page, '{source.records}[*]')) as item, "
                   f"{file_path} from (select _row_number, line::json as page, "
                   f"{_page_without_records(source.records)} as slim "
                   "from _pages where valid and shaped)")
    else:
        records = (f"select _row_number, line::json as doc, (line::json)->'$.response' as item, {file_path} "
                   "from _pages where valid and shaped")
    expected_shape = source.shape_expect.replace("'", "''")
    # A bad page has no readable record key: it rejects no other rows (_reject_whole_records).
    types = dict(declared_columns(source))
    no_key = "".join(f", null::{types[k]} as {quote_ident(k)}" for k in source.key)
    bad_page_reason = ("case when not valid then 'not valid JSON: expected one JSON document per line' "
                       f"else 'unexpected JSON shape: expected {expected_shape}' end")
    chunks = [r[0] for r in con.execute("select distinct _chunk from _lines order by 1").fetchall()]
    for n, chunk in enumerate(chunks):
        con.execute(
            "create or replace temp table _pages as select _row_number, line, json_valid(line) as valid, "
            f"case when json_valid(line) then coalesce(({shape}), false) end as shaped "
            "from _lines where _chunk = ? and trim(line) <> ''", [chunk])
        verb = "create or replace temp table {} as" if n == 0 else "insert into {}"
        # A bad page may hold a whole API response of customers: only the line's number and keyed hash are kept.
        con.execute(f"{verb.format('_not_parsed')} select _row_number as source_row, '(line)' as column_name, "
                    f"{bad_page_reason} as reason, {keyed_hash(FIRST_LINE.format('line'))} as line_hash{no_key} "
                    "from _pages "
                    "where not valid or not shaped")
        con.execute(f"{verb.format('_src')} {records}")
    if not chunks:  # an empty-looking file (only blank lines): nothing to stage, nothing lost
        con.execute("create or replace temp table _not_parsed as select null::bigint as source_row, "
                    "null::varchar as column_name, null::varchar as reason, null::varchar as line_hash"
                    f"{no_key} where false")
        con.execute("create or replace temp table _src as select null::bigint as _row_number, null::json as doc, "
                    "null::json as item, null::varchar as file_path where false")
    con.execute("drop table _lines; drop table if exists _pages")
    con.execute(f"create or replace temp table _staged as {typed_select(source, set(), '_src', row_number=True)}")
    con.execute("drop table _src")
    con.execute("create or replace temp view _typed as select rowid as _rid, * from _staged")
    return con.execute("select count(*) from _not_parsed").fetchall()[0][0]


def load_source(con: duckdb.DuckDBPyConnection, source: Source, landing: Path, pii_key: str) -> list[LoadResult]:
    """Load every file of a source under the landing folder, oldest name first."""
    files = sorted(p for p in Path(landing).glob(source.pattern) if p.is_file())
    if not files:
        log.info("%s: no files match %s under %s", source.name, source.pattern, landing)
    results = []
    for n, path in enumerate(files, 1):
        log.info("%s: file %d/%d %s (%.1f MB)", source.name, n, len(files), path.name, path.stat().st_size / 1e6)
        results.append(load_file(con, source, path, pii_key))
    return results


__all__ = ["IngestError", "LoadResult", "ensure_table", "load_file", "load_source"]
