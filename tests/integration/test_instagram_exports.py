"""Instagram files as people save them and the dashboard / discovery-tool exports, through the real ingest, raw gate
and ``dbt build`` (issue 11).

The landing folder tests/fixtures/sources/instagram_exports/ holds: Graph insights saved by hand (bare response
bodies without the request envelope or the metrics' ids, the pre-2025 metric name ``impressions``; the media body
pretty-printed as Graph API Explorer shows it) in
``instagram/<account_id>/``; a Meta Business Suite content export (BOM, CRLF, a two-line caption, ``"1,520"``, a
blank Views cell, the header ``Profile Visits`` in the spec's case where the template declares ``Profile visits``);
a Modash-like creator list (``@Handle``, ``35.5k``, ``1.2m``, ``2.3%``, countries as names or codes); the API's
page for one reel that the export repeats; the account's user object; one creator.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "instagram_exports"
ACCOUNT = "17841405822304914"
REEL, IMAGE, CAROUSEL = "18027939643014021", "18031234567890123", "18034567890123456"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    work = tmp_path_factory.mktemp("instagram_exports")
    path = work / "warehouse.duckdb"
    results = load_with_results(["marketing", "social"], LANDING, path, PII_TEST_KEY)
    loaded = {r.source: (r.rows_loaded, r.rows_quarantined) for r in results if r.status == "loaded"}
    assert loaded == {"creators": (1, 0), "instagram_users": (1, 0), "instagram_media": (1, 0),
                      "instagram_media_insights_saved": (4, 0), "instagram_account_insights_saved": (2, 0),
                      "instagram_post_exports": (3, 0), "discovery_creators": (4, 0)}
    assert run_raw_gate(path, work / "quality", "instagram-exports") == []
    settings = dataclasses.replace(load_settings(), warehouse_path=path)
    run_dbt(settings, "build", "--select", "+int_posts", "+int_shortlist_creators", "stg_instagram__account_insights",
            "--indirect-selection", "cautious")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_saved_bodies_take_account_media_and_day_from_the_folder_and_file_name(warehouse) -> None:
    # The media insights body is pretty-printed, as Graph API Explorer shows it: a .json file is read whole.
    saved = LANDING / "instagram" / ACCOUNT / f"media_insights_{REEL}_2026-03-01.json"
    assert len(saved.read_text().splitlines()) > 1
    rows = warehouse.execute("select distinct account_id, media_id, fetched_at from raw.instagram_media_insights"
                             ).fetchall()
    assert rows == [(ACCOUNT, REEL, datetime(2026, 3, 1))]
    rows = warehouse.execute("select distinct account_id, fetched_at from raw.instagram_account_insights").fetchall()
    assert rows == [(ACCOUNT, datetime(2026, 3, 2))]


def test_deprecated_metric_names_map_to_current_ones(warehouse) -> None:
    media = warehouse.execute("select metric_name, reported_metric_name, metric_value from "
                              "staging.stg_instagram__media_insights order by 1").fetchall()
    assert media == [("reach", "reach", 9800), ("saved", "saved", 55), ("shares", "shares", 120),
                     ("views", "impressions", 14800)]
    account = warehouse.execute("select metric_name, metric_date::varchar, metric_value from "
                                "staging.stg_instagram__account_insights order by 1, 2").fetchall()
    assert account == [("reach", "2026-02-28", 8100), ("reach", "2026-03-01", 8650),
                       ("views", "2026-02-28", 21000), ("views", "2026-03-01", 23500)]


def test_business_suite_posts_reach_the_posts_vetting_reads(warehouse) -> None:
    posts = {r[0]: r[1:] for r in warehouse.execute(
        "select post_id, creator_id, posted_at, is_video, likes, comments, shares, saves, views, reach, is_sponsored "
        "from intermediate.int_posts where platform = 'instagram'").fetchall()}
    assert posts == {
        # In the API too: the API's media and insights win over the export's later, rounder totals.
        REEL: ("cr_anna", datetime(2026, 2, 27, 17, 30), True, 410, 20, 120, 55, 14800, 9800, False),
        # Only in the export: "1,520" parsed, Publish time MM/DD/YYYY HH:MM, the @brand mention is sponsored.
        IMAGE: ("cr_anna", datetime(2026, 3, 4, 18, 12), False, 85, 7, 4, 31, 1520, 980, True),
        # Blank cells are unknown, not zero.
        CAROUSEL: ("cr_anna", datetime(2026, 3, 9, 9, 0), False, 40, 3, None, 12, None, 640, False),
    }


def test_headers_match_the_template_whatever_their_case(warehouse) -> None:
    """`Profile Visits` (as input-formats.md writes it) was listed as an undeclared column and every post's profile
    visits were null; headers now match the declared ones whatever their case and spacing."""
    [export] = (LANDING / "instagram" / "business_suite").glob("*.csv")
    with export.open(encoding="utf-8-sig", newline="") as fh:
        written = [int(row["Profile Visits"]) for row in csv.DictReader(fh) if row["Profile Visits"]]
    assert len(written) >= 2
    visits = warehouse.execute("select count(profile_visits), sum(profile_visits) from raw.instagram_post_exports"
                               ).fetchall()
    assert visits == [(len(written), sum(written))], visits
    [(extra,)] = warehouse.execute("select extra_columns from raw.load_manifest "
                                   "where source = 'instagram_post_exports'").fetchall()
    assert not any("visits" in column.lower() for column in extra or []), extra


def test_discovery_list_becomes_a_shortlist_with_what_is_known(warehouse) -> None:
    rows = {r[0]: r[1:] for r in warehouse.execute(
        "select handle, platform, creator_id, listed_followers, followers, tier, listed_engagement_rate, "
        "benchmark_engagement_rate, country_code, reported_country from intermediate.int_shortlist_creators"
    ).fetchall()}
    assert rows == {
        # Already a creator: matched by handle ("@Anna.Bakes"), the API's follower count wins over the tool's.
        "anna.bakes": ("instagram", "cr_anna", 35_500, 36_210, "micro", 0.023, 0.022, "US", "United States"),
        "leo.lifts": ("instagram", None, 1_200_000, 1_200_000, "mega", 0.009, 0.008, "GB", "GB"),
        # No follower-based TikTok benchmark in the seed; a country name in another language is kept, not guessed.
        "mia.makes": ("tiktok", None, 9_870, 9_870, "nano", 0.061, None, None, "Deutschland"),
        "sam.snacks": ("instagram", None, 48_200, 48_200, "micro", 0.034, 0.022, "GB", "uk"),
    }
