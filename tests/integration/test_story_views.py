"""Story views and reach quality: Graph API story pages and story insights load in their real shapes
(tests/fixtures/sources/instagram_stories), and a real ``dbt build`` of scale-S sample data (seed 7) flags the planted
ghost audiences in plain words, leaves genuine creators alone and keeps stories out of the posts."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "instagram_stories"


def test_story_pages_and_insights_load_with_current_and_older_metric_names(tmp_path: Path) -> None:
    results = load_with_results(["instagram_stories", "instagram_media_insights"], LANDING, tmp_path / "w.duckdb",
                                PII_TEST_KEY)
    assert {r.source: (r.rows_loaded, r.rows_quarantined) for r in results} == {
        "instagram_stories": (2, 1), "instagram_media_insights": (14, 1)}
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    stories = con.execute("select media_id, media_product_type, posted_at from raw.instagram_stories order by 1"
                          ).fetchall()
    assert [(m, t, str(at)) for m, t, at in stories] == [
        ("18061234567890123", "STORY", "2026-05-03 08:14:52"), ("18061234567890456", "STORY", "2026-05-03 19:41:07")]
    metrics = dict(con.execute("select metric_name, metric_value from raw.instagram_media_insights "
                               "where media_id = '18061234567890123'").fetchall())
    # navigation asked with a breakdown answers a total_value, not a values list.
    assert metrics == {"reach": 812, "views": 951, "replies": 4, "shares": 2, "follows": 1, "profile_visits": 17,
                       "total_interactions": 7, "navigation": 689}
    older = {name for (name,) in con.execute("select metric_name from raw.instagram_media_insights "
                                              "where media_id = '18061234567890456'").fetchall()}
    assert older == {"reach", "impressions", "replies", "exits", "taps_forward", "taps_back"}
    # A story without its timestamp and a negative count are quarantined, each naming its column.
    assert sorted(con.execute("select column_name, raw_value from raw.quarantine").fetchall()) == [
        ("metric_value", "-1"), ("posted_at", None)]


def test_ghost_audiences_are_flagged_in_plain_words_and_genuine_creators_are_not(truth: dict, con) -> None:
    ghosts = {p["creator_id"] for p in truth["planted_creators"] if p["case"] == "ghost_audience"}
    assert len(ghosts) >= 2
    rows = con.execute("""
        select r.creator_id, v.verdict, r.severity, r.is_key_reason, r.detail
        from marts.creator_vetting_reasons as r
        inner join marts.creator_vetting as v on r.creator_id = v.creator_id and r.platform = v.platform
        where r.reason_code = 'low_story_views'
    """).fetchall()
    flagged = {creator for creator, *_ in rows}
    assert flagged == ghosts, "only the planted ghost audiences have low story views"
    for _, verdict, severity, key, detail in rows:
        assert verdict in ("review", "reject") and severity in ("review", "reject") and key
        assert detail.startswith("story views are ") and "% of followers" in detail
        assert "Instagram accounts get" in detail
    genuine = set(truth["genuine_creators"])
    low_video = {c for (c,) in con.execute(
        "select creator_id from marts.creator_vetting_reasons where reason_code = 'low_video_views'").fetchall()}
    assert not low_video & genuine


def test_no_stories_is_a_null_component_not_a_score(con) -> None:
    rows = con.execute("""
        select platform, stories_in_window, story_reach_rate, story_reach_benchmark, reach_quality_score
        from marts.creator_vetting
    """).fetchall()
    without = [r for r in rows if not r[1]]
    assert without and any(r[0] == "instagram" for r in without)
    assert all(rate is None for _, _, rate, _, _ in without)
    assert all(platform == "instagram" for platform, n, *_ in rows if n)  # stories exist on Instagram only
    no_reach = con.execute("""
        select count(*) from marts.creator_vetting_reasons as r
        inner join marts.creator_vetting as v on r.creator_id = v.creator_id and r.platform = v.platform
        where r.reason_code in ('low_story_views', 'low_video_views') and v.reach_quality_score is null
    """).fetchall()[0][0]
    assert no_reach == 0


def test_stories_are_not_posts(con) -> None:
    """A story has no likes or caption: counted as a post it would drag engagement, activity and disclosure."""
    stories = con.execute("select count(*) from intermediate.int_instagram_stories").fetchall()[0][0]
    assert stories > 0
    as_posts = con.execute("""
        select count(*) from intermediate.int_posts
        where post_id in (select media_id from intermediate.int_instagram_stories)
    """).fetchall()[0][0]
    assert as_posts == 0
