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


def typed_expr(column: Column, raw: str) -> str:
    if column.pii:
        # Keyed hash: the key lives in a session variable, so it never appears in SQL text or logs. Kept as the
        # first 128 bits, a 16-byte number: a hex string would be 80 bytes a value, in memory and on disk.
        return f"('0x' || left(sha256(getvariable('pii_key') || ':' || lower({raw})), 32))::uhugeint"
    if column.type == TS_OFFSET:
        parsed = (f"coalesce(try_cast({raw} as timestamptz), try_strptime({raw}, '%Y-%m-%d %H:%M:%S %z'), "
                  f"try_strptime({raw}, '%Y-%m-%dT%H:%M:%S%z'))")
        return f"timezone('UTC', {parsed})"
    if column.type == EPOCH_S:
        return f"timezone('UTC', to_timestamp(try_cast({raw} as bigint)))"
    if column.type == COUNT_TEXT:
        # Display counts from scrapers: "304.9K", "1.4M", "2B", "1,234".
        return (f"case when regexp_full_match({raw}, '[0-9][0-9,]*') then try_cast(replace({raw}, ',', '') as bigint)"
                f" when regexp_full_match(upper({raw}), '[0-9]+(\\.[0-9]+)?[KMB]') then "
                f"round(try_cast(left({raw}, -1) as double) * case upper(right({raw}, 1)) when 'K' then 1e3 "
                f"when 'M' then 1e6 else 1e9 end)::bigint end")
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
        value = quote_ident(c.name)
        label = c.source if source.format == "csv" else c.name
        expect = c.expect or f"a value of type {output_type(c)}"
        if c.required:
            rules.append((f"{_raw(c)} is null", label, _raw(c), f"required value is missing: expected {expect}"))
        if not c.pii and c.type != "VARCHAR":
            rules.append((f"{_raw(c)} is not null and {value} is null", label, _raw(c),
                          f"cannot parse value: expected {expect}"))
        if c.check:
            rules.append((f"{value} is not null and not ({c.check.format(v=value)})", label, _raw(c),
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
