"""The extra sources (WooCommerce, Shopify price rules and discount codes, affiliate exports, TikTok scraper
exports) load from their real shapes with the right types; bad rows are quarantined (tests/fixtures/sources)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


def _load(tmp_path: Path, sources: list[str]) -> tuple[dict[str, tuple[int, int]], duckdb.DuckDBPyConnection]:
    warehouse = tmp_path / "w.duckdb"
    results = load_with_results(sources, FIXTURES, warehouse, PII_TEST_KEY)
    counts = {r.source: (r.rows_loaded, r.rows_quarantined) for r in results}
    return counts, duckdb.connect(str(warehouse), read_only=True)


def test_woocommerce_orders(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["woocommerce_orders"])
    assert counts["woocommerce_orders"] == (2, 1)
    row = con.execute("select created_at, total, email_hash, shipping_country, json_extract_string(coupon_lines, "
                      "'$[0].code'), json_extract_string(refunds, '$[0].total') from raw.woocommerce_orders "
                      "where order_id = 727").fetchall()[0]
    assert str(row[0]) == "2026-05-11 13:55:16" and row[1] == Decimal("51.40")
    assert isinstance(row[2], int) and row[2] > 0 and row[3:] == ("DE", "anna15", "-10.00")  # a pseudonym
    reason = con.execute("select column_name, raw_value from raw.quarantine").fetchall()
    assert reason == [("status", "shipped")]


def test_shopify_price_rules_and_discount_codes(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["shopify_price_rules", "shopify_discount_codes"])
    assert counts == {"shopify_price_rules": (1, 1), "shopify_discount_codes": (1, 0)}
    assert con.execute("select value, value_type, ends_at from raw.shopify_price_rules").fetchall()[0][:2] == (
        Decimal("-15.00"), "percentage")
    assert con.execute("select code, usage_count from raw.shopify_discount_codes").fetchall() == [("ANNA15", 42)]


def test_affiliate_redemptions_need_an_order_reference(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["affiliate_redemptions"])
    assert counts["affiliate_redemptions"] == (2, 1)
    assert con.execute("select source_row, column_name from raw.quarantine").fetchall() == [(3, "order_id")]


def test_tiktok_scraper_exports_parse_display_counts(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["tiktok_scraper_videos"])
    assert counts["tiktok_scraper_videos"] == (1, 1)
    row = con.execute("select follower_count, view_count, like_count, comment_count, share_count, save_count "
                      "from raw.tiktok_scraper_videos").fetchall()[0]
    assert row == (45_200, 1_400_000, 304_900, 1_204, 812, 2_000_000_000)


def test_instagram_account_insights_keep_daily_values(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["instagram_account_insights"])
    assert counts["instagram_account_insights"] == (2, 0)
    rows = con.execute("select metric_name, json_array_length(daily_values) from raw.instagram_account_insights "
                       "order by 1").fetchall()
    assert rows == [("follower_count", 2), ("reach", 2)]


def test_youtube_daily_analytics_by_column_name(tmp_path: Path) -> None:
    counts, con = _load(tmp_path, ["youtube_daily_analytics"])
    assert counts["youtube_daily_analytics"] == (1, 1)  # subscribersLost = -1 is out of range
    row = con.execute("select day, views, likes, subscribers_gained, shares from raw.youtube_daily_analytics"
                      ).fetchall()[0]
    assert (str(row[0]), row[1], row[2], row[3], row[4]) == ("2026-05-02", 1200, 40, 12, None)
