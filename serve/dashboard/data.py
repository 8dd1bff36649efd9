"""The dashboard's only reader of the published marts: set-based SQL over the serving file, small frames out.

A page resolves ``serving/current`` once per run (``current_version``) and runs every query of that run against
that version's DuckDB file, each on its own short read-only connection (docs/serving.md): a publish never waits
for the dashboard, one page never mixes two versions, and the next run (any click or a reload) shows the newest
version. Only creator-, campaign- and week-level marts are read: ``order_attribution``, the one mart with
(pseudonymised) customer columns, is never queried, so no customer data can reach a page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.publish import CURRENT, MANIFEST, SERVING_DB
from serve.creator_names import label_shared_names
from serve.report import words
from serve.report.data import CAMPAIGN_NAMES, CONTRACT_CAMPAIGNS

VERDICTS = ("approve", "review", "reject")
# A creator with accounts on several platforms gets the worst verdict among them (as the weekly report does).
_WORST_VERDICT = ("case max(case verdict when 'reject' then 3 when 'review' then 2 when 'approve' then 1 end) "
                  "when 3 then 'reject' when 2 then 'review' when 1 then 'approve' end")
Params = dict[str, object]


class NotPublished(RuntimeError):
    """Nothing is published in the serving folder yet; the message says what to run."""


class GateResultsUnreadable(RuntimeError):
    """A validation result could not be read (the gate is writing or pruning them right now)."""


@dataclass(frozen=True)
class Version:
    """One published version: its folder ``versions/<id>``, resolved from ``current`` once."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    def query(self, sql: str, params: Params | None = None) -> pd.DataFrame:
        con = duckdb.connect(str(self.path / SERVING_DB), read_only=True)
        try:
            label_shared_names(con)
            return con.execute(sql, params or {}).df()
        finally:
            con.close()


def current_version(serving_dir: Path) -> Version:
    link = serving_dir / CURRENT
    path = link.resolve()
    if not (path / SERVING_DB).is_file():
        raise NotPublished(f"nothing is published at {link} (no {SERVING_DB} there): run `uv run --frozen pipeline "
                           "demo` or the creator_pipeline DAG, or point PIPELINE_SERVING_DIR (or `pipeline dashboard "
                           "--serving-dir`) at the folder that holds `current`")
    return Version(path)


def reason_words(v: Version) -> Callable[[str], str]:
    """The marts' reasons in words, as the report gives them (words.readable): campaign and contract ids by their
    campaign's name, format and platform codes and mart names as a reader knows them. Use it with ``Series.map``
    and ``na_action="ignore"``."""
    campaigns = dict(v.query(CAMPAIGN_NAMES).itertuples(index=False))
    contracts = dict(v.query(CONTRACT_CAMPAIGNS).itertuples(index=False))
    return lambda text: words.readable(text, campaigns, contracts)


# --- programme overview -------------------------------------------------------------------------------------

def totals(v: Version) -> pd.Series:
    """Spend, net revenue, ROI and ROAS of the whole programme: sums over every creator x campaign of creator_roi."""
    return v.query("""
        select any_value(reporting_currency) as currency,
               sum(creator_cost) as spend,
               sum(net_revenue) as net_revenue,
               sum(orders) as orders,
               count(distinct creator_id) as creators,
               (sum(net_revenue) - sum(creator_cost)) / nullif(sum(creator_cost), 0) as roi,
               sum(net_revenue) / nullif(sum(creator_cost), 0) as roas
        from creator_roi""").iloc[0]


def verdict_counts(v: Version) -> dict[str, int]:
    counts = v.query(f"""
        select verdict, count(*) as creators
        from (select creator_id, {_WORST_VERDICT} as verdict from creator_vetting group by creator_id)
        group by verdict""")
    return {verdict: int(counts.loc[counts.verdict == verdict, "creators"].sum()) for verdict in VERDICTS}


def weekly_trend(v: Version) -> pd.DataFrame:
    return v.query("""
        select week_start, sum(net_revenue) as net_revenue, sum(orders) as orders,
               bool_and(is_complete_week) as is_complete_week
        from creator_weekly_performance group by week_start order by week_start""")


# --- creator leaderboard ------------------------------------------------------------------------------------

def filter_options(v: Version) -> dict[str, dict[str, str]]:
    """The leaderboard's filter values, each mapped to its label."""
    options = v.query("""
        select distinct 'platform' as kind, platform as value, platform as label from creator_vetting
        union select distinct 'tier', tier, tier from creator_vetting where tier is not null
        union select distinct 'campaign', campaign_id, campaign_name from creator_roi
        order by kind, label""")
    by_kind: dict[str, dict[str, str]] = {"platform": {}, "tier": {}, "campaign": {}}
    for kind, value, label in options.itertuples(index=False):
        by_kind[kind][value] = label
    return {**by_kind, "verdict": {verdict: verdict for verdict in VERDICTS}}


def leaderboard(v: Version, platform: str | None = None, tier: str | None = None, campaign_id: str | None = None,
                verdict: str | None = None) -> pd.DataFrame:
    """One row per creator, best ROI first. Platform and tier keep creators with an account that matches both;
    campaign restricts the money to that campaign; verdict is the creator's worst verdict."""
    return v.query(f"""
        with accounts as (
            select creator_id,
                   any_value(creator_name) as creator_name,
                   string_agg(platform || ' ' || coalesce(tier, '?'), ', ' order by platform) as accounts,
                   {_WORST_VERDICT} as verdict,
                   min(vetting_score) as lowest_vetting_score,
                   bool_or(($platform is null or platform = $platform) and ($tier is null or tier = $tier)) as matches
            from creator_vetting
            group by creator_id
        ),
        money as (
            select creator_id,
                   any_value(creator_name) as creator_name,
                   count(distinct campaign_id) as campaigns,
                   sum(orders) as orders,
                   sum(net_revenue) as net_revenue,
                   sum(creator_cost) as creator_cost,
                   bool_or(is_top_performer) as is_top_performer
            from creator_roi
            where $campaign is null or campaign_id = $campaign
            group by creator_id
        ),
        top_reasons as (
            select creator_id, string_agg(platform || ': ' || detail, ' | ' order by platform) as top_reason
            from creator_vetting_reasons
            where is_key_reason and reason_rank = 1
            group by creator_id
        )
        select creator_id,
               coalesce(m.creator_name, a.creator_name) as creator,
               a.accounts,
               a.verdict,
               a.lowest_vetting_score,
               coalesce(m.campaigns, 0) as campaigns,
               coalesce(m.orders, 0) as orders,
               coalesce(m.net_revenue, 0) as net_revenue,
               coalesce(m.creator_cost, 0) as creator_cost,
               (m.net_revenue - m.creator_cost) / nullif(m.creator_cost, 0) as roi,
               m.net_revenue / nullif(m.creator_cost, 0) as roas,
               coalesce(m.is_top_performer, false) as is_top_performer,
               r.top_reason
        from accounts as a
        full join money as m using (creator_id)
        left join top_reasons as r using (creator_id)
        where ($campaign is null or m.creator_id is not null)
          and (($platform is null and $tier is null) or coalesce(a.matches, false))
          and ($verdict is null or a.verdict = $verdict)
        order by roi desc nulls last, net_revenue desc, creator_id""",
        {"platform": platform, "tier": tier, "campaign": campaign_id, "verdict": verdict})


# --- creator detail -----------------------------------------------------------------------------------------

def creators(v: Version) -> pd.DataFrame:
    return v.query("""
        select creator_id, any_value(creator_name) as creator_name
        from (select creator_id, creator_name from creator_vetting
              union all select creator_id, creator_name from creator_roi)
        group by creator_id order by creator_name, creator_id""")


def creator_accounts(v: Version, creator_id: str) -> pd.DataFrame:
    return v.query("""
        select platform, handle, followers, tier, verdict, vetting_score, data_coverage, as_of_date,
               engagement_score, growth_score, comment_score, geography_score, disclosure_score, activity_score,
               scored_er_definition, scored_er, er_benchmark, geo_match, snapshot_days
        from creator_vetting where creator_id = $creator order by platform""", {"creator": creator_id})


def creator_reasons(v: Version, creator_id: str) -> pd.DataFrame:
    return v.query("""
        select platform, severity, is_key_reason, detail
        from creator_vetting_reasons where creator_id = $creator order by platform, reason_rank""",
        {"creator": creator_id})


def follower_history(v: Version, creator_id: str) -> pd.DataFrame:
    """The daily follower count of each of the creator's accounts; ``flag`` names the jump or drop the vetting
    counted that day (null on the other days)."""
    return v.query("""
        select platform, snapshot_date, followers, follower_delta,
               case flag_reason_code when 'follower_spike_unexplained' then 'unexplained jump (penalised)'
                                     when 'follower_spike_explained' then 'jump explained by a viral post'
                                     when 'follower_dump' then 'drop after a jump' end as flag,
               flag_detail as detail
        from creator_follower_history
        where creator_id = $creator
        order by platform, snapshot_date""", {"creator": creator_id})


def creator_weeks(v: Version, creator_id: str) -> pd.DataFrame:
    return v.query("""
        select week_start, net_revenue, orders, posts, sponsored_posts, is_complete_week
        from creator_weekly_performance where creator_id = $creator order by week_start""", {"creator": creator_id})


def creator_campaigns(v: Version, creator_id: str) -> pd.DataFrame:
    return v.query("""
        select campaign_name, orders, net_revenue, creator_cost, roi, roas, roi_null_reason, is_top_performer,
               is_code_leak_suspected, incremental_net_revenue, clicks, ctr, sessions, cvr
        from creator_roi where creator_id = $creator order by campaign_start_date, campaign_id""",
        {"creator": creator_id})


# --- campaigns ----------------------------------------------------------------------------------------------

def campaigns(v: Version) -> pd.DataFrame:
    """One row per campaign: attributed revenue to date against the campaign's total creator cost, and that cost
    against the budget (null without one)."""
    return v.query("""
        select campaign_id, any_value(campaign_name) as campaign_name, max(creators) as creators,
               min(week_start) as first_week, max(week_start) as last_week, sum(orders) as orders,
               sum(net_revenue) as net_revenue, any_value(campaign_cost) as campaign_cost,
               any_value(budget_reporting) as budget, any_value(spend_vs_budget) as spend_vs_budget,
               any_value(remaining_budget) as remaining_budget,
               (sum(net_revenue) - any_value(campaign_cost)) / nullif(any_value(campaign_cost), 0) as roi,
               sum(net_revenue) / nullif(any_value(campaign_cost), 0) as roas
        from campaign_performance group by campaign_id order by first_week, campaign_id""")


def campaign_weeks(v: Version, campaign_id: str) -> pd.DataFrame:
    return v.query("""
        select week_start, net_revenue, net_revenue_to_date, campaign_cost, budget_reporting, orders, sponsored_posts
        from campaign_performance where campaign_id = $campaign order by week_start""", {"campaign": campaign_id})


def campaign_deliverables(v: Version, campaign_id: str) -> pd.DataFrame:
    """The campaign's contract deliverables (contract_deliverables), missing first, then late, pending, delivered."""
    return v.query("""
        select creator_name, contract_id, deliverable_format, due_date, delivery_status, posts_due, posts_on_time,
               posts_late, posts_missing, posts_pending, posts_undisclosed, max_days_late, post_ids
        from contract_deliverables where campaign_id = $campaign
        order by list_position(['missing', 'late', 'pending', 'delivered'], delivery_status), due_date, creator_name,
                 deliverable_format""", {"campaign": campaign_id})


def campaign_exclusivity_breaches(v: Version, campaign_id: str) -> pd.DataFrame:
    """The campaign's contracts' exclusivity breaches (contract_exclusivity_breaches), newest post first."""
    return v.query("""
        select creator_name, contract_id, exclusivity_category, competitor_brands, posted_date, platform, post_id,
               post_url, matched_terms, window_start, window_end
        from contract_exclusivity_breaches where campaign_id = $campaign
        order by posted_date desc, creator_name, post_id""", {"campaign": campaign_id})


# --- budget -------------------------------------------------------------------------------------------------

def budget_recommendations(v: Version) -> pd.DataFrame:
    """One row per creator (budget_recommendations): the moves first (increase, replace, cut), then keep and
    insufficient_data."""
    return v.query("""
        select creator_id, creator_name, recommendation, vetting_verdict, recent_orders, recent_net_revenue,
               recent_cost, recent_roi,
               recent_roi_low, recent_roi_high, recent_incremental_net_revenue, trend, roas_change,
               spare_sponsored_posts_per_month, budget_change_per_month, expected_revenue_change_per_month, reason,
               recent_start_date, as_of_date
        from budget_recommendations
        order by case recommendation when 'increase' then 1 when 'replace' then 2 when 'cut' then 3 when 'keep' then 4
                 else 5 end, abs(budget_change_per_month) desc nulls last, recent_roi desc nulls last, creator_id""")


# --- customer value -----------------------------------------------------------------------------------------

def customer_value(v: Version) -> pd.DataFrame:
    """One row per creator (creator_customer_value): ranked creators best first, then those not ranked."""
    return v.query("""
        select creator_id, creator_name, customer_value_rank, new_customers, complete_window_customers,
               open_window_customers, repeat_customers, repeat_rate, revenue_per_customer,
               first_order_revenue_per_customer, cpa, value_to_cpa, unranked_reason, summary, as_of_date, window_days
        from creator_customer_value
        order by customer_value_rank nulls last, new_customers desc, creator_id""")


# --- content ------------------------------------------------------------------------------------------------

def content_formats(v: Version, platform: str, tier: str) -> pd.DataFrame:
    """The format cells of one platform (or 'all') and tier (or 'all'), best engagement index first."""
    return v.query("""
        select format_label, posts, creators, sponsored_posts, median_engagement_index, median_engagement_rate,
               median_reach_per_follower, median_views_per_follower, attributed_net_revenue,
               attributed_net_revenue_per_sponsored_post, has_enough_posts, is_best
        from content_format_performance where platform = $platform and tier = $tier
        order by has_enough_posts desc, median_engagement_index desc nulls last, format_label""",
                   {"platform": platform, "tier": tier})


def posting_times(v: Version, platform: str, tier: str) -> pd.DataFrame:
    """The weekday x hour cells of one platform (or 'all') and tier (or 'all') on the audience's clock."""
    return v.query("""
        select local_weekday, local_weekday_name, local_hour, posts, median_engagement_index, has_enough_posts, is_best
        from posting_time_performance where platform = $platform and tier = $tier
        order by local_weekday, local_hour""", {"platform": platform, "tier": tier})


def organic_winners(v: Version) -> pd.DataFrame:
    """Posts engaging far above their account's usual (content_post_performance), best first."""
    return v.query("""
        select organic_winner_rank, creator_name, platform, format_label, posted_date, post_id, engagement_index,
               engagement_rate, coalesce(reach, views) as reach, is_sponsored
        from content_post_performance where is_organic_winner order by organic_winner_rank""")


# --- seeding ------------------------------------------------------------------------------------------------

def seeding_campaigns(v: Version) -> pd.DataFrame:
    """One row per campaign with gifted-only creators (seeding_programme), newest first."""
    return v.query("""
        select campaign_id, campaign_name, campaign_start_date, creators_gifted, creators_posted, post_rate,
               median_days_to_first_post, posts, gift_cost, creators_gift_cost_missing, cost_per_post, emv, orders,
               net_revenue
        from seeding_programme order by campaign_start_date desc, campaign_name""")


def seeding_creators(v: Version) -> pd.DataFrame:
    """One row per gifted-only creator and campaign (seeding_performance): those who have not posted first."""
    return v.query("""
        select creator_id, creator_name, campaign_name, has_posted, posts, days_to_first_post, gifted_units,
               gift_cost, is_gift_cost_missing, cost_per_post, views, emv, orders, net_revenue
        from seeding_performance order by has_posted, campaign_start_date desc, creator_name, creator_id""")


# --- rates --------------------------------------------------------------------------------------------------

def rate_fairness(v: Version) -> pd.DataFrame:
    """One row per contract (rate_fairness) with its campaign's name (creator_roi, as the report shows it):
    over-priced, then under-priced, unknown and in range."""
    return v.query("""
        select f.contract_id, f.creator_id, f.creator_name, f.campaign_id, c.campaign_name, f.rate_flag,
               f.deliverables, f.deliverable_formats, f.tiers, f.has_exclusivity, f.creator_pay, f.pay_per_deliverable,
               f.market_low_per_deliverable, f.market_high_per_deliverable, f.cost_per_1000_engaged,
               f.benchmark_cost_per_1000_engaged, f.reason
        from rate_fairness as f
        left join (select distinct campaign_id, campaign_name from creator_roi) as c on f.campaign_id = c.campaign_id
        order by case f.rate_flag when 'over_priced' then 1 when 'under_priced' then 2 when 'unknown' then 3 else 4 end,
                 f.creator_name, f.contract_id""")


def rate_review(v: Version) -> pd.DataFrame:
    """One row per long-term partner (rate_review): those due a review first, biggest ROAS growth first."""
    return v.query("""
        select creator_id, creator_name, is_rate_review, contracts, tenure_days, first_roas, latest_roas, roas_change,
               engagement_change, latest_rate_flag, latest_pay_per_deliverable, reason
        from rate_review order by is_rate_review desc, roas_change desc nulls last, creator_id""")


# --- data status --------------------------------------------------------------------------------------------

def publication(v: Version) -> dict[str, object]:
    """The version's record (publication table) and the row count of every mart (its manifest)."""
    row = v.query("select version, published_at, source from publication").iloc[0]
    manifest = json.loads((v.path / MANIFEST).read_text())
    return {"version": row.version, "published_at": row.published_at, "source": row.source,
            "storage_version": manifest["duckdb"]["storage_version"],
            "rows": {mart: entry["rows"] for mart, entry in manifest["marts"].items()}}


def gate_results(quality_dir: Path) -> pd.DataFrame:
    """The newest run of each quality gate (raw, marts) from the validation results the gate keeps on disk: one row
    per suite with its outcome. A failed gate shows here even though it published nothing."""
    results = quality_dir / "gx" / "uncommitted" / "validations"
    if not any(results.glob("*/*/*/*.json")):
        return pd.DataFrame(columns=["gate", "suite", "success", "failed_expectations", "run_name", "validated_at"])
    sql = """
        with results as (
            select case when suite_name like 'mart\\_%' escape '\\' then 'marts' else 'raw' end as gate,
                   suite_name as suite, success,
                   (statistics->>'$.unsuccessful_expectations')::int as failed_expectations,
                   meta->>'$.run_id.run_name' as run_name,
                   (meta->>'$.validation_time')::timestamptz as validated_at
            from read_json($files, columns = {suite_name: 'varchar', success: 'boolean', meta: 'json',
                                               statistics: 'json'})
        )
        select * from results
        qualify validated_at = max(validated_at) over (partition by gate)
        order by gate, success, suite"""
    try:
        with duckdb.connect() as con:
            return con.execute(sql, {"files": str(results / "*" / "*" / "*" / "*.json")}).df()
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise GateResultsUnreadable(f"cannot read the gate results in {results} ({str(exc).splitlines()[0]}): the "
                                    "gate is probably writing them right now; reload in a few seconds") from exc
