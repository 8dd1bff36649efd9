"""A follower sample as audit tools export it loads into raw.follower_samples: counts parsed, the follower's handle
kept only as a keyed hash beside its length and digit count, and a bad row quarantined with its file, row, column and
what was expected."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.loader import ensure_table, load_file
from ingest.runs import load_with_results
from ingest.spec import LINE, Column, Derived, Source
from ingest.warehouse import check_key_fingerprint, connect
from tests.conftest import PII_TEST_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"
SAMPLE = FIXTURES / "follower_samples" / "instagram_anna.bakes_2026-05-30.csv"
HANDLES = ("maya.lopez", "jonas_fischer", "user84213377", "leo.rossi99", "grace.walsh", "tara_hughes", "nina.berg")


def _clear_text_in(warehouse: Path, values: tuple[str, ...]) -> list[str]:
    """Where any of the values is stored: every text column of every table (even inside a longer text), and the
    bytes of the warehouse file itself (closed, so checkpointed)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        found = []
        for schema, table, column in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where data_type in ('VARCHAR', 'JSON') or data_type like '%[]'").fetchall():
            hits = con.execute(f'select count(*) from "{schema}"."{table}" t, unnest(?::varchar[]) v(value) '
                               f'where contains(t."{column}"::varchar, v.value)', [list(values)]).fetchall()[0][0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
    finally:
        con.close()
    data = warehouse.read_bytes()
    return found + [f"file bytes: {v}" for v in values if v.encode() in data]


def test_a_follower_sample_loads_with_handles_hashed_and_bad_rows_quarantined(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    results = load_with_results(["follower_samples"], FIXTURES, warehouse, PII_TEST_KEY)
    assert [(r.rows_loaded, r.rows_quarantined) for r in results] == [(5, 2)]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select follower_followers, follower_posts, has_profile_picture, bio_length, last_post_at, "
                           "handle_length, handle_digit_count from raw.follower_samples "
                           "order by _source_row").fetchall()
        reasons = [r[0] for r in con.execute("select reason from raw.quarantine where source = 'follower_samples' "
                                             "order by source_row").fetchall()]
    finally:
        con.close()
    assert rows[1][:4] == (1200, 1204, True, 0), "display counts and yes/no are parsed"
    assert rows[2][4] is None, "no last post is allowed"
    assert str(rows[4][4]).startswith("2026-05-28"), "epoch seconds are read as a time"
    # maya.lopez, jonas_fischer, user84213377, leo.rossi99, tara_hughes: counted from the clear handle
    assert [r[5:] for r in rows] == [(10, 0), (13, 0), (12, 8), (11, 2), (11, 0)]
    assert _clear_text_in(warehouse, HANDLES) == [], "a handle is personal data, quarantined rows' included"
    assert reasons[0].startswith(f"{SAMPLE.name} row 5: column `Following`: 'about 500' is not a count"), reasons
    assert "expected a count like 1200" in reasons[0]
    assert reasons[1] == (f"{SAMPLE.name} row 7: column `Posts`: '-4' is negative, but a count cannot be "
                          "(expected a count like 1200, 1,200 or 1.2K)"), reasons


def test_a_json_source_derives_from_the_clear_value_before_hashing(tmp_path: Path) -> None:
    """Derivations are part of the declaration, not of the CSV reader: a JSON source keeps them too."""
    source = Source(
        name="handles_jsonl", pattern="*.jsonl", table="handles_jsonl", format="jsonl", records=LINE,
        description="test", key=("handle",),
        columns=(Column("handle", "item->>'$.handle'", required=True, pii=True,
                        derived=(Derived("handle_digit_count", "length(regexp_replace({v}, '[^0-9]', '', 'g'))"),)),
                 Column("posts", "item->>'$.posts'", "count_text", check="{v} >= 0")))
    path = tmp_path / "handles.jsonl"
    path.write_text('{"handle": " user84213377 ", "posts": "12"}\n{"handle": "maya.lopez", "posts": "-4"}\n'
                    '{"handle": null, "posts": "1"}\n')
    warehouse = tmp_path / "w.duckdb"
    con = connect(warehouse)
    try:
        check_key_fingerprint(con, warehouse, PII_TEST_KEY)
        ensure_table(con, source)
        result = load_file(con, source, path, PII_TEST_KEY)
        rows = con.execute("select handle is not null, handle_digit_count, posts from raw.handles_jsonl").fetchall()
        reasons = [r[0] for r in con.execute("select reason from raw.quarantine order by source_row").fetchall()]
    finally:
        con.close()
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert rows == [(True, 8, 12)], "counted on the trimmed clear value; the hash is kept"
    assert reasons == ["handles.jsonl row 2: column `posts`: '-4' is negative, but a count cannot be "
                       "(expected a count like 1234, 1,234 or 1.4M)",
                       "handles.jsonl row 3: column `handle`: the value (personal data, not shown) is empty, but a "
                       "value is required (expected text)"]
    assert _clear_text_in(warehouse, ("user84213377", "maya.lopez")) == []
