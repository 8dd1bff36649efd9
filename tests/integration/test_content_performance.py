"""Content format and posting time: the marts built from the real sample (dbt build of scale S, seed 7) and the mart
gate that keeps a wrong one from being published."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.gate import QualityGateFailed, run_mart_gate
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings


def test_posting_time_reads_on_the_audience_clock_and_one_best_cell_per_group(con) -> None:
    """Every post reads in its audience's zone (a US audience: New York time, 4 or 5 hours behind UTC); each platform
    and tier group names at most one best format and time, never on a thin cell, and the programme gets one of each."""
    shifts = con.execute("""
        select distinct epoch(posted_at - posted_at_local) / 3600 from marts.content_post_performance
        where audience_time_zone = 'America/New_York'""").fetchall()
    assert {hours for (hours,) in shifts} == {4, 5}, "EDT and EST, never UTC"
    for mart in ("content_format_performance", "posting_time_performance"):
        # A best only where the first cell with enough posts leads the second at two decimals (the shown precision).
        groups = con.execute(f"""
            select platform, tier, count(*) filter (where is_best) as best,
                   count(*) filter (where is_best and not has_enough_posts) as thin_best,
                   list(round(median_engagement_index, 2) order by median_engagement_index desc)
                       filter (where has_enough_posts and median_engagement_index is not null) as eligible
            from marts.{mart} group by all""").fetchall()
        assert all(thin == 0 for *_, thin, _ in groups)
        assert all(best == (1 if len(eligible or []) >= 2 and eligible[0] > eligible[1] else 0)
                   for _, _, best, _, eligible in groups), groups
    # The sample's formats are level (each median 1.00: most accounts post one format); its hours are not.
    assert ("all", "all", 1) in {(p, t, best) for p, t, best, *_ in groups}, "posting times: no programme-wide best"


def test_every_platform_media_type_has_a_format(con) -> None:
    formats = dict(
        con.execute("select content_format, count(*) from marts.content_post_performance group by 1").fetchall()
    )
    assert "unmapped" not in formats
    assert {"instagram_reel", "instagram_static", "instagram_story", "tiktok_video", "youtube_video"} <= set(formats)


@pytest.mark.parametrize(
    ("tamper", "failure"),
    [
        (
            "update marts.posting_time_performance set posts = 3, has_enough_posts = false "
            "where is_best and platform = 'all' and tier = 'all'",
            "thin_cells_named_best",
        ),
        (
            "update marts.posting_time_performance set is_best = true where platform = 'all' and tier = 'all'",
            "groups_with_two_best",
        ),
        (
            "update marts.content_post_performance set attributed_net_revenue = attributed_net_revenue + 1000000 "
            "where post_id = (select min(post_id) from marts.content_post_performance where is_sponsored)",
            "creators_credited_over_roi",
        ),
    ],
)
def test_the_mart_gate_stops_a_best_named_on_thin_data_or_revenue_credited_twice(
    built_warehouse: Path, tmp_path: Path, tamper: str, failure: str
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    assert con.execute(tamper).fetchone()[0] > 0, "the fault must touch a row"
    con.close()
    with pytest.raises(QualityGateFailed, match=failure) as failed:
        run_mart_gate(warehouse, tmp_path / "quality", "run-1")
    assert "nothing published" in str(failed.value)


def _warnings_after(built_warehouse: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, tamper: str,
                    test: str) -> str:
    """What the pipeline logs for the warn test ``test`` run on a copy of the built sample changed by ``tamper``: dbt
    itself says only "Got 1 result" for a warning, the pipeline logs what the test found."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(tamper)
    con.close()
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    with caplog.at_level(logging.WARNING, logger="pipeline.dbt"):
        run_dbt(settings, "test", "--select", test)
    return caplog.text


def test_an_unmapped_media_kind_is_named_in_the_builds_warning(built_warehouse: Path, tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    logged = _warnings_after(built_warehouse, tmp_path, caplog, (
        "insert into intermediate.int_content_posts select * replace ('export/Live' as media_kind, "
        "'unmapped' as content_format, 'Unmapped' as format_label, post_id || '-live' as post_id) "
        "from intermediate.int_content_posts where platform = 'instagram' limit 3"), "warn_unmapped_media_kinds")
    assert ("a test warned: media kind export/Live on instagram (3 posts) is not in seed content_formats: its posts "
            "count as format unmapped; add a row for it to dbt_project/seeds/content_formats.csv") in logged


def test_posts_of_an_account_no_creator_names_are_named_in_the_builds_warning(built_warehouse: Path, tmp_path: Path,
                                                                              caplog: pytest.LogCaptureFixture) -> None:
    """A user trial's creators file had `leo_skin` for the handle `leo.skin`: her scraped videos matched no creator
    and left every mart without a word. The build now warns, naming the account."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    assert con.execute("select count(*) from intermediate.int_posts where creator_id is null").fetchone() == (0,)
    con.close()
    logged = _warnings_after(built_warehouse, tmp_path, caplog, (
        "insert into intermediate.int_posts select * replace (null as creator_id, 'leo.skin' as account_id, "
        "post_id || '-leo' as post_id) from intermediate.int_posts where platform = 'tiktok' limit 4"),
        "warn_posts_without_creator")
    assert ("a test warned: 4 tiktok post(s) of account leo.skin match no creator in marketing/creators*.csv, so no "
            "vetting or content mart counts them: if the account is a creator's, correct the handle or account id in "
            "its row (a typo?)") in logged
