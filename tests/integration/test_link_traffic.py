"""Link clicks (Bitly) and sessions (GA4) load from the tools' real export layouts, and the marts credit every
generated click and session to its creator: CTR and CVR have data (issue 16, clicks and conversion)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def test_bitly_and_ga4_exports_load_with_bad_rows_quarantined_and_the_ga4_preamble_skipped(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    results = load_with_results(["bitly_clicks", "ga4_landing_pages"], FIXTURES, warehouse, PII_TEST_KEY)
    assert {r.source: (r.rows_loaded, r.rows_quarantined) for r in results} == {
        "bitly_clicks": (3, 2), "ga4_landing_pages": (4, 3)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        clicks = con.execute("select bitlink, click_date, clicks from raw.bitly_clicks order by _source_row").fetchall()
        ga4 = con.execute("select landing_page, session_date, sessions, key_events, total_revenue::varchar "
                          "from raw.ga4_landing_pages order by _source_row").fetchall()
        reasons = [r[0] for r in con.execute("select reason from raw.quarantine order by source, source_row")
                   .fetchall()]
    finally:
        con.close()
    # Bitly's CSV day, the API's ISO time and a spreadsheet's MM/DD/YYYY are all kept (staging reads them).
    assert clicks == [("bit.ly/anna-c1", "2026-05-02", 1204), ("bit.ly/anna-c1", "2026-05-03T00:00:00+0000", 87),
                      ("bit.ly/Anna-Story", "05/04/2026", 15)]
    # The nine '#' lines are not rows: the first row is GA4's totals row, loaded (and never counted downstream).
    assert ga4[0] == ("Grand total", None, 1391, 19, "1342.50")
    assert ga4[1][1:] == ("20260502", 1003, 14, "980.40")
    assert reasons == [
        "clicks_2026-05.csv row 4: column `Clicks`: 'n/a' is not a count (expected a count like 1200 or 1,200)",
        "clicks_2026-05.csv row 5: column `Long URL`: 'https://lumenandco.com/products/glow-serum?utm_source="
        "newsletter' is not accepted (expected the destination URL with the creator's ref= id, e.g. "
        "https://shop.example/products/glow-serum?utm_source=instagram&ref=anna-c1)",
        "landing_pages_2026-05.csv row 4: column `Date`: '2026-05-03' is not accepted (expected a day like 20261001 "
        "(YYYYMMDD, as GA4 writes its Date dimension))",
        "landing_pages_2026-05.csv row 6: column `Date`: empty, but every row except GA4's totals row needs one "
        "(expected a day like 20261001: add the Date dimension to the report and download it again)",
        "landing_pages_2026-05.csv row 7: column `Landing page + query string`: empty on a row with a Date (expected "
        "the landing page with its query, e.g. /products/glow-serum?ref=anna-c1; only GA4's totals row has none)",
    ], reasons


def test_generated_clicks_and_sessions_reach_creator_roi_in_full(sample_landing: Path, built_warehouse: Path) -> None:
    """The generator's clicks and sessions on each link's assigned days (ground_truth.json) are exactly what
    creator_roi credits each creator: nothing lost, nothing from outside the dates, no GA4 totals row counted."""
    truth = json.loads((sample_landing / "ground_truth.json").read_text())["link_traffic"]
    con = duckdb.connect(str(built_warehouse), read_only=True)
    try:
        mart = {creator: {"clicks": clicks, "sessions": sessions} for creator, clicks, sessions in con.execute(
            "select creator_id, sum(clicks), sum(sessions) from marts.creator_roi where clicks is not null "
            "or sessions is not null group by 1").fetchall()}
        rates = con.execute("select count(*) filter (where ctr is not null), count(*) filter (where cvr is not null), "
                            "median(cvr) from marts.creator_roi").fetchall()[0]
        raw_clicks = con.execute("select sum(clicks) from raw.bitly_clicks").fetchall()[0][0]
    finally:
        con.close()
    assert truth and mart == truth
    with_ctr, with_cvr, median_cvr = rates
    assert with_ctr > 0 and with_cvr > 0, "CTR and CVR have data"
    assert 0.005 < median_cvr < 0.1, f"a plausible conversion rate of link visits, not {median_cvr}"
    # Links left in bios keep some clicks after their assignment ends: delivered, but credited to nobody.
    assert raw_clicks > sum(t["clicks"] for t in truth.values())


def test_a_ga4_month_with_its_totals_row_passes_the_raw_gate(tmp_path: Path) -> None:
    """GA4's totals row sums a month of landing pages, so its revenue is far above the rows' 99th percentile: the
    raw gate's absurd-amount check rejected every generated GA4 file for it (GA4 revenue is never counted)."""
    from expectations.gate import run_raw_gate

    rows = [f"/products/glow-serum?ref=anna-c1,202605{day:02d},instagram / creator,c1,40,30,1,50.0"
            for day in range(1, 31) for _ in range(10)]
    (tmp_path / "landing" / "ga4").mkdir(parents=True)
    (tmp_path / "landing" / "ga4" / "landing_pages_2026-05.csv").write_text("\n".join([
        "# Landing page", "# Start date: 20260501", "# End date: 20260531",
        "Landing page + query string,Date,Session source / medium,Session campaign,Sessions,Engaged sessions,"
        "Key events,Total revenue",
        f"Grand total,,,,{40 * len(rows)},{30 * len(rows)},{len(rows)},{50.0 * len(rows)}", *rows]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    [result] = load_with_results(["ga4_landing_pages"], tmp_path / "landing", warehouse, PII_TEST_KEY)
    assert (result.rows_loaded, result.rows_quarantined) == (len(rows) + 1, 0)
    assert run_raw_gate(warehouse, tmp_path / "quality", "ga4") == []
