"""How a source is declared: where its files are, how a record is found in them, and its typed columns.

The loader turns a declaration into DuckDB SQL, so parsing, casting, validation and pseudonymisation run
set-based inside DuckDB; no Python touches individual rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds beyond plain DuckDB types.
TS_OFFSET = "timestamp_with_offset"  # '2025-05-11 09:55:16 -0400' or ISO 8601: stored as UTC + the offset kept
EPOCH_S = "epoch_seconds"
MONEY = "DECIMAL(18,2)"
COUNT = "BIGINT"
COUNT_TEXT = "count_text"  # "304.9K", "1.4M", "2B", "1,234" or plain digits


@dataclass(frozen=True)
class Column:
    """One target column.

    ``source`` is the CSV header name, or for JSON sources a SQL expression over ``item`` (the record) and
    ``doc`` (the whole API page with its request), e.g. ``item->>'$.id'``.
    """

    name: str
    source: str
    type: str = "VARCHAR"
    required: bool = False          # a null/empty value rejects the row
    header_required: bool = True    # CSV: a file without this header fails (False: older exports lack it)
    pii: bool = False               # replaced by a keyed hash at ingest; the clear value is never stored
    check: str | None = None        # SQL predicate over the typed value ``{v}``; false rejects the row
    expect: str = ""                # what a valid value looks like, for quarantine reasons


@dataclass(frozen=True)
class Source:
    name: str
    pattern: str                    # glob under the landing folder
    table: str                      # raw.<table>
    format: str                     # "csv" or "jsonl"
    columns: tuple[Column, ...]
    description: str
    records: str | None = None      # jsonl: JSON path of the record list in a page; None = the page itself
    shape: str | None = None        # jsonl: SQL predicate over ``doc`` a page must satisfy
    shape_expect: str = ""
    key: tuple[str, ...] = field(default_factory=tuple)  # business key (the newest version wins downstream)
