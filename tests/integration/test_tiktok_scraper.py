"""TikTok scraper exports reach vetting: real ingest, raw gate and ``dbt build`` on the landing folder
tests/fixtures/sources/tiktok_scraper/ (see its README.md).

It holds Apify clockworks/tiktok-scraper exports as people save them - nested JSON lines, the same flattened with
literal ``authorMeta.name`` keys, the CSV export (``authorMeta/name`` headers) - and a flat snake_case file
(``author_unique_id``, ``create_time`` in ISO), with display counts ("1.4M", "12.5K", "1,234"), and Apify's "Download
JSON" (one pretty-printed array of items); plus a Display API video/list page, one tracking follower snapshot and the
creators template:

- Mia (tiktok_open_id from the Display API) is found by handle; her video ...101 is also in the API page (API wins);
- Ava is listed as ``@Ava.Bakes`` (a leading @, capitals) and found by handle;
- Leo renamed his handle: he is found by user id (the template's tiktok_open_id holds it);
- Noor has no Display API authorisation (a handle, no open_id): her handle is her account; her older video under
  the handle she had before renaming is hers by the user id her newer video shows beside her handle;
- randomdancer (a hashtag-search hit) is nobody's creator.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY, dbt_target_of_its_own

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "tiktok_scraper"
MIA, AVA, LEO = "-000b5e1a7c9d3f2e4a6b8c0d1e2f3a4", "-000c7d2e9f1a3b5c7d9e0f2a4b6c8d0", "6900000000000000003"
NOOR, STRANGER = "noor.knits", "6900000000000000009"
APIFY_JSON = "dataset_tiktok-scraper_2026-05-14_08-30-00-000.json"
FIRST_SCRAPE = "tiktok/scraper/dataset_tiktok-scraper_2026-05-11_09-15-22-123.jsonl"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    work = tmp_path_factory.mktemp("tiktok_scraper")
    path = work / "warehouse.duckdb"
    results = load_with_results(["marketing", "social"], LANDING, path, PII_TEST_KEY)
    loaded = {(r.source, Path(r.file).name): (r.rows_loaded, r.rows_quarantined) for r in results}
    assert loaded == {
        ("creators", "creators.csv"): (4, 0),
        ("follower_snapshots", "followers-2026-05-12.csv"): (1, 0),
        ("tiktok_videos", "video_list-2026-05-12.jsonl"): (2, 0),
        ("tiktok_scraper_videos", "dataset_tiktok-scraper_2026-05-11_09-15-22-123.jsonl"): (5, 0),
        ("tiktok_scraper_videos", "dataset_tiktok-scraper_2026-05-12_07-02-41-877.jsonl"): (2, 0),
        ("tiktok_scraper_videos", "tiktok_videos_2026-05-14.jsonl"): (2, 0),
        ("tiktok_scraper_videos_csv", "dataset_tiktok-scraper_2026-05-13_18-44-09-015.csv"): (2, 0),
        ("tiktok_scraper_videos_json", APIFY_JSON): (3, 0),
    }
    assert run_raw_gate(path, work / "quality", "tiktok-scraper") == []
    with dbt_target_of_its_own(work / "dbt-target"):  # as_of_date: vars of its own
        _build(path, "+creator_vetting", "--vars", "{as_of_date: '2026-05-14'}")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def _build(warehouse: Path, *args: str) -> None:
    run_dbt(dataclasses.replace(load_settings(), warehouse_path=warehouse), "build", "--select", "+int_posts",
            "+int_follower_deltas", *args, "--indirect-selection", "cautious")


def test_every_layout_loads_its_values_not_nulls(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute("""
        select parse_filename(_source_file), video_id, author_id, username, follower_count, posted_at, view_count,
               like_count, comment_count, save_count
        from raw.tiktok_scraper_videos where video_id in ('7365000000000000101', '7365000000000000201',
                                                          '7365000000000000301', '7365000000000000302',
                                                          '7365000000000000401')
        order by 1, 2""").fetchall()
    assert rows == [
        # nested: display counts "1.4M", "12.5K", "1,234", "45.2K"
        ("dataset_tiktok-scraper_2026-05-11_09-15-22-123.jsonl", "7365000000000000101", "6900000000000000001",
         "mia.moves", 45_200, datetime(2026, 5, 2, 17), 1_400_000, 12_500, 1_234, 950),
        ("dataset_tiktok-scraper_2026-05-11_09-15-22-123.jsonl", "7365000000000000201", "6900000000000000002",
         "ava.bakes", 12_500, datetime(2026, 5, 3, 8, 45), 22_300, 1_940, 120, 1_100),
        # flattened dotted keys, createTime in unix seconds only
        ("dataset_tiktok-scraper_2026-05-12_07-02-41-877.jsonl", "7365000000000000302", LEO, "leoparkfilms",
         8_100, datetime(2026, 5, 7, 19, 20), 7_950, 610, 22, 40),
        # CSV export, plain numbers
        ("dataset_tiktok-scraper_2026-05-13_18-44-09-015.csv", "7365000000000000201", "6900000000000000002",
         "ava.bakes", 12_480, datetime(2026, 5, 3, 8, 45), 23_010, 1_988, 124, 1_140),
        # Apify's JSON download: a pretty-printed array, read whole
        (APIFY_JSON, "7365000000000000401", "6900000000000000004", "noor.knits", 9_870, datetime(2026, 5, 11, 18),
         48_300, 2_100, 131, 410),
        # snake_case: create_time ISO 8601, then unix; the second row names no handle, only the user id
        ("tiktok_videos_2026-05-14.jsonl", "7365000000000000301", LEO, "leoparkfilms", 8_150,
         datetime(2026, 5, 13, 15, 30), 12_040, 1_033, 48, 71),
        ("tiktok_videos_2026-05-14.jsonl", "7365000000000000302", LEO, None, 8_150,
         datetime(2026, 5, 7, 19, 20), 8_210, 633, 23, 41),
    ]
    # Each element of the array is one record, numbered from 1 in the file (lineage and quarantine rows).
    elements = warehouse.execute("select _source_row, video_id from raw.tiktok_scraper_videos "
                                 "where parse_filename(_source_file) = ? order by 1", [APIFY_JSON]).fetchall()
    assert elements == [(1, "7365000000000000401"), (2, "7365000000000000402"), (3, "7365000000000000202")]


def test_scraped_posts_reach_int_posts_once_per_video_with_their_creator(warehouse: duckdb.DuckDBPyConnection) -> None:
    posts = {r[0]: r[1:] for r in warehouse.execute(
        "select post_id, account_id, creator_id, views, likes, saves from intermediate.int_posts "
        "where platform = 'tiktok'").fetchall()}
    assert posts == {
        # ...100 only from the API; ...101 in the API and a scrape: the API's exact counts, once (no saves in the API)
        "7365000000000000100": (MIA, "cr_mia", 40_233, 3_020, None),
        "7365000000000000101": (MIA, "cr_mia", 1_401_234, 12_511, None),
        # scraped on 05-11 and again on 05-12 (flattened): the newest scrape's counts
        "7365000000000000102": (MIA, "cr_mia", 101_700, 6_412, 322),
        "7365000000000000103": (MIA, "cr_mia", 15_200, 902, 64),
        # ...201 scraped on 05-11 (JSON) and 05-13 (CSV): the CSV's; Ava's template handle is "@Ava.Bakes"
        "7365000000000000201": (AVA, "cr_ava", 23_010, 1_988, 1_140),
        # ...202 in the 05-13 CSV and the 05-14 JSON download: the download's
        "7365000000000000202": (AVA, "cr_ava", 19_100, 1_560, 901),
        # Leo by user id (his handle changed); ...302 scraped 05-12 and 05-14: the 05-14 snake_case row
        "7365000000000000301": (LEO, "cr_leo", 12_040, 1_033, 71),
        "7365000000000000302": (LEO, "cr_leo", 8_210, 633, 41),
        # Noor is listed by handle only; ...402 was posted under her old handle, and is hers by her user id
        "7365000000000000401": (NOOR, "cr_noor", 48_300, 2_100, 410),
        "7365000000000000402": (NOOR, "cr_noor", 11_600, 742, 88),
        # not a creator: kept under the author's own id, with no creator
        "7365000000000000901": (STRANGER, None, 3_200_000, 410_500, 20_400),
    }
    sponsored = {r[0] for r in warehouse.execute(
        "select post_id from intermediate.int_posts where is_sponsored").fetchall()}
    assert sponsored == {"7365000000000000101", "7365000000000000202", "7365000000000000301", "7365000000000000401"}


def test_follower_counts_at_scrape_time_join_the_follower_history(warehouse: duckdb.DuckDBPyConnection) -> None:
    history = warehouse.execute(
        "select account_id, snapshot_date, followers, snapshot_source from intermediate.int_follower_snapshots "
        "order by 1, 2").fetchall()
    assert history == [
        (MIA, date(2026, 5, 11), 45_200, "tiktok_scraper"),
        (MIA, date(2026, 5, 12), 45_400, "tracking"),  # the scrape said 45,310: the tracking snapshot wins
        (AVA, date(2026, 5, 11), 12_500, "tiktok_scraper"),
        (AVA, date(2026, 5, 13), 12_480, "tiktok_scraper"),
        (AVA, date(2026, 5, 14), 12_600, "tiktok_scraper"),
        (LEO, date(2026, 5, 12), 8_100, "tiktok_scraper"),
        (LEO, date(2026, 5, 14), 8_150, "tiktok_scraper"),  # the date in the file name (no time there)
        (STRANGER, date(2026, 5, 11), 2_100_000, "tiktok_scraper"),
        (NOOR, date(2026, 5, 14), 9_870, "tiktok_scraper"),
    ]
    # One-day deltas need consecutive days: Mia's 05-11 scrape and 05-12 snapshot, Ava's 05-13 and 05-14 scrapes.
    deltas = warehouse.execute("select account_id, snapshot_date, follower_delta "
                               "from intermediate.int_follower_deltas order by 1").fetchall()
    assert deltas == [(MIA, date(2026, 5, 12), 200), (AVA, date(2026, 5, 14), 120)]
    # Followers at post time: Leo's ...301 (05-13) takes the 05-12 scrape's count.
    at_post = warehouse.execute("select followers_at_post from intermediate.int_posts "
                                "where post_id = '7365000000000000301'").fetchall()
    assert at_post == [(8_100,)]


def test_vetting_counts_the_scraped_posts(warehouse: duckdb.DuckDBPyConnection) -> None:
    """Posts to date and sponsored posts as of 2026-05-14 (a dbt var here: the default is the newest snapshot)."""
    rows = warehouse.execute("select account_id, posts_to_date, sponsored_posts from "
                             "intermediate.int_account_vetting_components where platform = 'tiktok' "
                             "order by 1").fetchall()
    assert rows == [(MIA, 4, 1), (AVA, 2, 1), (LEO, 2, 1), (NOOR, 2, 1)]


def test_scrape_snapshots_and_a_handle_only_creator_reach_creator_vetting(warehouse: duckdb.DuckDBPyConnection) -> None:
    """The follower history vetting counts includes the scrapes' counts (no tracking file lists Noor), and Noor,
    listed by handle only, is vetted on her scraped posts."""
    rows = warehouse.execute("select creator_id, account_id, snapshot_days, posts_in_activity_window, sponsored_posts "
                             "from marts.creator_vetting where platform = 'tiktok' order by 1").fetchall()
    assert rows == [("cr_ava", AVA, 3, 2, 1), ("cr_leo", LEO, 2, 2, 1), ("cr_mia", MIA, 2, 4, 1),
                    ("cr_noor", NOOR, 1, 2, 1)]


@pytest.mark.slow
def test_incremental_runs_equal_a_full_refresh(tmp_path: Path) -> None:
    """The first scrape alone, then the rest (the Display API page taking over video ...101, re-scrapes, the CSV, the
    tracking snapshot that outranks a scrape): incremental int_posts and follower deltas equal a full refresh."""
    first = tmp_path / "first"
    for rel in ("marketing/creators.csv", FIRST_SCRAPE):
        (first / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(LANDING / rel, first / rel)
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    for landing, path in ((first, incremental), (LANDING, incremental), (LANDING, full)):
        load_with_results(["marketing", "social"], landing, path, PII_TEST_KEY)
        assert run_raw_gate(path, tmp_path / "quality", "tiktok-scraper") == []
        _build(path, *(("--full-refresh",) if path == full else ()))
        if landing == first:
            before = _incremental_models(path)
    after, expected = _incremental_models(incremental), _incremental_models(full)
    assert before["int_posts"] != after["int_posts"], "the second delivery must change the posts"
    assert after == expected


@pytest.mark.slow
def test_a_creators_update_matching_a_scraped_author_reaches_its_videos_incrementally(tmp_path: Path) -> None:
    """randomdancer's video is nobody's (the author's id is its account) until an update of the creators template
    lists him by handle: nothing about the video arrives again, yet the incremental int_posts credits it to him as a
    full refresh does (the scraped videos follow any change to the template)."""
    update = tmp_path / "update" / "marketing" / "creators-update.csv"
    update.parent.mkdir(parents=True)
    header = (LANDING / "marketing" / "creators.csv").read_text().splitlines()[0]
    update.write_text(f"{header}\ncr_rand,Rand Dancer,US,,,randomdancer,,,\n")
    incremental, full = tmp_path / "incremental.duckdb", tmp_path / "full.duckdb"
    for landing, path in ((LANDING, incremental), (update.parents[1], incremental), (LANDING, full),
                          (update.parents[1], full)):
        load_with_results(["marketing", "social"], landing, path, PII_TEST_KEY)
        assert run_raw_gate(path, tmp_path / "quality", "tiktok-scraper") == []
        if path == incremental:
            _build(path)
            if landing == LANDING:
                before = _incremental_models(path)
    _build(full, "--full-refresh")
    after, expected = _incremental_models(incremental), _incremental_models(full)
    con = duckdb.connect(str(incremental), read_only=True)
    credited = con.execute("select account_id, creator_id from intermediate.int_posts "
                           "where post_id = '7365000000000000901'").fetchall()
    con.close()
    assert credited == [("randomdancer", "cr_rand")], "the update credits the video to the creator it lists"
    assert before["int_posts"] != after["int_posts"]
    assert after == expected


def _incremental_models(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {m: con.execute(f"select * exclude (source_loaded_at) from intermediate.{m} order by all").fetchall()
                for m in ("int_posts", "int_follower_deltas")}
    finally:
        con.close()
