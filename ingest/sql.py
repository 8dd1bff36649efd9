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
        # Keyed hash: the key lives in a session variable, so it never appears in SQL text or logs.
        return f"sha256(getvariable('pii_key') || ':' || lower({raw}))"
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
        return "VARCHAR"
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


def typed_select(source: Source, present_headers: set[str]) -> str:
    """Select over ``_src`` giving typed columns plus ``_bad_column``, ``_bad_value`` and ``_reason``.

    A row is rejected for its first failing column: a missing required value, a value that does not parse,
    or a value that fails its range check.
    """
    raws = {c.name: raw_expr(source, c, present_headers) for c in source.columns}
    inner = ", ".join(f"{raws[c.name]} as {quote_ident('__raw_' + c.name)}" for c in source.columns)
    outs, offsets, failures = [], [], []
    for c in source.columns:
        raw = quote_ident("__raw_" + c.name)
        typed = typed_expr(c, raw)
        outs.append(f"({typed})::{output_type(c)} as {quote_ident(c.name)}")
        if c.type == TS_OFFSET:
            # Keep the original UTC offset beside the UTC value (attribution uses the shop's local date).
            offsets.append(f"regexp_extract({raw}, '([+-][0-9]{{2}}:?[0-9]{{2}}|Z)$', 1) as "
                           f"{quote_ident(c.name + '_utc_offset')}")
        label = quote_literal(c.source if source.format == "csv" else c.name)
        expect = c.expect or f"a value of type {output_type(c)}"
        if c.required:
            missing = quote_literal(f"required value is missing: expected {expect}")
            failures.append((f"{raw} is null", label, raw, missing))
        if not c.pii and c.type != "VARCHAR":
            failures.append((f"{raw} is not null and ({typed}) is null", label, raw,
                             quote_literal(f"cannot parse value: expected {expect}")))
        if c.check:
            check = c.check.format(v=f"({typed})")
            failures.append((f"({typed}) is not null and not ({check})", label, raw,
                             quote_literal(f"value out of range: expected {expect}")))
    bad_column = "case " + " ".join(f"when {cond} then {lab}" for cond, lab, _, _ in failures) + " end"
    bad_value = "case " + " ".join(f"when {cond} then {raw}::varchar" for cond, _, raw, _ in failures) + " end"
    reason = "case " + " ".join(f"when {cond} then {msg}" for cond, _, _, msg in failures) + " end"
    if not failures:
        bad_column = bad_value = reason = "null::varchar"
    cols = ", ".join(outs + offsets)
    return (f"select _row_number, {cols}, {bad_column} as _bad_column, {bad_value} as _bad_value, "
            f"{reason} as _reason from (select _row_number, {inner} from _src)")
