"""SQL built from a source declaration: raw value, typed value and rejection rule for every column."""

from __future__ import annotations

from ingest.spec import COUNT_TEXT, EPOCH_S, TS_OFFSET, Column, Source


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
    if column.type == COUNT_TEXT:
        # Display counts from scrapers: "304.9K", "1.4M", "2B", "1,234".
        return (f"case when regexp_full_match({raw}, '[0-9][0-9,]*') then try_cast(replace({raw}, ',', '') as bigint)"
                f" when regexp_full_match(upper({raw}), '[0-9]+(\\.[0-9]+)?[KMB]') then "
                f"try_cast(round(try_cast(left({raw}, -1) as double) * case upper(right({raw}, 1)) when 'K' then 1e3 "
                f"when 'M' then 1e6 else 1e9 end) as bigint) end")
    if column.type == "VARCHAR":
        return raw
    return f"try_cast({raw} as {column.type})"


def output_type(column: Column) -> str:
    if column.pii:
        return "UHUGEINT"
    if column.type in (TS_OFFSET, EPOCH_S):
        return "TIMESTAMP"
    if column.type == COUNT_TEXT:
        return "BIGINT"
    return column.type


def declared_columns(source: Source) -> list[tuple[str, str]]:
    """The raw table's data columns and types, in order (lineage columns not included)."""
    columns = [(c.name, output_type(c)) for c in source.columns]
    columns += [(c.name + "_utc_offset", "VARCHAR") for c in source.columns if c.type == TS_OFFSET]
    return columns


def typed_select(source: Source, present_headers: set[str], relation: str, row_number: bool) -> str:
    """Select over ``relation`` (the CSV reader, or staged JSON records) giving typed columns plus
    ``_bad_column``, ``_bad_value`` and ``_reason``; with ``_row_number`` carried through if ``row_number``.

    A row is rejected for its first failing column: a missing required value, a value that does not parse,
    or a value that fails its range check.

    Three nested selects so every value is computed once per row: raw text, then typed values, then the
    number of the first failing rule (``_fail``); the rejection's column, value and reason are looked up
    from that number. Conditions written against the typed expressions themselves would re-run every
    cast and parse for each of the three CASEs.
    """
    raws = [f"{raw_expr(source, c, present_headers)} as {_raw(c)}" for c in source.columns]
    typed, offsets, rules = [], [], []
    for c in source.columns:
        typed.append(f"({typed_expr(c, _raw(c))})::{output_type(c)} as {quote_ident(c.name)}")
        if c.type == TS_OFFSET:
            # Keep the original UTC offset beside the UTC value (attribution uses the shop's local date).
            offsets.append((f"regexp_extract({_raw(c)}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$', 1)",
                            quote_ident(c.name + "_utc_offset")))
        value, type_ = quote_ident(c.name), output_type(c)
        label = c.source if source.format == "csv" else c.name
        expect = c.expect or f"a value of type {type_}"
        shown = "null" if c.pii else _raw(c)  # a quarantined row keeps no clear personal data
        if c.required:
            rules.append((f"{_raw(c)} is null", label, shown, f"required value is missing: expected {expect}"))
        if not c.pii and c.type != "VARCHAR":
            unparsed = f"{_raw(c)} is not null and {value} is null"
            if type_.startswith(_NUMERIC) or c.type == EPOCH_S:
                # A number, but one the column cannot hold (an order total of 1e20): say so, not "cannot parse".
                rules.append((f"{unparsed} and try_cast({_raw(c)} as double) is not null", label, shown,
                              f"value out of range: too large for {type_}; expected {expect}"))
            rules.append((unparsed, label, shown, f"cannot parse value: expected {expect}"))
        if type_ in ("DATE", "TIMESTAMP"):
            # DuckDB holds year 99999 and infinity; Python readers (the quality gate, BI tools) cannot.
            rules.append((f"{value} is not null and not (isfinite({value}) and year({value}) between 1 and 9999)",
                          label, shown, f"value out of range: expected {expect} between the years 1 and 9999"))
        if c.check:
            rules.append((f"{value} is not null and not ({c.check.format(v=value)})", label, shown,
                          f"value out of range: expected {expect}"))
    outputs = [quote_ident(c.name) for c in source.columns] + [name for _, name in offsets]
    if rules:
        fail = "case " + " ".join(f"when {cond} then {n}" for n, (cond, *_) in enumerate(rules, 1)) + " end"
        labels = "[" + ", ".join(quote_literal(label) for _, label, _, _ in rules) + "]"
        reasons = "[" + ", ".join(quote_literal(msg) for *_, msg in rules) + "]"
        bad_value = "case _fail " + " ".join(f"when {n} then {raw}" for n, (_, _, raw, _) in enumerate(rules, 1))
        failure = (f"{labels}[_fail] as _bad_column, {bad_value} end::varchar as _bad_value, "
                   f"{reasons}[_fail] as _reason")
    else:
        fail, failure = "null::integer", "null::varchar as _bad_column, null::varchar as _bad_value, " \
                                          "null::varchar as _reason"
    raw_names = ", ".join(_raw(c) for c in source.columns)
    carry = "_row_number, " if row_number else ""
    return (f"select {carry}{', '.join(outputs)}, {failure} from ("
            f"select *, {fail} as _fail from ("
            f"select {carry}{raw_names}, {', '.join(typed + [f'{e} as {n}' for e, n in offsets])} from ("
            f"select {carry}{', '.join(raws)} from {relation})))")


def _raw(column: Column) -> str:
    return quote_ident("__raw_" + column.name)


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
