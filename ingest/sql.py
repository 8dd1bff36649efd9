"""SQL built from a source declaration: raw value, typed value and rejection rule for every column."""

from __future__ import annotations

from dataclasses import replace

from ingest.spec import COUNT_TEXT, EPOCH_S, TS_OFFSET, UNIX_OR_ISO, Column, Source


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw_expr(source: Source, column: Column, present_headers: set[str]) -> str:
    """The column's value as trimmed text, null when empty (or when an optional CSV header is absent)."""
    if source.format == "csv":
        if column.source not in present_headers:
            return "null::varchar"
        return f"nullif(trim({quote_ident(column.source)}), '')"
    return f"nullif(trim({column.source}), '')"


# Epoch seconds of 0001-01-01 and 9999-12-31 23:59:59: beyond them to_timestamp raises instead of returning null.
_EPOCH_RANGE = (-62135596800, 253402300799)
# typed_select's flag on a CSV record whose every field is empty (the loader leaves such records out).
BLANK_RECORD = "_blank_record"
_NUMERIC = ("DECIMAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER")


def keyed_hash(text: str) -> str:
    """sha256(key || ':' || text) as 64 hex digits. The key lives in a session variable, so it never appears in
    SQL text or logs."""
    return f"sha256(getvariable('pii_key') || ':' || {text})"


def typed_expr(column: Column, raw: str) -> str:
    if column.pii:
        # Kept as the first 128 bits of the keyed hash, a 16-byte number: a hex string would be 80 bytes a value.
        return f"('0x' || left({keyed_hash(f'lower({raw})')}, 32))::uhugeint"
    if column.type == TS_OFFSET:
        parsed = (f"coalesce(try_cast({raw} as timestamptz), try_strptime({raw}, '%Y-%m-%d %H:%M:%S %z'), "
                  f"try_strptime({raw}, '%Y-%m-%dT%H:%M:%S%z'))")
        return f"timezone('UTC', {parsed})"
    if column.type == EPOCH_S:
        seconds = f"try_cast({raw} as bigint)"
        return (f"timezone('UTC', to_timestamp(case when {seconds} between {_EPOCH_RANGE[0]} and {_EPOCH_RANGE[1]} "
                f"then {seconds} end))")
    if column.type == UNIX_OR_ISO:
        # Digits are unix seconds, anything else is read as ISO 8601.
        as_epoch, as_iso = (typed_expr(replace(column, type=kind), raw) for kind in (EPOCH_S, TS_OFFSET))
        return f"case when regexp_full_match({raw}, '-?[0-9]+') then {as_epoch} else {as_iso} end"
    if column.type == COUNT_TEXT:
        # Display counts from scrapers: "304.9K", "1.4M", "2B", "1,234".
        return (f"case when regexp_full_match({raw}, '[0-9][0-9,]*') then try_cast(replace({raw}, ',', '') as bigint)"
                f" when regexp_full_match(upper({raw}), '[0-9]+(\\.[0-9]+)?[KMB]') then "
                f"try_cast(round(try_cast(left({raw}, -1) as double) * case upper(right({raw}, 1)) when 'K' then 1e3 "
                f"when 'M' then 1e6 else 1e9 end) as bigint) end")
    if column.type == "VARCHAR":
        return raw
    if column.type.startswith(_WHOLE):
        # "5.6E+12" casts to 5600000000000: a 13-digit id a spreadsheet rounded, never the right one.
        return f"case when not regexp_matches({raw}, '[eE]') then try_cast({raw} as {column.type}) end"
    if column.type.startswith("DECIMAL"):
        # Excel saves a cell as it shows it: "1,020.00" with its thousands format on. Grouped thousands are read
        # only before a decimal point, so a decimal comma ("85,00", "1,020" in a semicolon-separated export) is
        # still refused, never read as 8500 or 1020.
        return (f"try_cast(case when regexp_full_match({raw}, '-?[0-9]{{1,3}}(,[0-9]{{3}})+\\.[0-9]+') "
                f"then replace({raw}, ',', '') else {raw} end as {column.type})")
    return f"try_cast({raw} as {column.type})"


def output_type(column: Column) -> str:
    if column.pii:
        return "UHUGEINT"
    if column.type in (TS_OFFSET, EPOCH_S, UNIX_OR_ISO):
        return "TIMESTAMP"
    if column.type == COUNT_TEXT:
        return "BIGINT"
    return column.type


def declared_columns(source: Source) -> list[tuple[str, str]]:
    """The raw table's data columns and types, in order (lineage columns not included)."""
    columns = [(c.name, output_type(c)) for c in source.columns]
    columns += [(c.name + "_utc_offset", "VARCHAR") for c in source.columns if c.type == TS_OFFSET]
    columns += [(d.name, d.type) for c in source.columns for d in c.derived]
    return columns


def typed_select(source: Source, present_headers: set[str], relation: str, row_number: bool,
                 record_fault: str | None = None) -> str:
    """Select over ``relation`` (the CSV reader, or staged JSON records) giving typed columns plus
    ``_bad_column``, ``_bad_value`` and ``_reason``; with ``_row_number`` carried through if ``row_number``.

    A row is rejected for its first failing column: a missing required value, a value that does not parse,
    or a value that fails its range check. Before any column, ``record_fault`` (SQL over ``relation``: a reason, or
    null) rejects a record whose values cannot be matched to columns at all, with no column and no value shown.

    Three nested selects so every value is computed once per row: raw text, then typed values, then the
    number of the first failing rule (``_fail``); the rejection's column, value and reason are looked up
    from that number. Conditions written against the typed expressions themselves would re-run every
    cast and parse for each of the three CASEs.
    """
    raws = [f"{raw_expr(source, c, present_headers)} as {_raw(c)}" for c in source.columns]
    typed, extras, rules = [], [], []  # extras: (expression, name) of columns computed beside the typed ones
    for c in source.columns:
        typed.append(f"({typed_expr(c, _raw(c))})::{output_type(c)} as {quote_ident(c.name)}")
        if c.type == TS_OFFSET:
            # Keep the original UTC offset beside the UTC value (attribution uses the shop's local date).
            extras.append((f"regexp_extract({_raw(c)}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$', 1)",
                            quote_ident(c.name + "_utc_offset")))
        value, type_ = quote_ident(c.name), output_type(c)
        label = c.source if source.format == "csv" else c.name
        shown = "null" if c.pii else _raw(c)  # a quarantined row keeps no clear personal data
        problems = []  # (condition, what is wrong with the value)
        if c.required:
            problems.append((f"{_raw(c)} is null", "is empty, but a value is required"))
        if not c.pii and c.type != "VARCHAR":
            unparsed = f"{_raw(c)} is not null and {value} is null"
            if type_.startswith(_NUMERIC) or c.type == EPOCH_S:
                # A number, but one the column cannot hold (an order total of 1e20, a count of -4): say which way,
                # not "not a number".
                number = f"try_cast({_raw(c)} as double)"
                if type_.startswith(_WHOLE):
                    problems.append((f"{unparsed} and regexp_full_match({_raw(c)}, "
                                     "'[+-]?[0-9]*[.]?[0-9]+[eE][+-]?[0-9]+')",
                                     "is in scientific notation, not a whole number"))
                below = "is negative, but a count cannot be" if c.type == COUNT_TEXT else f"is too small for {type_}"
                problems.append((f"{unparsed} and {number} < 0", below))
                problems.append((f"{unparsed} and {number} is not null", f"is too large for {type_}"))
            if type_.startswith("DECIMAL"):
                # "45,00", "1.234,56": a comma and one or two decimals ("1,020" may be a thousand: not named so)
                comma = "'-?[0-9]{1,3}([. ]?[0-9]{3})*,[0-9]{1,2}'"
                problems.append((f"{unparsed} and regexp_full_match({_raw(c)}, {comma})",
                                 "has a decimal comma, as a spreadsheet set to a European language saves it (export "
                                 "the file again from its source, or save it with '.' as the decimal point)"))
            problems.append((unparsed, f"is not {_kind(c)}"))
        if type_ in ("DATE", "TIMESTAMP"):
            # DuckDB holds year 99999 and infinity; Python readers (the quality gate, BI tools) cannot.
            problems.append((f"{value} is not null and not (isfinite({value}) and year({value}) between 1 and 9999)",
                             "is outside the years 1 to 9999"))
        if c.check:
            ordered = type_.startswith(_NUMERIC) or type_ in ("DATE", "TIMESTAMP")
            problems.append((f"{value} is not null and not ({c.check.format(v=value)})",
                             "is out of range" if ordered else "is not accepted"))
        rules += [(cond, label, shown, _reason(c, label, f"{problem} (expected {expect_text(c)})"))
                  for cond, problem in problems]
        # From the clear text, in the same select that hashes it: the clear value goes no further.
        extras += [(f"({d.sql.format(v=_raw(c))})::{d.type}", quote_ident(d.name)) for d in c.derived]
    if source.format == "csv":
        # A row of separators only (",,,,": what a spreadsheet saves for a row it once touched) holds nothing to
        # load or to lose: the loader leaves it out like a blank line instead of quarantining it as a broken row.
        extras.append((f"coalesce({', '.join(_raw(c) for c in source.columns)}) is null", BLANK_RECORD))
    outputs = [quote_ident(c.name) for c in source.columns] + [name for _, name in extras]
    if rules:
        fail = "case " + " ".join(f"when {cond} then {n}" for n, (cond, *_) in enumerate(rules, 1)) + " end"
        bad_column = "[" + ", ".join(quote_literal(label) for _, label, _, _ in rules) + "][_fail]"
        bad_value = "case _fail " + " ".join(f"when {n} then {raw}" for n, (_, _, raw, _) in enumerate(rules, 1))
        reason = "case _fail " + " ".join(f"when {n} then {msg}" for n, (*_, msg) in enumerate(rules, 1))
        bad_value, reason = bad_value + " end", reason + " end"
    else:
        fail, bad_column, bad_value, reason = "null::integer", "null", "null", "null"
    if record_fault:
        # Rule 0, before every column's: no column (lists start at 1) and no value shown.
        fail = f"case when {_RECORD_FAULT} is not null then 0 else {fail} end"
        reason = f"case when _fail = 0 then {_RECORD_FAULT} else {reason} end"
        raws.append(f"({record_fault}) as {_RECORD_FAULT}")
    failure = (f"{bad_column}::varchar as _bad_column, {bad_value}::varchar as _bad_value, "
               f"{reason}::varchar as _reason")
    raw_names = ", ".join([_raw(c) for c in source.columns] + ([_RECORD_FAULT] if record_fault else []))
    carry = "_row_number, " if row_number else ""
    return (f"select {carry}{', '.join(outputs)}, {failure} from ("
            f"select *, {fail} as _fail from ("
            f"select {carry}{raw_names}, {', '.join(typed + [f'{e} as {n}' for e, n in extras])} from ("
            f"select {carry}{', '.join(raws)} from {relation})))")


_RECORD_FAULT = "__record_fault"


def _raw(column: Column) -> str:
    return quote_ident("__raw_" + column.name)


# What a value of each type must be, in reasons and docs/input-templates.md, when a column declares no ``expect``.
_KINDS = {TS_OFFSET: "a date and time", EPOCH_S: "a time in epoch seconds", COUNT_TEXT: "a count",
          UNIX_OR_ISO: "a time in epoch seconds or ISO 8601",
          "DATE": "a date", "TIMESTAMP": "a date and time", "BOOLEAN": "true or false", "JSON": "JSON"}
_EXAMPLES = {TS_OFFSET: "a date and time like 2026-03-01 14:30:00 -0400", EPOCH_S: "epoch seconds like 1772375400",
             COUNT_TEXT: "a count like 1234, 1,234 or 1.4M", "DATE": "a date like 2026-03-01",
             UNIX_OR_ISO: "epoch seconds like 1772375400 or an ISO 8601 time like 2026-03-01T14:30:00Z",
             "TIMESTAMP": "a date and time like 2026-03-01 14:30:00", "BOOLEAN": "true or false", "VARCHAR": "text",
             "JSON": "JSON, kept as it is"}
_WHOLE = ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER")


def _kind(column: Column) -> str:
    if column.type in _KINDS:
        return _KINDS[column.type]
    return "a whole number" if column.type.startswith(_WHOLE) else "a number"


def expect_text(column: Column) -> str:
    """What a valid value looks like: the declaration's ``expect``, else an example for its type."""
    if column.expect:
        return column.expect
    if column.type in _EXAMPLES:
        return _EXAMPLES[column.type]
    return "a whole number like 42" if column.type.startswith(_WHOLE) else "a decimal number like 1250.00"


# Values are quoted in reasons up to this length (a caption can be long; the column raw_value keeps it whole).
_SHOWN_CHARS = 80


def _reason(column: Column, label: str, problem: str) -> str:
    """SQL for a rejection's reason, naming the column, the value and what was expected, e.g.
    column `Total`: 'abc' is not a number (expected a decimal number like 1250.00). A personal-data value is never
    shown."""
    head = quote_literal(f"column `{label}`: ")
    if column.pii:
        return f"{head} || {quote_literal('the value (personal data, not shown) ' + problem)}"
    raw = _raw(column)
    # An empty value has nothing to quote: "column `Name`: the value is empty, but ...".
    value = (f"coalesce(chr(39) || left({raw}, {_SHOWN_CHARS}) || "
             f"case when length({raw}) > {_SHOWN_CHARS} then '...' else '' end || chr(39), 'the value')")
    return f"{head} || {value} || {quote_literal(' ' + problem)}"


def key_from_csv_line(source: Source, headers: list[str], delimiter: str, quote: str, line: str) -> list[str]:
    """Select items reading the source's key columns out of a CSV line the reader rejected (a field too many or
    too few, broken quoting), best effort: the leading fields of such a line are usually intact. A key column that
    cannot be located is null, and a null key rejects no other rows."""
    columns = {c.name: c for c in source.columns}
    d = _regex_char(delimiter)
    q = _regex_char(quote) if quote not in ("", "(empty)") else ""
    # One field: quoted (a doubled quote inside) or up to the next delimiter.
    fields = quote_literal(f"(?:^|{d})({q}(?:[^{q}]|{q}{q})*{q}|[^{d}]*)" if q else f"(?:^|{d})([^{d}]*)")
    items = []
    for name in source.key:
        column = columns[name]
        if column.pii or column.source not in headers:
            items.append(f"null::{output_type(column)} as {quote_ident(name)}")
            continue
        text = f"regexp_extract_all({line}, {fields}, 1)[{headers.index(column.source) + 1}]"
        if q:
            unquoted = quote_literal(f"^{q}(.*){q}$")
            text = (f"replace(regexp_replace({text}, {unquoted}, '\\1', 's'), {quote_literal(quote * 2)}, "
                    f"{quote_literal(quote)})")
        raw = f"nullif(trim({text}), '')"
        items.append(f"({typed_expr(column, raw)})::{output_type(column)} as {quote_ident(name)}")
    return items


def _regex_char(char: str) -> str:
    return char if char.isalnum() or char.isspace() else "\\" + char
