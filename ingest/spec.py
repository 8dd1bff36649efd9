"""How a source is declared: where its files are, how a record is found in them, and its typed columns.

The loader turns a declaration into DuckDB SQL, so parsing, casting, validation and pseudonymisation run
set-based inside DuckDB; no Python touches individual rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds beyond plain DuckDB types.
TS_OFFSET = "timestamp_with_offset"  # '2025-05-11 09:55:16 -0400' or ISO 8601: stored as UTC + the offset kept
EPOCH_S = "epoch_seconds"
UNIX_OR_ISO = "unix_or_iso_time"  # scraper exports: unix seconds (1778500000) or ISO 8601; stored as UTC
MONEY = "DECIMAL(18,2)"
COUNT = "BIGINT"
COUNT_TEXT = "count_text"  # "304.9K", "1.4M", "2B", "1,234" or plain digits
LINE = "line"


@dataclass(frozen=True)
class Derived:
    """A column computed from another column's clear text before that column is typed or pseudonymised: a follower's
    handle is stored as a keyed hash, but how many digits it has is a sign of a bot and is not personal.

    ``sql`` is a SQL expression over ``{v}``, the trimmed text of the column (null when empty). A derived value is
    never checked or quarantined: the column it comes from is.
    """

    name: str
    sql: str
    type: str = "BIGINT"


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
    doc: str = ""                   # what the column means, for docs/input-templates.md (ingest/docs.py)
    derived: tuple[Derived, ...] = ()  # more target columns computed from this one's clear text


@dataclass(frozen=True)
class RowCheck:
    """A rule over a whole typed row (several columns, other rows of the file, or tables already loaded).

    ``predicate`` is SQL over the typed columns of ``_typed`` that is true for a BAD row, e.g.
    ``valid_to < valid_from``. The row is quarantined naming ``column`` and its value.
    """

    column: str
    predicate: str
    reason: str


# ISO 4217 active codes: an order or contract in any other currency is quarantined (no FX, no sum).
ISO_CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
""".split())
CURRENCY_CHECK = "{v} in (" + ", ".join(f"'{c}'" for c in sorted(ISO_CURRENCIES)) + ")"
CURRENCY_EXPECT = "an ISO 4217 currency code such as USD, EUR, GBP"
NOT_IN_FUTURE = "{v} <= now()::timestamp + interval '1 day'"


@dataclass(frozen=True)
class Source:
    name: str
    pattern: str                    # glob under the landing folder
    table: str                      # raw.<table>
    format: str                     # "csv" or "jsonl"
    columns: tuple[Column, ...]
    description: str
    records: str | None = None      # jsonl: JSON path of the record list in a page; None = the page's response;
                                    # LINE = each line is itself one record (no API envelope, e.g. scraper exports)
    shape: str | None = None        # jsonl: SQL predicate over ``doc`` a page must satisfy
    shape_expect: str = ""
    key: tuple[str, ...] = field(default_factory=tuple)  # business key (the newest version wins downstream)
    row_checks: tuple[RowCheck, ...] = ()
