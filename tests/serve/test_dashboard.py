"""The dashboard's pages run through Streamlit's AppTest (no browser) against a real published serving file: every
page renders, the headline numbers equal the marts recomputed here in SQL, filters change the leaderboard, the
status page shows the version and the gate (a failed one too), and no customer data reaches any page."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from serve.creator_names import label_shared_names
from serve.report import summary
from tests.serve.conftest import Published

APP = Path(__file__).resolve().parents[2] / "serve" / "dashboard" / "app.py"
PAGES = ("views/overview.py", "views/leaderboard.py", "views/creator.py", "views/campaigns.py", "views/status.py",
         "views/budget.py", "views/customer_value.py", "views/seeding.py", "views/rates.py", "views/content.py")


@pytest.fixture
def env(published: Published, monkeypatch: pytest.MonkeyPatch) -> Published:
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(published.serving_dir))
    monkeypatch.setenv("PIPELINE_QUALITY_DIR", str(published.quality_dir))
    return published


def _app(page: str = PAGES[0]) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _sql(published: Published, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(published.serving_dir / "current" / "marts.duckdb"), read_only=True)
    label_shared_names(con)  # as the dashboard reads the marts: a name two creators share carries the creator id
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


# What the marts' reasons carry for analysts and a reader must not see: snake_case codes (formats, mart names), campaign
# and contract ids.
_CODE = re.compile(r"\b(?!cr_\d+\b)[a-z]+_[a-z_0-9]+")


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,.]*", text)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%×"))


def test_every_page_renders_without_an_exception(env: Published) -> None:
    for page in PAGES:
        at = _app(page)
        assert at.title, f"{page} has no title"
        assert not at.warning, f"{page}: {[w.value for w in at.warning]}"
        # A missing value reads "–" in every table (Streamlit's default is the word "None").
        assert all(table.proto.placeholder == "–" for table in at.dataframe), page


def test_overview_headline_numbers_equal_the_marts(env: Published) -> None:
    cost, revenue, orders, creators = _sql(env, "select sum(creator_cost), sum(net_revenue), sum(orders), "
                                                "count(distinct creator_id) from creator_roi")[0]
    metrics = _metrics(_app())
    assert _number(metrics["Spend (USD)"]) == round(float(cost))
    assert _number(metrics["Net revenue (USD)"]) == round(float(revenue))
    assert _number(metrics["ROI"]) == round(float((revenue - cost) / cost) * 100, 1)
    assert _number(metrics["ROAS"]) == round(float(revenue / cost), 2)
    assert _number(metrics["Attributed orders"]) == orders
    assert _number(metrics["Creators"]) == creators
    worst = dict(_sql(env, """
        select verdict, count(*) from (
            select creator_id, case when bool_or(verdict = 'reject') then 'reject'
                                    when bool_or(verdict = 'review') then 'review' else 'approve' end as verdict
            from creator_vetting group by creator_id) group by verdict"""))
    for verdict in ("approve", "review", "reject"):
        assert int(next(v for label, v in metrics.items() if f"[**{verdict}**]" in label)) == worst.get(verdict, 0)


def test_the_week_still_running_is_drawn_lighter_and_said_so(env: Published, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample's orders end on a Sunday: every week is whole and nothing is said. Orders that stop mid-week leave
    the newest week incomplete in the marts (is_complete_week); its bar is its revenue so far, and the overview and
    the creator page say so under the chart instead of letting it read as a fall."""
    assert not [c.value for c in _app().caption if "week still running" in c.value]
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(env.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("update marts.creator_weekly_performance set is_complete_week = false "
                "where week_start = (select max(week_start) from marts.creator_weekly_performance)")
    [(last,)] = con.execute("select max(week_start) from marts.creator_weekly_performance").fetchall()
    con.close()
    from pipeline.publish import publish

    publish(warehouse, tmp_path / "serving")
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(tmp_path / "serving"))
    at = _app()
    notes = [c.value for c in at.caption if "week still running" in c.value]
    assert notes == [f"The lighter bar, week of {last:%d %b %Y}, is the week still running: the orders loaded so far, "
                     "not the whole week."], notes
    [(creator,)] = _sql(env, "select creator_id from creator_weekly_performance where orders > 0 "
                             "order by week_start desc, creator_id limit 1")
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["creator"] = creator
    at.run()
    at.switch_page(PAGES[2]).run()
    assert not at.exception and at.selectbox(key="creator").value == creator
    assert [c.value for c in at.caption if "week still running" in c.value] == notes


def test_leaderboard_filters_change_what_is_shown(env: Published) -> None:
    at = _app(PAGES[1])
    everyone = at.dataframe[0].value
    assert len(everyone) == _sql(env, "select count(distinct creator_id) from (select creator_id from creator_roi "
                                      "union select creator_id from creator_vetting)")[0][0]
    assert list(everyone.roi.dropna()) == sorted(everyone.roi.dropna(), reverse=True)  # best ROI first

    at.selectbox(key="filter_verdict").set_value("reject").run()
    rejected = at.dataframe[0].value
    expected = {row[0] for row in _sql(env, "select creator_id from creator_vetting group by creator_id "
                                            "having bool_or(verdict = 'reject')")}
    assert set(rejected.creator_id) == expected and 0 < len(rejected) < len(everyone)
    assert set(rejected.verdict) == {"rejected"}, "the verdict in words, as the report writes it"
    assert f"**{len(rejected)} creators** match" in at.markdown[0].value

    at.selectbox(key="filter_verdict").set_value(None).run()
    at.selectbox(key="filter_platform").set_value("tiktok").run()
    tiktok = at.dataframe[0].value
    assert set(tiktok.creator_id) == {r[0] for r in _sql(env, "select creator_id from creator_vetting "
                                                               "where platform = 'tiktok'")}

    at.selectbox(key="filter_platform").set_value(None).run()
    campaign_id, revenue = _sql(env, "select campaign_id, sum(net_revenue) from creator_roi group by 1 "
                                     "order by 1 limit 1")[0]
    at.selectbox(key="filter_campaign").set_value(campaign_id).run()
    one_campaign = at.dataframe[0].value
    assert one_campaign.net_revenue.sum() == pytest.approx(float(revenue))
    assert not at.exception


def test_creator_detail_explains_the_verdict_in_plain_words(env: Published) -> None:
    creator_id, platform, detail = _sql(env, "select creator_id, platform, detail from creator_vetting_reasons "
                                             "where severity = 'reject' order by creator_id limit 1")[0]
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["creator"] = creator_id
    at.run()
    at.switch_page(PAGES[2]).run()
    assert not at.exception
    assert at.selectbox(key="creator").value == creator_id
    assert any(platform in h.value and "reject" in h.value for h in at.subheader)
    [shown] = [m.value for m in at.markdown if "forces reject" in m.value]
    assert _numbers(shown) == _numbers(detail) and not _CODE.findall(shown), (shown, detail)


def test_creator_detail_names_campaigns_and_pages_not_codes(env: Published) -> None:
    """A missed-posts reason points an analyst at the contract_deliverables mart and its contract ids; the page gives
    the campaign's name and the page to open, as the report does."""
    creator_id, detail = _sql(env, "select creator_id, detail from creator_vetting_reasons "
                                   "where detail like '%contract_deliverables mart%' order by creator_id limit 1")[0]
    [(campaign,)] = _sql(env, "select any_value(campaign_name) from contract_deliverables where contract_id = ?",
                         [re.search(r"ct_\w+", detail).group(0)])
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["creator"] = creator_id
    at.run()
    at.switch_page(PAGES[2]).run()
    [shown] = [m.value for m in at.markdown if "contract posts on" in m.value]
    assert campaign in shown and "the contract posts on the dashboard's Campaigns page" in shown
    assert not _CODE.findall(shown), shown


def _vega_charts(at: AppTest) -> list[tuple[dict, list[pa.Table]]]:
    """Each Altair chart on the page: its Vega-Lite spec and its datasets (Streamlit ships them as Arrow)."""
    return [(json.loads(chart.proto.spec), [pa.ipc.open_stream(d.data.data).read_all() for d in chart.proto.datasets])
            for chart in at.get("vega_lite_chart")]


def test_creator_detail_charts_the_follower_history_with_the_flagged_days(env: Published) -> None:
    creator_id, days, flagged, detail = _sql(env, """
        select creator_id, count(*), count(*) filter (where is_flagged), max(flag_detail)
        from creator_follower_history group by creator_id having count(*) filter (where is_flagged) > 0
        order by creator_id limit 1""")[0]
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["creator"] = creator_id
    at.run()
    at.switch_page(PAGES[2]).run()
    assert not at.exception
    history = [(spec, data) for spec, data in _vega_charts(at) if "facet" in spec]
    assert len(history) == 1, "the creator page draws one follower history chart"
    spec, (rows,) = history[0]
    assert [layer["mark"]["type"] for layer in spec["spec"]["layer"]] == ["line", "point"]  # the days; the flags
    assert rows.num_rows == days and rows.column("flag").null_count == days - flagged
    table = at.dataframe[1].value  # the vetting components table is first, then the flagged days
    assert len(table) == flagged and detail in set(table.detail)


def test_campaign_view_sets_spend_against_budget(env: Published) -> None:
    at = _app(PAGES[3])
    budgets = dict(_sql(env, "select campaign_id, any_value(budget_reporting) from campaign_performance group by 1"))
    table = at.dataframe[0].value
    assert table.budget.isna().sum() == sum(b is None for b in budgets.values()) >= 1, "a campaign without budget"
    for campaign_id, budget in budgets.items():
        at.selectbox(key="campaign").set_value(campaign_id).run()
        cost, share, left = _sql(env, "select any_value(campaign_cost), any_value(spend_vs_budget), "
                                      "any_value(remaining_budget) from campaign_performance where campaign_id = ?",
                                 [campaign_id])[0]
        metrics = _metrics(at)
        if budget is None:
            assert metrics["Budget (USD)"] == metrics["Spend % of budget"] == metrics["Budget left (USD)"] == "–"
        else:
            assert _number(metrics["Budget (USD)"]) == round(float(budget))
            assert _number(metrics["Spend % of budget"]) == round(float(cost / budget) * 100, 1)
            assert _number(metrics["Spend % of budget"]) == round(share * 100, 1)
            assert _number(metrics["Budget left (USD)"]) == round(float(left))


def test_campaign_view_sets_revenue_against_spend(env: Published) -> None:
    at = _app(PAGES[3])
    campaign_id = at.selectbox(key="campaign").value
    cost, revenue = _sql(env, "select any_value(campaign_cost), sum(net_revenue) from campaign_performance "
                              "where campaign_id = ?", [campaign_id])[0]
    metrics = _metrics(at)
    assert _number(metrics["Spend (USD)"]) == round(float(cost))
    assert _number(metrics["Net revenue to date (USD)"]) == round(float(revenue))
    assert _number(metrics["ROI to date"]) == round(float((revenue - cost) / cost) * 100, 1)


def test_budget_page_lists_the_moves_with_their_reasons_and_their_sums(env: Published) -> None:
    at = _app(PAGES[5])
    rows = _sql(env, "select recommendation, budget_change_per_month, expected_revenue_change_per_month, reason "
                     "from budget_recommendations")
    moves = [r for r in rows if r[0] in ("increase", "cut", "replace")]
    assert moves, "the sample moves budget"
    shown = at.dataframe[0].value.reason
    assert sorted(map(_numbers, shown)) == sorted(_numbers(r[3]) for r in moves), "the moves are shown first"
    assert not [codes for text in shown if (codes := _CODE.findall(text))], "mart names are the pages to open"
    metrics = _metrics(at)
    assert _number(metrics["Freed a month (USD)"]) == round(-sum(float(r[1]) for r in moves if r[0] != "increase"))
    assert _number(metrics["Moved to top performers (USD)"]) == round(sum(float(r[1]) for r in moves
                                                                          if r[0] == "increase"))
    # A rejected creator replaced with no recorded cost has no ROAS, so no expected change: the sum leaves it out.
    assert any(r[2] is None for r in moves if r[0] == "replace"), "the sample replaces a rejected creator without cost"
    assert _number(metrics["Expected net revenue change a month (USD)"]) == round(sum(float(r[2]) for r in moves
                                                                                      if r[2] is not None))
    at.multiselect(key="recommendation").set_value(["insufficient_data"]).run()
    shown = at.dataframe[0].value
    assert set(shown.recommendation) == {"insufficient_data"}
    assert len(shown) == sum(1 for r in rows if r[0] == "insufficient_data")


def test_gifting_page_shows_the_post_rate_and_who_never_posted(env: Published) -> None:
    at = _app("views/seeding.py")
    gifted, posted, emv = _sql(env, "select sum(creators_gifted), sum(creators_posted), sum(emv) "
                                    "from seeding_programme")[0]
    metrics = _metrics(at)
    assert _number(metrics["Creators gifted"]) == gifted
    assert _number(metrics["Post rate"]) == round(posted / gifted * 100, 1) < 100, "the sample plants non-posters"
    assert _number(metrics["Earned media value (USD)"]) == round(float(emv))
    campaigns, creators = at.dataframe[0].value, at.dataframe[1].value
    assert len(campaigns) == _sql(env, "select count(*) from seeding_programme")[0][0]
    silent = {n for (n,) in _sql(env, "select creator_name from seeding_performance where not has_posted")}
    assert set(creators.creator_name[: len(silent)]) == silent, "those who never posted come first"
    assert creators.cost_per_post[~creators.has_posted].isna().all(), "no cost per post without a post, never 0"


def test_status_page_shows_the_published_version_and_the_gate(env: Published) -> None:
    version = _sql(env, "select version from publication")[0][0]
    at = _app(PAGES[4])
    assert _metrics(at)["Serving version"] == version
    assert any("marts gate" in s.value and "passed" in s.value for s in at.success)
    assert any("index.html" in m.value for m in at.markdown)


def test_status_page_shows_a_failed_gate_that_published_nothing(env: Published, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: the marts lose half of creator_roi's rows; the real mart gate refuses them. The dashboard still shows
    the last good version and says the newest gate failed and what to look at. (A fresh quality folder: the GX
    project in one records its frames' absolute path, so a copy would validate the original's frames.)"""
    from expectations.gate import QualityGateFailed, run_mart_gate

    warehouse, quality = tmp_path / "warehouse.duckdb", tmp_path / "quality"
    shutil.copy(env.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.creator_roi where hash(creator_id) % 2 = 0")
    con.close()
    with pytest.raises(QualityGateFailed):
        run_mart_gate(warehouse, quality, "broken_run")
    monkeypatch.setenv("PIPELINE_QUALITY_DIR", str(quality))
    at = _app(PAGES[4])
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "broken_run" in errors[0] and "mart_creator_roi" in errors[0], errors
    assert "nothing newer was published" in errors[0] and "Data Docs" in errors[0]
    assert _metrics(at)["Serving version"] == _sql(env, "select version from publication")[0][0]


def test_a_gate_result_being_written_does_not_break_the_status_page(env: Published, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault: a validation result cut short (the gate is writing it). The page says so instead of failing."""
    quality = tmp_path / "quality"
    shutil.copytree(env.quality_dir, quality)
    result = next((quality / "gx" / "uncommitted" / "validations").glob("*/*/*/*.json"))
    result.write_text(result.read_text()[:200])
    monkeypatch.setenv("PIPELINE_QUALITY_DIR", str(quality))
    at = _app(PAGES[4])
    assert any("reload in a few seconds" in i.value for i in at.info), [i.value for i in at.info]
    assert _metrics(at)["Serving version"] == _sql(env, "select version from publication")[0][0]


def test_no_publication_yet_says_what_to_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(tmp_path / "serving"))
    for page in PAGES:
        at = _app(page)
        assert len(at.warning) == 1 and "pipeline demo" in at.warning[0].value, page


def test_no_customer_data_reaches_any_page(env: Published) -> None:
    """The customer pseudonyms exist in the serving file (order_attribution); none may appear on a page."""
    hashes = {h for (h,) in _sql(env, "select customer_email_hash from order_attribution "
                                      "where customer_email_hash is not null")}
    keys = {k for (k,) in _sql(env, "select customer_key from order_attribution where customer_key is not null")}
    assert hashes and keys
    for page in PAGES:
        at = _app(page)
        shown = [str(e.value) for kind in ("markdown", "caption", "metric", "subheader", "title", "success",
                                           "error", "info") for e in getattr(at, kind)]
        for frame in at.dataframe:
            assert not {"customer_email_hash", "customer_key"} & set(frame.value.columns), page
            shown.append(frame.value.to_csv())
        text = "\n".join(shown)
        assert not any(h in text for h in hashes) and not any(k in text for k in keys), page


def test_campaign_view_lists_missing_and_late_contract_posts_first(env: Published) -> None:
    campaign_id, missing, late = _sql(env, """
        select campaign_id, sum(posts_missing), sum(posts_late) from contract_deliverables group by 1
        having sum(posts_missing) > 0 order by 1 limit 1""")[0]
    at = _app(PAGES[3])
    at.selectbox(key="campaign").set_value(campaign_id).run()
    assert not at.exception
    table = at.dataframe[1].value  # the campaigns table is first
    assert len(table) == _sql(env, "select count(*) from contract_deliverables where campaign_id = ?",
                              [campaign_id])[0][0]
    assert table.delivery_status.iloc[0] == "missing", "missing deliverables come first"
    assert table.posts_missing.sum() == missing and table.posts_late.sum() == late
    assert any(f"**{missing} missing, {late} late" in m.value for m in at.markdown)


def test_customer_value_page_ranks_as_the_mart_does_and_says_why_others_are_not_ranked(env: Published) -> None:
    at = _app(PAGES[6])
    rows = _sql(env, "select creator_name, customer_value_rank, summary from creator_customer_value "
                     "order by customer_value_rank nulls last, new_customers desc, creator_id")
    table = at.dataframe[0].value
    assert list(table.creator_name) == [r[0] for r in rows]
    assert list(table.summary) == [r[2] for r in rows]
    assert table.customer_value_rank.isna().sum() == sum(r[1] is None for r in rows) >= 1
    assert any(f"**Best value: {rows[0][0]}**" in m.value for m in at.markdown)


def test_creator_detail_shows_ctr_and_cvr_and_no_data_never_zero(env: Published) -> None:
    rows = _sql(env, """
        select creator_id, campaign_name, ctr, cvr from creator_roi
        where creator_id in ((select min(creator_id) from creator_roi where ctr is null),
                             (select min(creator_id) from creator_roi where ctr is not null))""")
    assert any(r[2] is None for r in rows) and any(r[2] is not None for r in rows)
    for creator_id in {r[0] for r in rows}:
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.query_params["creator"] = creator_id
        at.run()
        at.switch_page(PAGES[2]).run()
        assert not at.exception
        campaigns = next(d.value for d in at.dataframe if "ctr" in d.value.columns).set_index("campaign_name")
        for _, campaign, ctr, cvr in (r for r in rows if r[0] == creator_id):
            assert campaigns.ctr[campaign] == summary.ctr(ctr), "the report's words and references"
            assert campaigns.cvr[campaign] == ("no data" if cvr is None else f"{cvr * 100:,.1f}%")


def test_campaign_view_lists_each_exclusivity_breach_with_its_post(env: Published) -> None:
    campaign_id, breaches = _sql(env, """
        select campaign_id, count(*) from contract_exclusivity_breaches group by 1 order by 2 desc, 1 limit 1""")[0]
    at = _app(PAGES[3])
    at.selectbox(key="campaign").set_value(campaign_id).run()
    assert not at.exception
    [table] = [f.value for f in at.dataframe if "post_url" in f.value.columns]
    expected = _sql(env, """select post_id, post_url from contract_exclusivity_breaches where campaign_id = ?
                            order by posted_date desc, creator_name, post_id""", [campaign_id])
    assert list(zip(table.post_id, table.post_url, strict=True)) == expected
    assert all(url for _, url in expected), "the sample's breaches are Instagram posts with a permalink"
    assert any(f"exclusivity window: {breaches}**" in m.value for m in at.markdown)


def test_rates_page_shows_the_flagged_contracts_and_the_partners_as_the_marts_do(env: Published) -> None:
    at = _app("views/rates.py")
    rows = _sql(env, "select rate_flag, reason from rate_fairness")
    flagged = sorted(_numbers(r[1]) for r in rows if r[0] in ("over_priced", "under_priced"))
    assert flagged, "the sample has over- and under-priced contracts"
    shown = at.dataframe[0].value
    assert sorted(_numbers(r) for r in shown.reason) == flagged, "over- and under-priced shown first"
    assert not [codes for text in [*shown.reason, *shown.deliverable_formats] if (codes := _CODE.findall(text))]
    names = dict(_sql(env, "select f.contract_id, any_value(r.campaign_name) from rate_fairness as f "
                           "join creator_roi as r on f.campaign_id = r.campaign_id group by 1"))
    shown = at.dataframe[0].value
    assert [names[c] for c in shown.contract_id] == list(shown.campaign_name), "campaigns by name, as in the report"
    metrics = _metrics(at)
    assert _number(metrics["Over-priced contracts"]) == sum(r[0] == "over_priced" for r in rows)
    assert _number(metrics["Under-priced contracts"]) == sum(r[0] == "under_priced" for r in rows)
    reviews = _sql(env, "select count(*) filter (where is_rate_review), count(*) from rate_review")[0]
    assert _number(metrics["Partners due a rate review"]) == reviews[0] >= 1
    assert len(at.dataframe[1].value) == reviews[1]
    at.multiselect(key="rate_flag").set_value(["unknown"]).run()
    shown = at.dataframe[0].value
    assert set(shown.rate_flag) == {"unknown"} and len(shown) == sum(r[0] == "unknown" for r in rows) >= 1
    assert set(shown.rate) == {"not judged"}, "the Rate column in words, as the report writes it"


def test_content_page_names_the_marts_best_and_leaves_thin_cells_blank(env: Published) -> None:
    at = _app("views/content.py")
    best_format = _sql(env, "select format_label from content_format_performance "
                            "where is_best and platform = 'all' and tier = 'all'")
    # The sample's formats are level (each median 1.00: most accounts post one format): none is named.
    assert any((f"**Best format: {best_format[0][0]}**" if best_format else "**Best format:** none ahead: the leading "
                "formats are level") in m.value for m in at.markdown), [m.value for m in at.markdown]
    formats, grid, winners = (d.value for d in at.dataframe)
    assert list(formats.format_label) == [r[0] for r in _sql(env, """
        select format_label from content_format_performance where platform = 'all' and tier = 'all'
        order by has_enough_posts desc, median_engagement_index desc nulls last, format_label""")]
    cells = _sql(env, "select local_weekday_name, local_hour, has_enough_posts from posting_time_performance "
                      "where platform = 'all' and tier = 'all'")
    assert all(hour.endswith(":00") for hour in grid.columns), grid.columns  # hours as text, never column positions
    shown = {(day, int(hour[:2])) for day, row in grid.iterrows() for hour, value in row.dropna().items()}
    assert shown == {(day, hour) for day, hour, enough in cells if enough}, "a thin cell is never shown"
    assert list(winners.post_id) == [r[0] for r in _sql(env, "select post_id from content_post_performance "
                                                             "where is_organic_winner order by organic_winner_rank")]
    at.selectbox(key="content_platform").set_value("youtube").run()
    assert not at.exception
    enough = _sql(env, "select count(*) from posting_time_performance "
                       "where platform = 'youtube' and tier = 'all' and has_enough_posts")[0][0]
    assert enough or any("not enough posts in any hour" in m.value for m in at.markdown)


def test_amount_columns_show_cents_except_in_yen_won_and_the_like() -> None:
    import re

    from serve.dashboard import ui

    assert ui.money_column("Net revenue (KRW)", "KRW")["type_config"]["format"] == "%.0f"
    assert ui.money_column("Net revenue (JPY)", "JPY")["type_config"]["format"] == "%.0f"
    assert ui.money_column("Net revenue (USD)", "USD", help="h")["type_config"]["format"] == "%.2f"
    # Every page's amount column (its label names the currency) goes through money_column, none with cents fixed.
    views = APP.parent / "views"
    fixed = [f"{path.name}: {m.group(0)[:60]}" for path in sorted(views.glob("*.py"))
             for m in re.finditer(r'NumberColumn\(\s*f"[^"]*\{currency\}[^"]*"', path.read_text())]
    assert fixed == []
    assert sum(path.read_text().count("ui.money_column(") for path in views.glob("*.py")) >= 30


def test_weekly_charts_tick_on_the_weeks_mondays() -> None:
    """Rendered by Vega (vl-convert, as the report's charts are): the axis labels are the weeks' Mondays, whatever
    the number of weeks, never Vega's Sunday ticks. Fault: 30 weeks would crowd the axis, so at most 12 labels."""
    import pandas as pd
    import vl_convert

    from serve.dashboard import ui

    for count in (5, 30):
        mondays = pd.date_range("2026-04-06", periods=count, freq="7D")
        weeks = pd.DataFrame({"week_start": mondays.date, "net_revenue": range(count), "is_complete_week": True})
        spec = json.dumps(ui.weekly_bars(weeks, "Net revenue", [ui.WEEK_TOOLTIP]).to_dict(), default=str)
        svg = vl_convert.vegalite_to_svg(spec)
        labels = re.findall(r">(\d\d [A-Z][a-z]{2})</text>", svg)
        assert 0 < len(labels) <= 12 and len(labels) >= min(count, 10), labels
        assert {f"{d:%d %b}" for d in mondays} >= set(labels), labels
