"""The weekly report built from a real published serving file: every number equals the marts (recomputed here in
SQL), the PDF's pages render (poppler) with their text and vector charts, stale data is refused or marked, and no
customer data gets in. Rendered pages are kept in tests/artifacts/report/ for a person to look at."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import duckdb
import pytest

from pipeline.cli import summary
from pipeline.settings import load_settings
from serve.creator_names import label_shared_names
from serve.report import ReportFiles, StaleServing, build_report
from serve.report.charts import campaign_values, png, verdicts_chart
from serve.report.data import TREND_WEEKS, collect
from serve.report.summary import NO_TOP_YET, TOP_MIN_ORDERS
from serve.report.week import iso_week, stale_reason
from tests.serve.conftest import Published, copy_serving

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "report"
TZ = "Europe/London"
MONDAY_AFTER_SAMPLE = datetime(2026, 11, 16, 7, tzinfo=UTC)  # the sample data ends on Sunday 2026-11-15: W46


def _serving(published: Published) -> Path:
    return published.serving_dir / "current" / "marts.duckdb"


def _in_pdf(name: str) -> str:
    """A name as the PDF's text reads in a row: a creator id beside a shared name wraps under it, after the row."""
    return re.sub(r" \(cr_\d+\)$", "", name)


def _read(path: str) -> duckdb.DuckDBPyConnection:
    """The serving file as the report reads it: a name two creators share carries the creator id."""
    con = duckdb.connect(path, read_only=True)
    label_shared_names(con)
    return con


@pytest.fixture(scope="module")
def report(published: Published, tmp_path_factory: pytest.TempPathFactory) -> ReportFiles:
    return build_report(_serving(published), tmp_path_factory.mktemp("reports"), as_of=MONDAY_AFTER_SAMPLE,
                        timezone=TZ)


def _poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed: apt-get install poppler-utils (the PDF checks need it)")
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def _pages(pdf: Path, name: str) -> list[str]:
    """Render every page to PNG under the artefacts folder; return each page's text."""
    out = ARTIFACTS / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    _poppler("pdftoppm", "-png", "-r", "80", str(pdf), str(out / "page"))
    assert sorted(p.name for p in out.glob("page-*.png")), "pdftoppm rendered no page"
    return _poppler("pdftotext", "-layout", str(pdf), "-").split("\f")[:-1]


def _one(sql: str, path: Path) -> tuple:
    con = _read(str(path))
    try:
        return con.execute(sql).fetchall()[0]
    finally:
        con.close()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_week_and_its_published_time_are_stated(report: ReportFiles, published: Published) -> None:
    version, published_at = _one("select version, published_at from publication", _serving(published))
    md = report.markdown.read_text()
    assert report.week.iso == "2026-W46" and report.subject == "Creator programme: week 2026-W46 (9-15 Nov 2026)"
    assert f"Data published {published_at.astimezone(UTC):%-d %b %Y %H:%M} UTC, orders up to 15 Nov 2026" in md
    assert version in report.html.read_text()


def test_every_number_equals_the_marts(report: ReportFiles, published: Published) -> None:
    serving = _serving(published)
    week_revenue, week_orders = _one("""
        select sum(net_revenue_reporting), count(*) filter (where sale_status = 'paid')
        from order_attribution
        where attribution_rule in ('code', 'link') and order_date between '2026-11-09' and '2026-11-15'""", serving)
    cost, revenue = _one("select sum(creator_cost), sum(net_revenue) from creator_roi", serving)
    text = _flat(" ".join(_pages(report.pdf, "numbers")))
    assert f"creators brought {week_revenue:,.0f} USD of attributed net revenue from {week_orders} orders" in text
    assert f"creators have cost {cost:,.0f} USD for {revenue:,.0f} USD of net revenue: ROI " \
           f"{(revenue - cost) / cost * 100:,.1f}% and ROAS {revenue / cost:,.2f}×" in text
    con = _read(str(serving))
    try:
        top = con.execute("select creator_name, campaign_name, net_revenue, creator_cost, roi_pct, roas "
                          "from creator_roi where roi is not null and orders >= ? order by roi desc, creator_id "
                          "limit 5", [TOP_MIN_ORDERS]).fetchall()
        campaigns = con.execute("select campaign_name, sum(creator_cost), sum(net_revenue) from creator_roi "
                                "group by all").fetchall()
        two_codes = con.execute("select sum(two_code_orders) from creator_roi").fetchall()[0][0]
    finally:
        con.close()
    for name, campaign, net, cost_, roi_pct, roas in top:
        assert f"{_in_pdf(name)} {campaign}" in text and f"{net:,.2f} {cost_:,.2f} {roi_pct:,.1f}% {roas:,.2f}×" in text
    for name, cost_, net in campaigns:
        assert re.search(rf"{name} .*? {cost_:,.2f} {net:,.2f} ", text), f"campaign {name} to date"
    assert f"Orders with two creator codes {two_codes} orders" in text


def test_the_campaign_chart_sets_spend_against_budget_as_the_mart_does(report: ReportFiles,
                                                                       published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        expected = con.execute("""
            select campaign_name, budget_reporting, campaign_cost, net_revenue_to_date, spend_vs_budget
            from campaign_performance where week_start <= $w
            qualify row_number() over (partition by campaign_id order by week_start desc) = 1""",
                               {"w": report.week.start}).fetchall()
    finally:
        con.close()
    assert any(budget is None for _, budget, *_ in expected), "the sample has a campaign without a budget"
    bars = {(v["campaign"], v["measure"]): v["amount"] for v in campaign_values(collect(_serving(published),
                                                                                      report.week))}
    for name, budget, cost, revenue, _ in expected:
        assert bars.get((name, "budget")) == (None if budget is None else float(budget)), name
        assert bars[(name, "creator cost (spend)")] == float(cost)
        assert bars[(name, "net revenue to date")] == float(revenue)
    text = _flat(" ".join(_pages(report.pdf, "budget")))
    for name, budget, cost, revenue, share in expected:
        shown = "none set" if budget is None else f"{budget:,.2f}"
        used = "n/a" if share is None else f"{share * 100:,.1f}%"
        assert re.search(rf"{name} .*? {shown} {cost:,.2f} {revenue:,.2f} .*? {used}", text), f"campaign {name}"
    unset = [name for name, budget, *_ in expected if budget is None]
    assert f"No budget set: {', '.join(unset)}" in text


def test_the_budget_section_lists_each_move_with_its_reason(report: ReportFiles, published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        moves = con.execute("select creator_name, recommendation, budget_change_per_month, reason "
                            "from budget_recommendations where recommendation in ('increase', 'cut', 'replace')"
                            ).fetchall()
        few = con.execute("select count(*) from budget_recommendations where recommendation = 'insufficient_data'"
                          ).fetchall()[0][0]
    finally:
        con.close()
    assert moves, "the sample moves budget"
    md = report.markdown.read_text()
    for name, recommendation, change, reason in moves:
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} | {recommendation} | "))
        assert row.startswith(f"| {name} | {recommendation} | {change:,.2f} | ")
        for ratio in re.findall(r"(-?[\d.]+)x\b", reason):  # ROI as a multiple in the mart, a percentage here
            assert f"{float(ratio) * 100:,.0f}%" in row, (ratio, row)
    assert f"{few} creators with too few recent orders to judge" in md
    text = _flat(" ".join(_pages(report.pdf, "budget_moves")))
    # A shared name's id wraps under it and the reason's lines come between: read a row of a name of its own.
    name, recommendation, change, _ = next(move for move in moves if "(cr_" not in move[0])
    assert "Where to move budget" in text and f"{name} {recommendation} {change:,.2f}" in text


def test_the_rate_section_lists_each_flagged_contract_and_each_partner_to_review(report: ReportFiles,
                                                                                published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        flagged = con.execute("""
            select f.creator_name, c.campaign_name, replace(f.rate_flag, '_', '-'), f.pay_per_deliverable,
                   f.market_low_per_deliverable, f.market_high_per_deliverable, f.reason
            from rate_fairness as f join (select distinct campaign_id, campaign_name from creator_roi) as c
                using (campaign_id)
            where f.rate_flag in ('over_priced', 'under_priced')""").fetchall()
        reviews = con.execute("select creator_name, reason from rate_review where is_rate_review").fetchall()
        unknown = con.execute("select count(*) from rate_fairness where rate_flag = 'unknown'").fetchall()[0][0]
    finally:
        con.close()
    assert {f[2] for f in flagged} == {"over-priced", "under-priced"} and reviews and unknown, "the sample has each"
    md = report.markdown.read_text()
    rows = [f"| {name} | {campaign} | {flag} | {pay:,.2f} | {low:,.2f} to {high:,.2f} | {reason[:18]}"
            for name, campaign, flag, pay, low, high, reason in flagged]
    assert sum(row in md for row in rows) == min(len(rows), 10), "the ten furthest from the card, as the mart has them"
    assert md.count("| over-priced |") + md.count("| under-priced |") == min(len(rows), 10)
    if len(rows) > 10:
        assert f"{len(rows) - 10} more flagged contracts on the dashboard" in md
    for name, reason in reviews:
        as_times = re.sub(r"(\d)x\b", r"\1×", reason)  # ROAS as a multiple: ×
        assert f"- {name}: {as_times}" in md
    assert f"{unknown} contracts not judged" in md
    text = _flat(" ".join(_pages(report.pdf, "rates")))
    assert "Which rates are fair" in text and any(f[6][:18] in text for f in flagged)


def test_the_customer_value_section_ranks_as_the_mart_does(report: ReportFiles, published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        ranked = con.execute("""
            select customer_value_rank, creator_name, complete_window_customers, repeat_rate, revenue_per_customer, cpa,
                   value_to_cpa, open_window_customers
            from creator_customer_value where customer_value_rank is not null
            order by customer_value_rank, new_customers desc, creator_id limit 5""").fetchall()
    finally:
        con.close()
    assert len(ranked) >= 2, "the sample ranks creators"
    md = report.markdown.read_text()
    for rank, name, complete, rate, each, cpa, ratio, still in ranked:
        assert (f"| {rank} | {name} | {complete} | {rate * 100:,.1f}% | {each:,.2f} | {cpa:,.2f} | {ratio:,.2f}× "
                f"| {still} |") in md
    assert f"{ranked[0][1]}'s new customers bring the most" in md
    assert "never as customers who did not come back" in md
    text = _flat(" ".join(_pages(report.pdf, "customer_value")))
    assert "Customers who come back" in text and f"{ranked[0][1]}'s new customers" in text


def test_the_seeding_section_shows_each_campaign_as_the_mart_does(report: ReportFiles, published: Published) -> None:
    """Post rate, cost per post (n/a, never 0, without a post), EMV and revenue per campaign equal seeding_programme's;
    the gifted creators who never posted are named."""
    con = _read(str(_serving(published)))
    try:
        campaigns = con.execute("""
            select campaign_name, creators_gifted, creators_posted, post_rate, cost_per_post, emv, net_revenue
            from seeding_programme""").fetchall()
        silent = [n for (n,) in con.execute("select creator_name from seeding_performance where not has_posted "
                                            "order by creator_name").fetchall()]
    finally:
        con.close()
    assert silent and any(cost is None for *_, cost, _, _ in campaigns), "the sample plants gifts never posted about"
    md = report.markdown.read_text()
    for name, gifted, posted, rate, cost, emv, revenue in campaigns:
        assert (f"| {name} | {gifted} | {posted} | {rate * 100:,.1f}% | ") in md
        assert (f" | {'n/a' if cost is None else f'{cost:,.2f}'} | {emv:,.2f} | {revenue:,.2f} |") in md
    assert f"Not posted: {silent[0]}" in md and "(a convention, not revenue)" in md
    text = _flat(" ".join(_pages(report.pdf, "seeding")))
    assert "What gifting returned" in text and f"Not posted: {silent[0]}" in text


def test_ctr_and_cvr_are_shown_with_no_data_never_zero(report: ReportFiles, published: Published) -> None:
    """The top five's CTR and CVR equal creator_roi's; a missing one reads "no data", never 0%."""
    top_five = report.markdown.read_text().split("## Top five creators by ROI")[1].split("\n## ")[0]
    rows = [line.split(" | ") for line in top_five.splitlines() if line.startswith("| ") and "×" in line]
    assert len(rows) == 5 and all(len(row) == 9 for row in rows), "the top five rows carry CTR and CVR"
    con = _read(str(_serving(published)))
    try:
        for row in rows:
            creator, campaign = row[0].lstrip("| "), row[1]
            ctr, cvr = con.execute("select ctr, cvr from creator_roi where creator_name = ? and campaign_name = ?",
                                   [creator, campaign]).fetchall()[0]
            assert row[7].startswith("no data" if ctr is None else f"{ctr * 100:,.1f}%"), row
            assert row[8].rstrip(" |") == ("no data" if cvr is None else f"{cvr * 100:,.1f}%"), row
    finally:
        con.close()
    assert "2% is strong, 5% and more exceptional" in top_five


def test_no_pdf_page_ends_on_a_heading(report: ReportFiles) -> None:
    """fpdf2 has no keep-with-next: a heading at a page's foot would sit alone, its table or chart on the next page.
    The last line above each page's footer is never a section heading."""
    headings = {unescape(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", report.html.read_text())}
    assert {"Campaigns to the end of 2026-W46", "What gifting returned", "What content works"} <= headings
    pages = _poppler("pdftotext", "-layout", str(report.pdf), "-").split("\f")[:-1]
    last_lines = [[line.strip() for line in page.splitlines() if line.strip()][-2] for page in pages]
    assert not headings & set(last_lines), last_lines


def test_the_pdf_has_every_section_and_vector_charts_on_numbered_pages(report: ReportFiles,
                                                                      published: Published) -> None:
    pages = _pages(report.pdf, "pages")
    text = _flat(" ".join(pages))
    for heading in ("Summary", "Needs attention (worst first)", "Top five creators by ROI (campaign to date)",
                    "Campaigns to the end of 2026-W46", "Appendix: the findings in detail"):
        assert heading in text
    for chart in ("Top 12 creators by net revenue, campaign to date", "industry ROAS 5.2×",
                  "Attributed net revenue per week, by campaign: the 12 weeks to 2026-W46",
                  "Campaign spend against budget and net revenue, to the end of 2026-W46",
                  "Why creators are rejected or in review (key reasons)"):
        assert chart in text, f"chart text {chart!r} missing: the figure was not drawn"
    assert "ROI: (net revenue - cost) / cost, always as a percentage" in text
    assert "ROAS: net revenue / cost, always as a multiple" in text
    at = _one("select published_at from publication", _serving(published))[0].astimezone(UTC)
    assert all(f"data published {at:%-d %b %Y %H:%M} UTC - page {n}/{len(pages)}" in page
               for n, page in enumerate(pages, 1)), "every page says when its data was published"
    assert "STALE" not in text
    images = _poppler("pdfimages", "-list", str(report.pdf)).splitlines()[2:]
    assert images == [], "charts are vectors in the PDF, not pictures"


class _Structure(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.orphan_items = 0
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "li" and "ul" not in self.stack:
            self.orphan_items += 1
        if tag == "img":
            self.images.append(dict(attrs)["src"])
        if tag not in ("img", "meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag, f"</{tag}> closes another element"


def test_the_html_is_well_formed_and_its_charts_exist(report: ReportFiles) -> None:
    page = _Structure()
    page.feed(report.html.read_text())
    assert page.stack == [] and page.orphan_items == 0
    assert page.images == [p.name for p in report.charts]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in report.charts)
    assert [f"cid:{p.name}" for p in report.charts] == re.findall(r'src="(cid:[^"]+)"', report.email_html)


def test_the_png_charts_draw_their_text() -> None:
    # vl-convert draws no text at all with a font it cannot find (it did with "Helvetica"): two titles of the same
    # length take the same room, so only drawn glyphs can tell the two pictures apart
    bars = alt.Chart(alt.Data(values=[{"creator": "Ana", "revenue": 3}])).mark_bar().encode(
        x="revenue:Q", y="creator:N")
    assert png(bars.properties(title="Net revenue")) != png(bars.properties(title="Spend today"))


def test_no_customer_data_reaches_the_report(report: ReportFiles, published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        private = {v for row in con.execute("select order_name, customer_email_hash, customer_key "
                                            "from order_attribution").fetchall() for v in row if v}
    finally:
        con.close()
    words = set(re.split(r"[\s<>|()]+", report.html.read_text() + report.markdown.read_text()))
    assert not words & private


def test_a_week_the_data_does_not_reach_is_refused_naming_the_last_week_it_covers(published: Published,
                                                                                    tmp_path: Path) -> None:
    # Run today, the default week is the last complete one; the sample's orders end on 2026-11-15 (W46), so a report
    # of a later week would show no order at all as if the creators had sold nothing.
    with pytest.raises(StaleServing) as refused:
        build_report(_serving(published), tmp_path / "reports", week=iso_week("2026-W47", TZ), timezone=TZ)
    message = str(refused.value)
    assert str(_serving(published)) in message and "orders end on 2026-11-15, before week 2026-W47 began" in message
    assert "--week 2026-W46" in message and "Run the creator_pipeline DAG" in message
    assert "`pipeline report --stale mark`" in message and "PIPELINE_REPORT_STALE=mark" in message
    assert not (tmp_path / "reports").exists(), "nothing is written for a refused report"


def test_data_published_before_the_week_ended_is_refused() -> None:
    week = iso_week("2026-W46", TZ)
    before_the_end = datetime(2026, 11, 15, 20, tzinfo=UTC)  # Sunday 20:00 in London: the week is still open
    with pytest.raises(StaleServing) as refused:
        stale_reason(before_the_end, date(2026, 11, 15), week, "refuse", "marts.duckdb")
    assert "published at 2026-11-15 20:00 UTC, before week 2026-W46 ended (2026-11-16 00:00 GMT)" in str(refused.value)
    assert "--week" not in str(refused.value), "the week is the right one: only newer data helps"
    assert "last orders are missing" in stale_reason(before_the_end, date(2026, 11, 15), week, "mark", "x")
    assert stale_reason(before_the_end + timedelta(hours=4), date(2026, 11, 15), week, "refuse", "x") is None
    # orders that stop before the week's Sunday leave it incomplete (as the marts' is_complete_week says); a week with
    # none, or no orders at all, is not covered at all
    with pytest.raises(StaleServing) as refused:
        stale_reason(before_the_end + timedelta(hours=4), date(2026, 11, 12), week, "refuse", "x")
    assert "orders end on Thu 2026-11-12, before week 2026-W46 ended on Sun 2026-11-15: its last days' orders are " \
           "missing" in str(refused.value)
    assert "report the last week the data covers whole (--week 2026-W45)" in str(refused.value)
    assert "end on 2026-11-08" in stale_reason(before_the_end + timedelta(days=1), date(2026, 11, 8), week, "mark", "x")
    assert "(--week 2026-W45)" in str(pytest.raises(StaleServing, stale_reason, before_the_end + timedelta(days=1),
                                                    date(2026, 11, 8), week, "refuse", "x").value)
    assert "orders are empty" in stale_reason(before_the_end + timedelta(days=1), None, week, "mark", "x")


def test_stale_data_can_be_sent_marked_on_every_page(published: Published, tmp_path: Path) -> None:
    stale = build_report(_serving(published), tmp_path, week=iso_week("2026-W47", TZ), timezone=TZ, on_stale="mark")
    assert stale.stale and stale.subject.startswith("[STALE DATA] Creator programme: week 2026-W47")
    pages = _pages(stale.pdf, "stale")
    assert len(pages) >= 2 and all("STALE DATA" in page for page in pages)
    assert "STALE DATA" in stale.html.read_text() and "STALE DATA" in stale.markdown.read_text()


def test_a_week_before_the_first_campaign_is_reported_without_its_empty_charts(published: Published,
                                                                             tmp_path: Path) -> None:
    """Week 2026-W10 has store orders but no campaign yet: no trend or campaign bars to draw (Vega cannot size an
    empty chart), and the report says its to-date figures are as published, not as they stood then."""
    assert not collect(_serving(published), iso_week("2026-W10", TZ)).trend, "the sample's first campaign moved"
    past = build_report(_serving(published), tmp_path, week=iso_week("2026-W10", TZ), timezone=TZ)
    assert not past.stale
    assert [p.name for p in past.charts] == [f"weekly_report_2026-W10_{c}.png" for c in ("creators", "verdicts")]
    assert "Week 2026-W10 is past" in _flat(past.markdown.read_text())
    assert "Week 2026-W10 is past" in _flat(" ".join(_pages(past.pdf, "past_week")))


def test_the_latest_week_carries_no_past_week_note(report: ReportFiles) -> None:
    assert "is past" not in report.markdown.read_text()


def test_missing_and_late_contract_posts_are_flagged_with_the_marts_counts(report: ReportFiles,
                                                                          published: Published) -> None:
    """The sample plants creators who post late and who never post: each missing or late deliverable due in the
    report's weeks is counted under "Needs attention" and listed in the appendix (a row of the HTML)."""
    rows = [r for r in _one_all(f"""
        select creator_name, delivery_status, posts_due, posts_missing, posts_late from contract_deliverables
        where delivery_status in ('missing', 'late') and due_date between date '2026-11-15' - {7 * TREND_WEEKS}
          and '2026-11-15'""", _serving(published))]
    assert {status for _, status, *_ in rows} == {"missing", "late"}, "the sample plants both"
    assert (f"Contract posts missing or late (due in the last {TREND_WEEKS} weeks): {len(rows)} deliverables"
            in report.markdown.read_text()), "the window is stated, from the code that sets it"
    html_rows = re.findall(r"<tr align=\"left\">(.*?)</tr>", report.html.read_text(), re.S)
    for name, status, due, missing, late in rows:
        owed = f"{missing} of {due} not posted" if status == "missing" else f"{late} of {due} late, up to"
        assert any(name in row and f"<td>{status}</td>" in row and owed in row for row in html_rows), (name, status)


def test_exclusivity_breaches_are_listed_with_a_link_to_each_post(report: ReportFiles, published: Published) -> None:
    """The sample plants exclusivity breaches: each one posted in the report's weeks is counted under "Needs
    attention" and listed in the appendix with the post's link (the evidence)."""
    rows = _one_all(f"""
        select creator_name, post_url from contract_exclusivity_breaches
        where posted_date between date '2026-11-15' - {7 * TREND_WEEKS} and '2026-11-15'""", _serving(published))
    assert rows, "the sample plants a breach in the report's weeks"
    assert (f"Exclusivity breaches (posted in the last {TREND_WEEKS} weeks): {len(rows)} post"
            in report.markdown.read_text())
    html_rows = re.findall(r"<tr align=\"left\">(.*?)</tr>", report.html.read_text(), re.S)
    for name, url in rows:
        assert any(name in row and url in row for row in html_rows), (name, url)


def _one_all(sql: str, path: Path) -> list[tuple]:
    con = _read(str(path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_content_section_names_the_marts_best_format_and_time_and_the_top_organic_winners(
        report: ReportFiles, published: Published) -> None:
    con = _read(str(_serving(published)))
    try:
        best_format = con.execute("select format_label from content_format_performance "
                                  "where is_best and platform = 'all' and tier = 'all'").fetchall()
        best_time = con.execute("select local_weekday_name || ' ' || lpad(local_hour::varchar, 2, '0') || ':00' "
                                "from posting_time_performance where is_best and platform = 'all' and tier = 'all'"
                                ).fetchall()
        winners = con.execute("select creator_name, format_label, post_url from content_post_performance "
                              "where is_organic_winner order by organic_winner_rank limit 10").fetchall()
    finally:
        con.close()
    # The sample's formats are level (each median 1.00: most accounts post one format); its hours are not.
    assert len(best_format) <= 1 and len(best_time) == 1 and winners, "the sample names a time and winners"
    md = report.markdown.read_text()
    assert (f"For the programme, the {best_format[0][0]} format engages most" if best_format
            else "For the programme, no format engages more than the others;") in md
    assert f"the best time to post is {best_time[0][0]} on the audience's clock" in md
    rows = re.findall(r"^\| (.+?) \| \[(.+?)\]\((\S+)\) \| \d{1,2} \w{3} \d{4} \| [\d.,]+× \|", md, re.M)
    assert rows == winners, "the organic winners, best first, as the mart ranks them, each with its link"
    assert f'<a href="{winners[0][2]}">' in report.html.read_text()
    text = _flat(" ".join(_pages(report.pdf, "content")))
    assert "What content works" in text and "Organic winners to repurpose as ads" in text


def test_the_markdown_and_the_html_carry_the_same_sections(report: ReportFiles) -> None:
    html = [(int(level), unescape(text)) for level, text in
            re.findall(r"<h([23])[^>]*>(.*?)</h[23]>", report.html.read_text())]
    md = [(len(level), text) for level, text in re.findall(r"^(##|###) (.+)$", report.markdown.read_text(), re.M)]
    assert md == html, "the Markdown report lacks or reorders a section of the HTML/PDF one"
    titles = [text for _, text in md]
    assert "Campaigns to the end of 2026-W46" in titles and "Appendix: the findings in detail" in titles
    assert "How to read the figures" in titles


def _reader_text(report: ReportFiles) -> str:
    """What a reader reads of the HTML and Markdown reports: no tags, links, image names or URLs."""
    html = re.sub(r"<[^>]+>", " ", report.html.read_text())
    md = re.sub(r"\]\([^)]*\)|!\[", " ", report.markdown.read_text())
    return re.sub(r"https?://\S+", " ", unescape(html) + "\n" + md)


def test_no_code_reaches_a_reader(report: ReportFiles) -> None:
    """Formats, platforms, verdicts, flags, cost components, campaign and contract ids: every one in words."""
    text = _reader_text(report)
    # A creator id is shown beside a name two creators share: an identifier, not a code.
    assert re.findall(r"\b(?!cr_\d+\b)[a-z]+_\w+", text) == [], "a snake_case code is shown to readers"
    assert re.findall(r"(?<![\w.@#/])(?:instagram|tiktok|youtube)\b", text) == [], "a platform code is shown"
    for words in ("Instagram Reel", "TikTok video", "over-priced", "under-priced", "no cost: the gift product cost"):
        assert words in text, words
    top_five = report.markdown.read_text().split("## Top five creators by ROI")[1].split("\n## ")[0]
    shown = {line.split(" | ")[2] for line in top_five.splitlines() if line.startswith("| ") and "×" in line}
    assert shown and shown <= {"approved", "**in review**", "**rejected**", "not vetted"}, shown


def test_roi_is_a_percentage_and_roas_a_multiple_everywhere(report: ReportFiles) -> None:
    text = _reader_text(report)
    assert re.findall(r"\bROI:? -?[\d.,]+ ?[x×]", text) == [] and re.findall(r"-?\d[\d.,]*x\b", text) == []
    assert re.findall(r"\bROAS:? -?[\d.,]+%", text) == []
    assert re.search(r"\bROI -?[\d,]+(\.\d)?%", text) and re.search(r"\bROAS [\d.,]+×", text)
    md = report.markdown.read_text()
    assert md.count("always as a percentage") == 1 and md.count("always as a multiple") == 1, "said once"


def test_creators_are_counted_as_people_not_accounts(report: ReportFiles, published: Published) -> None:
    serving = _serving(published)
    creators, accounts = _one("select count(distinct creator_id), count(*) from creator_vetting", serving)
    assert accounts > creators, "the sample has creators with accounts on several platforms"
    in_review = _one("""
        select count(*) from (select creator_id from creator_vetting group by creator_id
                              having bool_or(verdict = 'review') and not bool_or(verdict = 'reject'))""", serving)[0]
    subtitle = verdicts_chart(collect(serving, report.week)).to_dict()["title"]["subtitle"]
    assert sum(int(n) for n in re.findall(r"(\d+) (?:approved|in review|rejected)", subtitle)) == creators, subtitle
    md = report.markdown.read_text()
    assert f"Creators in review: {in_review} creators" in md and f"{in_review} creators in review (" in md


def test_the_demo_summary_counts_creators_and_ranks_only_enough_orders(published: Published,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """`pipeline summary` (the demo's last words) counts people with their worst verdict, as the report does, and its
    top five leaves out creator x campaigns with fewer orders than the report's minimum."""
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(published.serving_dir))
    text = summary(load_settings())
    serving = _serving(published)
    creators, accounts = _one("select count(distinct creator_id), count(*) from creator_vetting", serving)
    assert f"Creators vetted: {creators} (approved " in text and f"over {accounts} platform accounts" in text
    top = re.findall(r"^  \d\. .* \((cr_\d+)\), (.*): ROI", text, flags=re.M)
    assert len(top) == 5
    with _read(str(serving)) as con:
        few = set(con.execute("select creator_id, campaign_name from creator_roi where orders < ? and roi is not null",
                              [TOP_MIN_ORDERS]).fetchall())
        unfiltered = con.execute("select creator_id, campaign_name from creator_roi where roi is not null "
                                 "order by roi desc, creator_id limit 5").fetchall()
    assert few & set(unfiltered), "the sample has a creator with too few orders among the five best ROIs"
    assert not few & set(top)


def test_the_demo_summary_says_so_when_no_creator_has_enough_orders(published: Published, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    serving_dir = copy_serving(published, tmp_path / "serving")
    with duckdb.connect(str(serving_dir / "current" / "marts.duckdb")) as con:
        con.execute("update creator_roi set orders = 1")
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(serving_dir))
    text = summary(load_settings())
    assert f"at least {TOP_MIN_ORDERS} orders):\n  (None yet: no creator has an ROI on {TOP_MIN_ORDERS} or more " \
           "attributed orders in a campaign.)\n" in text, text
    # The report's top five says the same instead of an empty table.
    report = build_report(serving_dir / "current" / "marts.duckdb", tmp_path / "reports",
                          week=iso_week("2026-W46", TZ), timezone=TZ)
    markdown = report.markdown.read_text()
    top = markdown.split("## Top five creators by ROI")[1].split("\n## ")[0]
    assert NO_TOP_YET in top and "| creator | campaign |" not in top, top
    assert NO_TOP_YET in report.html.read_text()


def test_the_demo_summary_names_the_report_written_last(tmp_path: Path, published: Published,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The report the run just built, not the latest week by name (a later week reported by hand before)."""
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(published.serving_dir))
    monkeypatch.setenv("PIPELINE_REPORT_DIR", str(tmp_path))
    later, built = tmp_path / "weekly_report_2026-W47.pdf", tmp_path / "weekly_report_2026-W46.pdf"
    later.write_bytes(b"%PDF")
    built.write_bytes(b"%PDF")
    os.utime(later, ns=(1_000_000_000, 1_000_000_000))
    assert f"Weekly report:            {built}\n" in summary(load_settings())


def test_campaigns_over_budget_are_flagged_in_the_table_and_in_what_needs_deciding(report: ReportFiles,
                                                                                  published: Published) -> None:
    campaigns = _one_all("""
        select campaign_name, spend_vs_budget from campaign_performance where week_start <= '2026-11-09'
        qualify row_number() over (partition by campaign_id order by week_start desc) = 1""", _serving(published))
    over = [(name, share) for name, share in campaigns if share is not None and share > 1]
    assert over and len(over) < len(campaigns), "the sample has campaigns over and within (or without) budget"
    md = report.markdown.read_text()
    assert f"- Campaigns over budget: {len(over)} campaign" in md
    assert f"{len(over)} campaign{'s' if len(over) > 1 else ''} over budget (" in md.split("## Needs attention")[0]
    for name, share in campaigns:
        row = next(line for line in md.splitlines() if line.startswith(f"| {name} | ") and " to " in line)
        assert ("over budget" in row) == ((name, share) in over), row
        if (name, share) in over:
            assert row.endswith(f"| **{share * 100:,.1f}%, over budget** |"), row
    html = report.html.read_text()
    assert html.count("over\xa0budget</b>") == len(over), "marked in the HTML/PDF campaign table"


def _table_figures(md: str) -> set[str]:
    """The figures and dates of the Markdown tables' figure cells ("2.2% (strong)", "21 Jul 2026 to 30 Aug 2026"),
    the same cells as the PDF's tables; a date inside a sentence may wrap like any word."""
    figure = r"-?[\d,]+(?:\.\d+)?[%×]?|\((?:strong|exceptional)\)|\d{1,2} \w{3} \d{4}|no data|none set|over budget"
    cells = [cell.strip("* ") for line in md.splitlines() if line.startswith("| ") for cell in line.split(" | ")]
    parts = [re.split(r" to |, | (?=\()", cell) for cell in cells]
    return {part for cell in parts if all(re.fullmatch(figure, part) for part in cell) for part in cell}


def test_the_pdf_never_splits_a_figure_or_a_date_across_lines(report: ReportFiles) -> None:
    """Each table figure ("30,000.00", "(exceptional)", "21 Jul 2026") stays on one line of the PDF: pdftotext keeps
    a cell's lines apart, so a split figure shows fewer times in the PDF's text than in the Markdown (same content)."""
    pdf = _flat(" ".join(_pages(report.pdf, "layout")).replace("\xa0", " "))
    md = _flat(re.sub(r"\]\([^)]*\)|[|*]", " ", report.markdown.read_text()))  # no links: the PDF shows their text

    def times(figure: str, text: str) -> int:
        return len(re.findall(rf"(?<![\w.,-]){re.escape(figure)}(?![\w.,%×])", text))

    figures = _table_figures(report.markdown.read_text())
    assert {"(strong)", "(exceptional)"} & figures and len(figures) > 50, "the sample's tables have figures"
    split = sorted(f for f in figures if times(f, pdf) < times(f, md))
    assert split == [], f"split across lines in the PDF: {split}"


def test_a_publish_triggers_the_report_only_for_a_week_its_data_covers_and_once(
        published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """weekly_report runs on every publish behind `report_due`: the last complete week is reported once, when the
    published data covers it by the report's own rule; a publish whose orders stop before that week neither
    reports nor fails (and alerts) on every publish. A cron run always goes ahead (and is refused with an alert)."""
    from pipeline.tasks import report_due

    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(published.serving_dir))
    monkeypatch.setenv("PIPELINE_REPORT_DIR", str(tmp_path))
    monkeypatch.setenv("PIPELINE_REPORT_TZ", TZ)
    week_after = MONDAY_AFTER_SAMPLE + timedelta(days=7)  # reports W47: the sample's orders end in W46
    assert report_due(None, MONDAY_AFTER_SAMPLE) is True
    assert report_due(None, week_after) is False
    assert report_due(week_after, week_after) is True, "a cron run reports (or is refused, with an alert)"
    (tmp_path / "weekly_report_2026-W46.pdf").write_bytes(b"%PDF")
    assert report_due(None, MONDAY_AFTER_SAMPLE) is False, "W46 is reported already"


def test_two_creators_of_one_name_are_told_apart_by_their_ids(published: Published, tmp_path: Path) -> None:
    # The sample (seed 42) has two Isla Browns, one approved and one in review: the report named "Isla Brown" in
    # review and twice among the rates with nothing to tell them apart. Here a creator in review takes the name of an
    # approved one in every mart.
    serving = copy_serving(published, tmp_path / "serving") / "current" / "marts.duckdb"
    with duckdb.connect(str(serving)) as con:
        (reviewed, approved, name), = con.execute("""
            select r.creator_id, a.creator_id, a.creator_name
            from creator_vetting as r, creator_vetting as a
            where r.verdict = 'review' and a.verdict = 'approve'
              and r.creator_id not in (select creator_id from creator_vetting where verdict <> 'review')
              and a.creator_id not in (select creator_id from creator_vetting where verdict <> 'approve')
            order by r.creator_id, a.creator_id limit 1""").fetchall()
        marts = [m for (m,) in con.execute("select table_name from information_schema.columns where column_name = "
                                           "'creator_name' intersect select table_name from information_schema."
                                           "columns where column_name = 'creator_id'").fetchall()]
        for mart in marts:
            con.execute(f"update {mart} set creator_name = $name where creator_id = $id",
                        {"name": name, "id": reviewed})
    report = build_report(serving, tmp_path / "reports", week=iso_week("2026-W46", TZ), timezone=TZ)
    review = report.markdown.read_text().split("### Creators in review")[1].split("\n#")[0]
    assert f"| {name} ({reviewed}) |" in review and f"| {name} |" not in review, review

    # Every mart with names is read so, by the report and the dashboard alike; other names are left as they are.
    con = duckdb.connect(str(serving), read_only=True)
    label_shared_names(con)
    for mart in marts:
        labels = dict(con.execute(f"select distinct creator_id, creator_name from {mart}").fetchall())
        assert {labels[i] for i in (reviewed, approved) if i in labels} <= {f"{name} ({reviewed})",
                                                                            f"{name} ({approved})"}, mart
        assert all(label.startswith(f"{name} (") == (i in (reviewed, approved)) for i, label in labels.items())
    con.close()
