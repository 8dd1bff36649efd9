"""Load one landing file into its raw table: one transaction, lineage on every row, rejects quarantined.

For every file ``rows_read = rows_loaded + rows_quarantined`` and the manifest records all three. A file whose
checksum is already in the manifest is skipped, so re-running a load changes nothing; a file killed mid-load
leaves nothing behind (the transaction never committed), and the next run loads it whole. An empty (0-byte) file
is recorded as ``empty`` and loads nothing; it does not stop the other files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import duckdb

from ingest.comment_scores import SCORED_SOURCE, score_unscored_texts
from ingest.encoding import UTF8, detect_encoding, utf8_text
from ingest.errors import IngestError, MissingColumnError, UnreadableFileError, WarehouseSchemaError
from ingest.spec import LINE, Source
from ingest.sql import (
    BLANK_RECORD,
    declared_columns,
    key_from_csv_line,
    keyed_hash,
    quote_ident,
    quote_literal,
    typed_select,
)
from pipeline.settings import load_settings

log = logging.getLogger(__name__)

LINEAGE_COLUMNS = "_load_id, _source, _source_file, _source_row, _loaded_at"
# DuckDB's reader allocates a buffer of this size; an API page is well under 1 MB (250 Shopify orders ~600 KB).
MAX_JSON_LINE_BYTES = 32 * 1024 * 1024
JSON_CHUNK_BYTES = 16 * 1024 * 1024
# A .jsonl file: one JSON document per line, each line read as text (parsed later, in chunks).
JSON_LINES_READER = ("read_csv(?, columns = {'line': 'VARCHAR'}, header = false, delim = '\\x01', quote = '', "
                     f"escape = '', auto_detect = false, max_line_size = {MAX_JSON_LINE_BYTES}, encoding = 'utf-8')")
# A .json file is one whole document, usually pretty-printed: an object (a Graph API body copied from Graph API
# Explorer) or an array of records (Apify's "Download JSON").
WHOLE_JSON_SUFFIX = ".json"
# The text of a rejected record's first line, as `ingest locate` reads a landing file: split at \n, no \r. DuckDB's
# reader can start a CRLF file's rejected line with the previous line's \n.
FIRST_LINE = "rtrim(split_part(ltrim({}, chr(13) || chr(10)), chr(10), 1), chr(13))"
# The delimiters a CSV export may use (Excel in much of Europe writes ';'); the header line's most frequent wins.
CSV_DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class LoadResult:
    source: str
    file: str
    status: str  # loaded | skipped (already loaded) | empty (0 bytes, recorded, nothing loaded)
    load_id: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    records_already_delivered: int = 0
    seconds: float = 0.0
    # The columns with the most rejected rows (at most 3): (column, rows, the first such row's reason).
    top_rejects: tuple[tuple[str, int, str], ...] = ()

    @property
    def reject_share(self) -> float:
        return self.rows_quarantined / self.rows_read if self.rows_read else 0.0

    @property
    def warning(self) -> str | None:
        """What an operator should know about a file that loaded nothing."""
        if self.status == "empty":
            return "the file is empty (0 bytes): recorded as empty in raw.load_manifest, nothing loaded"
        if self.status == "loaded" and self.rows_read == 0:
            return "the file has no rows (a header only): nothing loaded"
        if self.status == "loaded" and self.rows_loaded == 0:
            return f"every row ({self.rows_quarantined}) was quarantined: nothing loaded (see raw.quarantine)"
        return None


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
    # Every empty file has the same checksum: an empty file is known by its path, so each one is recorded.
    identity = checksum if size else hashlib.sha256(str(path).encode()).hexdigest()
    done = con.execute("select load_id from raw.load_manifest where source = ? and checksum = ? and "
                       "(file_bytes > 0 or file_path = ?)", [source.name, checksum, str(path)]).fetchall()
    if done:
        log.info("%s: %s already loaded as %s, skipped", source.name, path.name, done[0][0])
        con.execute("insert or replace into raw.skipped_files values (?, ?, ?, ?)",
                    [str(path), checksum, done[0][0], datetime.now(UTC)])
        return LoadResult(source.name, str(path), "skipped", done[0][0])
    load_id = as_load[0] if as_load else f"{source.name}-{started_at:%Y%m%dT%H%M%S}-{identity[:12]}"
    if size == 0:
        _insert_manifest(con, load_id, source, path, checksum, size, "empty", None, (0, 0, 0), [], started_at)
        result = LoadResult(source.name, str(path), "empty", load_id)
        log.warning("%s: %s: %s; the other files load", source.name, path.name, result.warning)
        return result
    # JSON is UTF-8 by definition (RFC 8259): only a byte-order mark changes that, no guess.
    encoding = detect_encoding(path, load_settings().ingest_encoding if source.format == "csv" else "utf-8")

    con.execute("set variable pii_key = ?", [pii_key])
    try:
        with utf8_text(path, encoding, _temp_dir(con)) as text:
            extra, not_parsed = _stage(con, source, path, text)
        rows_ok, rows_bad, redelivered = _write(con, source, path, load_id, checksum, size, started_at,
                                                extra, not_parsed, encoding)
        top_rejects = _top_rejects(con) if rows_bad else ()
    finally:
        # The staged copy can be as large as the file: free it now, not when the next file replaces it.
        con.execute("drop view if exists _rejected; drop view if exists _typed; drop table if exists _staged; "
                    "drop table if exists _src")
    result = LoadResult(source.name, str(path), "loaded", load_id, rows_ok + rows_bad, rows_ok, rows_bad,
                        redelivered, round(time.perf_counter() - started, 3), top_rejects)
    if encoding not in UTF8:
        log.info("%s: %s is not UTF-8: read as %s", source.name, path.name, encoding)
    if redelivered:
        log.warning("%s: %s re-delivers %d record(s) already loaded (same %s), by an earlier version of this file "
                    "or another file: the newest version wins downstream", source.name, path.name, redelivered,
                    ", ".join(source.key))
    level = logging.WARNING if rows_bad else logging.INFO
    log.log(level, "%s: %s loaded %s rows, quarantined %s in %.2f s (%s rows/s)%s", source.name, path.name,
            f"{rows_ok:,}", f"{rows_bad:,}", result.seconds, f"{(rows_ok + rows_bad) / max(result.seconds, 1e-3):,.0f}",
            _extra_note(extra))
    if result.warning:
        log.warning("%s: %s: %s", source.name, path.name, result.warning)
    return result


def _temp_dir(con: duckdb.DuckDBPyConnection) -> Path:
    """DuckDB's spill folder (<warehouse>.tmp): on the warehouse's disk, sized for copies of landing files."""
    return Path(con.execute("select current_setting('temp_directory')").fetchall()[0][0] or tempfile.gettempdir())


# A good line quarantined with its record's bad line: its reason starts so; the top reasons count it under the label.
SIBLING_REASON = "another line of the same record"
SIBLING_LABEL = "(other lines of a rejected record)"


def _top_rejects(con: duckdb.DuckDBPyConnection) -> tuple[tuple[str, int, str], ...]:
    # A good line held back with its record's bad one is filed under the record's key column (Name): counted there,
    # it would read as a fault in that column.
    return tuple(con.execute(
        f"select case when starts_with(reason, '{SIBLING_REASON}') then '{SIBLING_LABEL}' "
        "else coalesce(column_name, '(line)') end, count(*), "
        "arg_min('row ' || source_row || ': ' || reason, source_row) from _rejected group by 1 order by 2 desc, 1 "
        "limit 3").fetchall())


def _extra_note(extra: list[str]) -> str:
    """Undeclared columns, briefly: a Shopify export has dozens (all recorded in the manifest)."""
    if not extra:
        return ""
    shown = ", ".join(repr(h) for h in extra[:5]) + (", ..." if len(extra) > 5 else "")
    return f"; {len(extra)} undeclared column(s) not loaded (raw.load_manifest.extra_columns): {shown}"


def _stage(con: duckdb.DuckDBPyConnection, source: Source, path: Path, text: Path) -> tuple[list[str], int]:
    """Type and check the file's records (read from ``text``, its UTF-8 version) into ``_staged``, readable with
    record numbers as the view ``_typed``; every rejected record, as the reader's or a check's, is in the view
    ``_rejected``. Returns the undeclared CSV headers and the count of records the reader could not parse."""
    extra: list[str] = []
    if source.format == "csv":
        extra, not_parsed = _stage_csv(con, source, path, text)
    else:
        not_parsed = _stage_jsonl(con, source, path, text)
    for check in source.row_checks:
        con.execute(f"update _staged set _bad_column = ?, _bad_value = {quote_ident(check.column)}::varchar, "
                    f"_reason = ? where rowid in (select _rid from _typed where _reason is null and "
                    f"({check.predicate}))", [check.column, check.reason])
    _reject_whole_records(con, source)
    misfits = "left join _misfit_lines as m on m.source_row = t._row_number" if source.format == "csv" else ""
    con.execute("create or replace temp view _rejected as select _row_number as source_row, _bad_column as "
                f"column_name, _bad_value as raw_value, _reason as reason, "
                f"{'m.line_hash' if misfits else 'null'} as line_hash from _typed as t {misfits} where "
                "_reason is not null union all select source_row, column_name, null, reason, line_hash "
                "from _not_parsed")
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
    rejected = (f"select {keys}, _row_number as _row, coalesce(_bad_column, '(line)') as col, _reason as reason "
                f"from _typed "
                f"where _reason is not null union all "
                f"select {keys}, source_row, coalesce(column_name, '(line)'), reason from _not_parsed")
    first_rejected = (f"select {keys}, {record} as record, {values} as key_value, min(_row) as _row, "
                      f"arg_min(col, _row) as col, arg_min(reason, _row) as reason from ({rejected}) "
                      f"where {' and '.join(f'{quote_ident(k)} is not null' for k in source.key)} group by {keys}")
    reason = (f"'{SIBLING_REASON} (' || b.record || ') was rejected (row ' || b._row || ', ' || b.col "
              "|| ': ' || b.reason || '): a record''s lines load together, so its last good version stays whole'")
    same_key = " and ".join(f"_staged.{quote_ident(k)} = b.{quote_ident(k)}" for k in source.key)
    con.execute(f"update _staged set _bad_column = {quote_literal(', '.join(labels[k] for k in source.key))}, "
                f"_bad_value = b.key_value, _reason = {reason} from ({first_rejected}) b "
                f"where _staged._reason is null and {same_key}")


def _write(con: duckdb.DuckDBPyConnection, source: Source, path: Path, load_id: str, checksum: str, size: int,
           started_at: datetime, extra: list[str], not_parsed: int, encoding: str) -> tuple[int, int, int]:
    """Good rows to the raw table, rejected ones to quarantine, the accounting to the manifest: one
    transaction. Returns rows loaded, rows quarantined and records already delivered by other files."""
    rows_ok, rows_bad = con.execute(
        "select count(*) filter (where _reason is null), count(*) filter (where _reason is not null) "
        "from _typed").fetchall()[0]
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
            f"_row_number, ? from _typed where _reason is null", [load_id, source.name, started_at])
        con.execute(
            "insert into raw.quarantine (load_id, source, file_name, source_row, column_name, raw_value, reason, "
            "quarantined_at, line_hash) select ?, ?, ?, source_row, column_name, raw_value, "
            # The reason reads alone (an alert, a spreadsheet of rejects): file and row first. Row = the record's
            # number in the file (1 = the first data row or JSON record), as in source_row.
            "? || ' row ' || coalesce(source_row::varchar, '?') || ': ' || reason, ?, line_hash "
            "from _rejected", [load_id, source.name, str(path), path.name, started_at])
        _insert_manifest(con, load_id, source, path, checksum, size, "loaded", encoding, (rows_ok, rows_bad,
                         redelivered), extra, started_at)
        if source.name == SCORED_SOURCE:  # the batch's new comment texts are scored in its transaction
            score_unscored_texts(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return rows_ok, rows_bad, redelivered


def _insert_manifest(con: duckdb.DuckDBPyConnection, load_id: str, source: Source, path: Path, checksum: str,
                     size: int, status: str, encoding: str | None, counts: tuple[int, int, int], extra: list[str],
                     started_at: datetime) -> None:
    """One manifest row; ``counts`` = rows loaded, rows quarantined, records already delivered."""
    rows_ok, rows_bad, redelivered = counts
    con.execute("insert into raw.load_manifest (load_id, source, file_path, file_name, checksum, file_bytes, status, "
                "encoding, rows_read, rows_loaded, rows_quarantined, records_already_delivered, extra_columns, "
                "started_at, finished_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [load_id, source.name, str(path), path.name, checksum, size, status, encoding,
                 rows_ok + rows_bad, rows_ok, rows_bad, redelivered, extra, started_at, datetime.now(UTC)])


def _already_delivered(con: duckdb.DuckDBPyConnection, source: Source, table: str) -> int:
    """How many distinct business keys of this file were already loaded (an earlier version of it, other files)."""
    if not source.key:
        return 0
    keys = ", ".join(quote_ident(k) for k in source.key)
    match = " and ".join(f"r.{quote_ident(k)} is not distinct from f.{quote_ident(k)}" for k in source.key)
    # A join, not INTERSECT: the file's few distinct keys are the hash table and the raw table is only probed,
    # instead of de-duplicating every key ever loaded once per file.
    return con.execute(f"select count(*) from (select distinct f.* from (select distinct {keys} from _staged "
                       f"where _reason is null) f join {table} r on {match})").fetchall()[0][0]


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


def _csv_header(path: Path, text: Path) -> tuple[list[str], str, int]:
    """The header's column names, the delimiter and how many lines precede the header, from ``text`` (UTF-8). Not
    DuckDB's sniffer: a file cut inside a quoted value makes it give up, or read every quote as text and split quoted
    values silently. Lines before the header that start with '#' or are blank are a report's preamble (GA4's CSV
    downloads write the account, property and date range so) and are skipped. Some tools end every data line with a
    delimiter but not the header: when the first data lines (up to three) all have one empty value more than the
    header, that value gets a column of its own (DuckDB's name for one without a name), so the records still have as
    many values as the header.
    """
    preamble = 0
    with text.open(encoding="utf-8-sig", newline="") as fh:
        first = fh.readline()
        while first and (first.startswith("#") or not first.strip()):
            preamble += 1
            first = fh.readline()
        first = first.rstrip("\r\n")
        data = [line.rstrip("\r\n") for line in (fh.readline() for _ in range(3)) if line.strip()]
    delimiter = max(CSV_DELIMITERS, key=first.count)  # on a tie the earlier one: ','
    headers = next(csv.reader([first], delimiter=delimiter), [])
    duplicated = sorted(h for h, n in Counter(headers).items() if n > 1)
    if duplicated:
        raise UnreadableFileError(path, f"duplicated header column(s) {duplicated}: each column name must appear once")
    # One value more than the header in each of the first data lines, the last empty: the lines' own delimiter at
    # their end (a line that merely ends with an empty last value has as many values as the header).
    values = list(csv.reader(data, delimiter=delimiter))
    if values and all(len(v) == len(headers) + 1 and v[-1] == "" for v in values):
        headers.append("")
    # DuckDB's name for a column without one.
    return [h or f"column{i}" for i, h in enumerate(headers)], delimiter, preamble


# The reader's column beyond the header's last (_stage_csv): a record with a value there has too many.
_BEYOND_HEADER = "__value beyond the header__"
# The reader's null text: none a file holds, so an empty value reads as '' and only a padded one as null (raw_expr
# then reads '' as null).
_NO_NULL_TEXT = "<no value reads as null here>"


def _stage_csv(con: duckdb.DuckDBPyConnection, source: Source, path: Path, text: Path) -> tuple[list[str], int]:
    """Type the CSV straight from DuckDB's reader into ``_staged``; rows the reader cannot split go to
    ``_not_parsed``. Returns the undeclared headers and the count of unparsed rows."""
    con.execute("drop table if exists _rejects; drop table if exists _reject_scans")
    headers, delimiter, preamble = _csv_header(path, text)
    headers = _declared_spelling(source, path, headers)
    extra = _check_headers(source, path, headers)
    # RFC 4180 quoting, as every store and spreadsheet writes it. A record whose quote is never closed (a file cut
    # short) is then one rejected record, and the complete records before it load.
    # A record must have as many values as the header. DuckDB alone would take one with a single extra, empty value
    # at its end as a "trailing delimiter", and load it with every value after an unquoted delimiter (a name like
    # `Petrov, Ivan`) in the next column: a phone number in a note column, a province as the country. So the reader
    # declares one column beyond the header's, pads short records with nulls (and reads no value as null, so a null
    # means "no such value"): a value beyond the header's, or none for its last column, rejects the record.
    # (DuckDB pads only without its parallel scanner, which cannot pad records with quoted line breaks.)
    columns = "{" + ", ".join(f"{quote_literal(h)}: 'VARCHAR'" for h in [*headers, _BEYOND_HEADER]) + "}"
    options = (f"auto_detect = false, header = true, skip = {preamble}, columns = {columns}, "
               f"delim = {quote_literal(delimiter)}, null_padding = true, parallel = false, "
               f"nullstr = {quote_literal(_NO_NULL_TEXT)}, "
               "quote = '\"', escape = '\"', encoding = 'utf-8', store_rejects = true, rejects_table = '_rejects', "
               "rejects_scan = '_reject_scans'")
    shown_delimiter = {"\t": "a tab"}.get(delimiter, f"'{delimiter}'")
    too_many = (f"unreadable CSV row: it has more values than the header's {len(headers)} columns, so its values "
                f"cannot be matched to columns (a value holding {shown_delimiter} that is not in double quotes?); fix "
                "the row, or export the file again")
    values = "len(list_filter([" + ", ".join(quote_ident(h) for h in headers) + "], lambda v: v is not null))"
    too_few = quote_literal(f" values where the header has {len(headers)} columns, so its values cannot be matched to "
                            "columns; fix the row, or, if it is the last, the file was cut short: export it again")
    too_few = f"'unreadable CSV row: it has ' || {values} || {too_few}"
    record_fault = (f"case when {quote_ident(_BEYOND_HEADER)} is not null then {quote_literal(too_many)} "
                    f"when {quote_ident(headers[-1])} is null then {too_few} end")
    try:
        # One pass: read, type, check, hash and store. The reader only copies the columns the select uses, and
        # insertion order is preserved, so rowid + 1 is the record's ordinal (no window, no untyped copy).
        reader = f"read_csv({quote_literal(str(text))}, {options})"
        con.execute(f"create or replace temp table _staged as "
                    f"{typed_select(source, set(headers), reader, row_number=False, record_fault=record_fault)}")
    except duckdb.Error as exc:
        # DuckDB's full error can quote the offending line, personal data included: not chained into tracebacks.
        raise UnreadableFileError(path, f"not a readable CSV file: {exc}".splitlines()[0]) from None
    # Records the reader rejected (wrong column count, broken quoting); DuckDB's "line" counts the preamble and the
    # header.
    # DuckDB can report several errors of one record: keep the first, and no column for a wrong column count.
    # The record itself may hold anything (emails, names, addresses): only the keyed hash of its (first) line is kept,
    # so an operator can find it in the landing file (`ingest locate`, docs/pii.md). Its key is read for
    # _reject_whole_records.
    keys = "".join(f", {item}" for item in key_from_csv_line(source, headers, delimiter, '"', "csv_line"))
    con.execute(f"create or replace temp table _not_parsed as select source_row, column_name, reason, "
                f"{keyed_hash(FIRST_LINE.format('csv_line'))} as line_hash{keys} from (select line - {1 + preamble} "
                "as source_row, "
                "case when bool_and(error_type = 'TOO MANY COLUMNS') then null "
                "else arg_min(column_name, coalesce(column_idx, 0)) end as column_name, "
                "any_value(csv_line) as csv_line, "
                # DuckDB's count would include the reader's column beyond the header's
                f"case when bool_and(error_type = 'TOO MANY COLUMNS') then {quote_literal(too_many)} else "
                "'unreadable CSV row: ' || arg_min(error_message, coalesce(column_idx, 0)) || case when "
                "bool_or(error_type = 'UNQUOTED VALUE') then ' A quoted value is never closed: if this is the last "
                "row, the file was cut short; export it again.' else '' end end as reason "
                "from _rejects group by line)")
    not_parsed = con.execute("select count(*) from _not_parsed").fetchall()[0][0]
    if not_parsed:
        # The k-th parsed record's true number is k + #{i : R_i - i < k} over rejected numbers R (sorted).
        con.execute("create or replace temp table _gaps as select source_row - row_number() over "
                    "(order by source_row) as before, row_number() over (order by source_row) as skipped "
                    "from _not_parsed")
        con.execute("create or replace temp view _typed as select s.rowid as _rid, s.rowid + 1 + "
                    "coalesce(g.skipped, 0) as _row_number, s.* from _staged s asof left join _gaps g "
                    f"on g.before < s.rowid + 1 where not s.{BLANK_RECORD}")
    else:
        con.execute("create or replace temp view _typed as select rowid as _rid, rowid + 1 as _row_number, * "
                    f"from _staged where not {BLANK_RECORD}")
    _hash_misfit_lines(con, text, preamble, delimiter)
    return extra, not_parsed


def _hash_misfit_lines(con: duckdb.DuckDBPyConnection, text: Path, preamble: int, delimiter: str) -> None:
    """``_misfit_lines``: the keyed hash of the first line of each record rejected for its count of values (the
    reader read it, so unlike the records it rejects it kept no copy of its text), by record number, for
    ``ingest locate`` as docs/pii.md says. Only when there is such a record, Python's csv module reads the file again
    to find where each record starts: it splits records as DuckDB's reader does (a quote inside an unquoted value is
    text, a blank line is no record), which counting quotes per line does not."""
    misfits = {row for (row,) in con.execute(
        "select _row_number from _typed where _reason is not null and _bad_column is null").fetchall()}
    con.execute("create or replace temp table _misfit_lines (source_row bigint, line_hash varchar)")
    if not misfits:
        return
    firsts: list[tuple[int, str]] = []
    csv.field_size_limit(MAX_JSON_LINE_BYTES)  # a long note: DuckDB's reader took it (Python's limit is 128 KiB)
    with text.open(encoding="utf-8-sig", newline="") as fh:
        for _ in range(preamble + 1):  # the preamble and the header, as _csv_header read them
            fh.readline()
        lines: list[str] = []  # the lines of the record being read

        def tracked() -> Iterator[str]:
            for line in fh:
                lines.append(line)
                yield line

        record = 0
        for values in csv.reader(tracked(), delimiter=delimiter):
            first = lines[0]
            lines.clear()
            if values:
                record += 1
                if record in misfits:
                    firsts.append((record, first))
    con.execute("create or replace temp table _misfit_text (source_row bigint, line varchar)")
    con.executemany("insert into _misfit_text values (?, ?)", firsts)
    con.execute(f"insert into _misfit_lines select source_row, {keyed_hash(FIRST_LINE.format('line'))} "
                "from _misfit_text")
    con.execute("drop table _misfit_text")  # the lines' clear text goes no further


def _declared_spelling(source: Source, path: Path, headers: list[str]) -> list[str]:
    """The headers, each declared column's as the source declares it: export tools and the people who re-type a
    template differ in case and spacing ("Profile Visits", "Profile visits", "profile  visits")."""
    declared = {_header_key(c.source): c.source for c in source.columns}
    spelled = [declared.get(_header_key(h), h) for h in headers]
    if duplicated := sorted(h for h, n in Counter(spelled).items() if n > 1):
        raise UnreadableFileError(path, f"header column(s) {duplicated} appear more than once (in other cases or "
                                        "spacing): each column name must appear once")
    return spelled


def _header_key(header: str) -> str:
    return " ".join(header.split()).casefold()


def _check_headers(source: Source, path: Path, headers: list[str]) -> list[str]:
    """Fail the file on missing required columns (naming each); return the undeclared headers."""
    header_set = set(headers)
    declared = {c.source for c in source.columns}
    required = [c.source for c in source.columns if c.header_required]
    if missing := [column for column in required if column not in header_set]:
        raise MissingColumnError(path, missing, ", ".join(required))
    return [h for h in headers if h not in declared]


def _stage_jsonl(con: duckdb.DuckDBPyConnection, source: Source, path: Path, text: Path) -> int:
    """One JSON document per line (a ``.json`` file: one whole document, see _whole_json_reader): invalid JSON and
    pages of the wrong shape go to ``_not_parsed``; the records of the good pages go to ``_src`` with ``doc`` (the
    page without its records), ``item`` (the record) and ``file_path`` (for sources whose account or time is only in
    the file's name or folder), then typed into ``_staged``.

    Pages are parsed in chunks of about JSON_CHUNK_BYTES: DuckDB's JSON parsing needs several times the text's
    size, and one statement over a whole file would not stay within the memory cap."""
    whole_file = path.suffix.lower() == WHOLE_JSON_SUFFIX
    reader = _whole_json_reader(path, text) if whole_file else JSON_LINES_READER
    try:
        con.execute(
            "create or replace temp table _lines as select _row_number, line, "
            f"(sum(length(line)) over (order by _row_number) // {JSON_CHUNK_BYTES}) as _chunk from ("
            f"select row_number() over () as _row_number, line from {reader})", [str(text)])
    except duckdb.Error as exc:
        if whole_file:
            raise UnreadableFileError(path, _whole_json_error(exc)) from None
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
    # An API's error body saved as a page (a rate limit, an expired token) says what went wrong in its own words.
    api_error = ("left(coalesce(json_extract_string(line, '$.response.error.message'), json_extract_string(line, "
                 "'$.response.errors'), json_extract_string(line, '$.error.message'), json_extract_string(line, "
                 "'$.errors')), 200)")
    bad_page_reason = ("case when not valid then 'not valid JSON: expected one JSON document per line' "
                       f"when {api_error} is not null then 'an API error page, not data: ' || {api_error} "
                       "|| ' (fetch the page again)' "
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


def _whole_json_reader(path: Path, text: Path) -> str:
    """The documents of a whole-file JSON as "lines", so records, shapes and quarantine work as for JSON lines: each
    element of a top-level array is one, numbered from 1 (its _row_number, source_row in raw.quarantine); an object
    is one (number 1; several objects one after another are numbered in order). DuckDB's reader streams the array
    element by element, so a large file is never parsed whole."""
    with text.open(encoding="utf-8-sig") as fh:
        first = next((c for block in iter(lambda: fh.read(1 << 16), "") for c in block if not c.isspace()), "")
    if first not in ("[", "{"):
        found = f"it starts with {first!r}" if first else "it holds only blank space"
        raise UnreadableFileError(path, f"is not a JSON object or array ({found}): a .json file must hold one JSON "
                                  "object or an array of records; save the export again as JSON (or, for one JSON "
                                  "document per line, name it .jsonl)")
    layout = "array" if first == "[" else "unstructured"
    return (f"(select json as line from read_json_objects(?, format = '{layout}', "
            f"maximum_object_size = {MAX_JSON_LINE_BYTES}))")


def _whole_json_error(exc: duckdb.Error) -> str:
    """DuckDB's parse error for a whole-file JSON without the file's content (its later lines may quote it)."""
    message = str(exc).splitlines()[0]
    if "Malformed JSON" not in message:  # not the file's fault (memory, disk): DuckDB's words, no blame on the file
        return f"could not be read: {message}"
    # DuckDB's "record/value" count is its own (not the array element): only the byte offset and the reason.
    where = re.search(r"at byte (\d+)[^:]*: (.*)", message)
    detail = f"at byte {where[1]}: {where[2].strip().rstrip('.')}" if where else message
    return (f"is not complete, valid JSON ({detail}): nothing was loaded from it. If it was cut short (a download or "
            "copy that did not finish), download or export it again")


def load_source(con: duckdb.DuckDBPyConnection, source: Source, landing: Path, pii_key: str,
                failed: list[IngestError], retry_unloadable: bool = True) -> list[LoadResult]:
    """Load every file of a source under the landing folder in delivery order: oldest modification time first
    (then by name). Of a record delivered twice, the later load wins downstream, so the later delivery wins. A file
    that cannot be loaded at all (nothing of it is written) goes to ``failed`` and the other files still load; it is
    recorded (raw.unloadable_files), and without ``retry_unloadable`` left out with a warning until it changes."""
    files = sorted((p for p in Path(landing).glob(source.pattern) if p.is_file()),
                   key=lambda p: (p.stat().st_mtime_ns, p.name))
    if not files:
        log.info("%s: no files match %s under %s", source.name, source.pattern, landing)
    results = []
    for n, path in enumerate(files, 1):
        modified = path.stat().st_mtime_ns
        if not retry_unloadable and con.execute("select 1 from raw.unloadable_files where file_path = ? and "
                                                "modified_ns = ?", [str(path), modified]).fetchall():
            log.warning("%s: %s could not be loaded before and has not changed since: left out until it is replaced "
                        "(`ingest load %s` says why)", source.name, path.name, source.name)
            continue
        log.info("%s: file %d/%d %s (%.1f MB)", source.name, n, len(files), path.name, path.stat().st_size / 1e6)
        try:
            results.append(load_file(con, source, path, pii_key))
            con.execute("delete from raw.unloadable_files where file_path = ?", [str(path)])
        except IngestError as exc:
            log.error("%s: %s; the other files load", source.name, exc)
            failed.append(exc)
            con.execute("insert or replace into raw.unloadable_files values (?, ?, ?)",
                        [str(path), modified, datetime.now(UTC)])
    return results


def unmatched_files(landing: Path, sources: Iterable[Source],
                    declared: Iterable[Source]) -> list[tuple[Path, list[str]]]:
    """Files in the folders of ``sources`` that no ``declared`` source's pattern matches (an .xlsx saved into
    tiktok/scraper/, a misnamed export), each with the patterns its folder takes: loading skips them, so they must
    be named, not silently left out. Hidden files (.DS_Store and the like) are not deliveries."""
    declared = list(declared)
    patterns: dict[Path, list[str]] = {}  # folder -> the patterns of the files it takes
    for s in declared:
        for folder in landing.glob(str(PurePosixPath(s.pattern).parent)):
            patterns.setdefault(folder, []).append(s.pattern)
    folders = sorted({d for s in sources if PurePosixPath(s.pattern).parent != PurePosixPath(".")
                      for d in landing.glob(str(PurePosixPath(s.pattern).parent)) if d.is_dir()})
    matched = {p for s in declared for p in landing.glob(s.pattern)}
    return [(p, patterns.get(folder, [])) for folder in folders for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith(".") and p not in matched]


__all__ = ["IngestError", "LoadResult", "ensure_table", "load_file", "load_source", "unmatched_files"]
