"""Everything the report shows, read from the serving file with set-based SQL on one read-only connection.

Only creator-, campaign- and week-level figures leave this module: ``order_attribution`` is read in aggregate
(sums per creator or campaign), so no customer's data reaches a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from serve.creator_names import label_shared_names
from serve.report.week import ReportWeek

# The weeks the trend chart shows, and the window of the contract posts and exclusivity breaches the report lists
# (the report's text says it from here).
TREND_WEEKS = 12

# The names the marts' reasons are put in words with (words.readable), for the report and the dashboard alike:
# campaign id -> name, and contract id -> its campaign's name.
CAMPAIGN_NAMES = "select distinct campaign_id, campaign_name from campaign_performance"
CONTRACT_CAMPAIGNS = """
    select f.contract_id, any_value(c.campaign_name) from rate_fairness as f
    join campaign_performance as c on f.campaign_id = c.campaign_id group by f.contract_id
    union select contract_id, any_value(campaign_name) from contract_deliverables group by contract_id"""

# A creator with accounts on several platforms gets the worst verdict among them (as dbt's macro creator_verdicts, which
# budget_recommendations and rate_review use; pipeline summary counts creators with it too).
CREATOR_VERDICTS_VIEW = """
    create temp view creator_verdicts as
    select creator_id, any_value(creator_name) as creator_name,
           case max(case verdict when 'reject' then 3 when 'review' then 2 else 1 end)
               when 3 then 'reject' when 2 then 'review' else 'approve' end as verdict
    from creator_vetting group by creator_id"""


@dataclass(frozen=True)
class Totals:
    net_revenue: Decimal
    orders: int
    new_customers: int


@dataclass(frozen=True)
class Campaign:
    """A campaign as of the end of the reported week (campaign_performance)."""

    name: str
    start_date: date
    end_date: date
    cost: Decimal
    net_revenue_to_date: Decimal
    roi_to_date: float | None
    budget: Decimal | None = None  # in the reporting currency; None: no budget set
    spend_vs_budget: float | None = None  # cost / budget; None without a budget

    @property
    def roas_to_date(self) -> float | None:
        return float(self.net_revenue_to_date / self.cost) if self.cost else None

    @property
    def over_budget(self) -> bool:
        """Spent more than its budget (never without a budget)."""
        return self.spend_vs_budget is not None and self.spend_vs_budget > 1


@dataclass(frozen=True)
class ToDate:
    """The programme (every campaign started by then) to a week's end: spend and net revenue."""

    cost: Decimal
    net_revenue: Decimal

    @property
    def roi(self) -> float | None:
        return float((self.net_revenue - self.cost) / self.cost) if self.cost else None

    @property
    def roas(self) -> float | None:
        return float(self.net_revenue / self.cost) if self.cost else None


@dataclass(frozen=True)
class CreatorCampaign:
    """One row of creator_roi (campaign to date) with the creator's verdict and the reported week's revenue."""

    creator_id: str
    creator_name: str
    campaign_name: str
    campaign_end_date: date
    verdict: str
    orders: int
    net_revenue: Decimal
    creator_cost: Decimal
    roi: float | None
    roi_pct: float | None
    roas: float | None
    roi_null_reason: str | None
    is_code_leak_suspected: bool
    two_code_orders: int
    week_net_revenue: Decimal
    ctr: float | None = None  # clicks / views; None without a click export (no data, not 0%)
    cvr: float | None = None  # link orders / sessions; None without a GA4 export


@dataclass(frozen=True)
class Vetted:
    """A creator whose verdict is not approve, with the key reasons of the platforms that set it."""

    creator_id: str
    creator_name: str
    verdict: str
    platforms: str
    reasons: str
    undisclosed_posts: int  # sponsored posts without a prominent disclosure, on platforms flagged for it


@dataclass(frozen=True)
class KeyReason:
    """A reason that rejects or holds creators in review, and how many creators it does that to."""

    reason_code: str
    severity: str
    creators: int


@dataclass(frozen=True)
class Leak:
    """The reported week's revenue from code orders of creators suspected of a leaked code, per campaign."""

    campaign_name: str
    campaign_end_date: date
    creators: str
    orders: int
    net_revenue: Decimal
    after_campaign_end: bool


@dataclass(frozen=True)
class Mover:
    """The creator whose weekly net revenue changed most, with what the data says about why."""

    creator_name: str
    net_revenue: Decimal
    change: Decimal
    leaked_change: Decimal  # change in revenue from code orders without a recent sponsored post
    views: int
    median_views: float | None  # of the creator's posts per week over the 8 weeks before
    posts: int
    posts_prev_2_weeks: int
    posts_before: int  # in the 6 weeks before those
    leak_suspected: bool  # creator_roi.is_code_leak_suspected for any of the creator's campaigns


@dataclass(frozen=True)
class Recommendation:
    """A creator's budget recommendation (budget_recommendations) with the spend it moves a month and why."""

    creator_name: str
    recommendation: str
    recent_orders: int
    recent_roi: float | None
    budget_change_per_month: Decimal | None
    expected_revenue_change_per_month: Decimal | None
    reason: str


@dataclass(frozen=True)
class CustomerValue:
    """A creator's new customers and what they brought in their first 90 days against the CPA
    (creator_customer_value)."""

    creator_name: str
    new_customers: int
    complete_window_customers: int
    open_window_customers: int
    repeat_rate: float | None
    revenue_per_customer: Decimal | None
    cpa: Decimal | None
    value_to_cpa: float | None
    customer_value_rank: int | None
    summary: str
    window_days: int  # a new customer's window (dbt var customer_value_window_days), the same on every row


@dataclass(frozen=True)
class RateFlag:
    """A contract priced outside the market rate card (rate_fairness: over_priced or under_priced) and why."""

    creator_name: str
    campaign_name: str
    rate_flag: str
    pay_per_deliverable: Decimal
    market_low_per_deliverable: Decimal
    market_high_per_deliverable: Decimal
    reason: str


@dataclass(frozen=True)
class ContentBest:
    """The best format or posting time of a platform over every tier, or of the programme (platform 'all'):
    content_format_performance and posting_time_performance, ranked on the median engagement index."""

    platform: str
    what: str  # a format ("Reel"), or a weekday and hour on the audience's clock ("Tuesday 18:00")
    posts: int
    median_engagement_index: float


@dataclass(frozen=True)
class OrganicWinner:
    """A post engaging far above its account's usual, worth repurposing as an ad (content_post_performance)."""

    creator_name: str
    platform: str
    format_label: str
    posted_date: date
    post_url: str | None
    engagement_index: float
    reach: int | None  # reach, else views where the platform reports no reach
    is_sponsored: bool


@dataclass(frozen=True)
class Deliverable:
    """A contract deliverable (contract_deliverables) with posts missing or late, as of the data's last day."""

    creator_name: str
    campaign_name: str
    deliverable_format: str
    due_date: date
    delivery_status: str  # missing or late
    posts_due: int
    posts_missing: int
    posts_late: int
    max_days_late: int | None


@dataclass(frozen=True)
class Breach:
    """A post breaching a contract's exclusivity clause (contract_exclusivity_breaches): the post is the evidence."""

    creator_name: str
    campaign_name: str
    competitor_brands: str
    posted_date: date
    post: str  # the post's link, else "<platform> post <id>"
    window_start: date
    window_end: date


@dataclass(frozen=True)
class SeedingCampaign:
    """A campaign's gifting programme (seeding_programme) and its gifted creators who have not posted."""

    campaign_name: str
    creators_gifted: int
    creators_posted: int
    post_rate: float
    median_days_to_first_post: float | None
    gift_cost: Decimal
    cost_per_post: Decimal | None  # None without a post or with a gift's unit cost not recorded, never 0
    emv: Decimal  # earned media value: a convention, not revenue
    net_revenue: Decimal
    not_posted: list[str]  # creator names


@dataclass(frozen=True)
class ReportData:
    week: ReportWeek
    serving_version: str
    published_at: datetime
    currency: str
    orders_through: date | None
    this_week: Totals
    last_week: Totals
    to_date: ToDate
    to_date_last_week: ToDate
    campaigns: list[Campaign]
    creators: list[CreatorCampaign]
    vetted: list[Vetted]
    verdicts: dict[str, int]
    key_reasons: list[KeyReason]
    trend: list[tuple[date, str, Decimal]]  # week, campaign, net revenue
    leaks: list[Leak]
    mover: Mover | None
    deliverables: list[Deliverable] = field(default_factory=list)  # missing, then late; due in the trend weeks
    breaches: list[Breach] = field(default_factory=list)  # posted in the trend weeks, newest first
    budget: list[Recommendation] = field(default_factory=list)  # every creator, the moves first
    customer_value: list[CustomerValue] = field(default_factory=list)  # ranked creators first, best first
    best_formats: list[ContentBest] = field(default_factory=list)  # the programme's first, then by platform
    best_times: list[ContentBest] = field(default_factory=list)  # the programme's first, then by platform
    # Platforms ('all': the programme) with cells of enough posts but no best: level at the top, or only one cell.
    level_formats: set[str] = field(default_factory=set)
    level_times: set[str] = field(default_factory=set)
    organic_winners: list[OrganicWinner] = field(default_factory=list)  # best first
    rate_flags: list[RateFlag] = field(default_factory=list)  # over- and under-priced, furthest from the card first
    rate_counts: dict[str, int] = field(default_factory=dict)  # contracts per rate_flag
    rate_reviews: list[tuple[str, str]] = field(default_factory=list)  # (creator, reason) of partners due a review
    seeding: list[SeedingCampaign] = field(default_factory=list)  # campaigns with gifted-only creators, newest first
    campaign_names: dict[str, str] = field(default_factory=dict)  # campaign id -> name, for the marts' reasons
    contract_campaigns: dict[str, str] = field(default_factory=dict)  # contract id -> its campaign's name, as above
    findings_weeks: int = TREND_WEEKS  # contract posts and breaches listed: due or posted in these weeks


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    used = set(re.findall(r"\$(\w+)", sql))  # DuckDB refuses named parameters a statement does not use
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used}).fetchall()


def collect(serving_path: Path, week: ReportWeek) -> ReportData:
    """Read the report's figures for ``week`` from the serving file (read-only: publishes are never blocked)."""
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        label_shared_names(con)
        con.execute(CREATOR_VERDICTS_VIEW)
        p = {"w": week.start, "w_end": week.end, "prev": week.start - timedelta(days=7)}
        version, published_at = _rows(con, "select version, published_at from publication")[0]
        currency, orders_through = _rows(con, "select (select any_value(reporting_currency) from creator_roi), "
                                              "(select max(order_date) from order_attribution)")[0]
        return ReportData(
            week=week, serving_version=version, published_at=published_at, currency=currency or "",
            orders_through=orders_through,
            this_week=_totals(con, week.start), last_week=_totals(con, p["prev"]),
            to_date=_to_date(con, week.start), to_date_last_week=_to_date(con, p["prev"]),
            campaigns=_campaigns(con, week.start), creators=_creators(con, p), vetted=_vetted(con),
            verdicts=dict(_rows(con, "select verdict, count(*) from creator_verdicts group by verdict")),
            key_reasons=[KeyReason(*r) for r in _rows(con, """
                select reason_code, severity, count(distinct creator_id) as creators
                from creator_vetting_reasons where is_key_reason and severity in ('reject', 'review')
                group by all order by creators desc, reason_code""")],
            trend=_rows(con, """
                select week_start, campaign_name, net_revenue from campaign_performance
                where week_start between $w - $days and $w order by week_start, campaign_name""",
                        {"w": week.start, "days": 7 * (TREND_WEEKS - 1)}),
            leaks=_leaks(con, p), mover=_mover(con, p), budget=_budget(con), deliverables=_deliverables(con, p),
            breaches=_breaches(con, p),
            best_formats=_best(con, "content_format_performance", "format_label"),
            best_times=_best(con, "posting_time_performance",
                             "local_weekday_name || ' ' || lpad(local_hour::varchar, 2, '0') || ':00'"),
            level_formats=_level(con, "content_format_performance"),
            level_times=_level(con, "posting_time_performance"),
            organic_winners=[OrganicWinner(*r) for r in _rows(con, """
                select creator_name, platform, format_label, posted_date, post_url, engagement_index,
                       coalesce(reach, views), coalesce(is_sponsored, false)
                from content_post_performance where is_organic_winner order by organic_winner_rank""")],
            customer_value=_customer_value(con), rate_flags=_rate_flags(con), seeding=_seeding(con),
            rate_counts=dict(_rows(con, "select rate_flag, count(*) from rate_fairness group by rate_flag")),
            rate_reviews=_rows(con, "select creator_name, reason from rate_review where is_rate_review "
                                    "order by roas_change desc nulls last, creator_id"),
            campaign_names=dict(_rows(con, CAMPAIGN_NAMES)), contract_campaigns=dict(_rows(con, CONTRACT_CAMPAIGNS)))
    finally:
        con.close()


def _totals(con: duckdb.DuckDBPyConnection, week_start: date) -> Totals:
    return Totals(*_rows(con, """
        select coalesce(sum(net_revenue), 0), coalesce(sum(orders), 0)::bigint, coalesce(sum(new_customers), 0)::bigint
        from creator_weekly_performance where week_start = $w""", {"w": week_start})[0])


_LATEST_CAMPAIGN_WEEK = """
    select * from campaign_performance where week_start <= $w
    qualify row_number() over (partition by campaign_id order by week_start desc) = 1"""


def _to_date(con: duckdb.DuckDBPyConnection, week_start: date) -> ToDate:
    return ToDate(*_rows(con, f"""
        select coalesce(sum(campaign_cost), 0), coalesce(sum(net_revenue_to_date), 0)
        from ({_LATEST_CAMPAIGN_WEEK})""", {"w": week_start})[0])


def _campaigns(con: duckdb.DuckDBPyConnection, week_start: date) -> list[Campaign]:
    return [Campaign(*r) for r in _rows(con, f"""
        with dates as (
            select campaign_id, min(campaign_start_date) as start_date, max(campaign_end_date) as end_date
            from creator_roi group by campaign_id)
        select c.campaign_name, d.start_date, d.end_date, c.campaign_cost, c.net_revenue_to_date, c.roi_to_date,
               c.budget_reporting, c.spend_vs_budget
        from ({_LATEST_CAMPAIGN_WEEK}) as c join dates as d on c.campaign_id = d.campaign_id
        order by d.start_date, c.campaign_name""", {"w": week_start})]


def _creators(con: duckdb.DuckDBPyConnection, p: dict) -> list[CreatorCampaign]:
    return [CreatorCampaign(*r) for r in _rows(con, """
        with week as (
            select creator_id, campaign_id, sum(net_revenue_reporting) as net_revenue
            from order_attribution where order_date between $w and $w_end group by all)
        select r.creator_id, r.creator_name, r.campaign_name, r.campaign_end_date,
               coalesce(v.verdict, 'not vetted'), r.orders, r.net_revenue, r.creator_cost, r.roi, r.roi_pct,
               r.roas, r.roi_null_reason, r.is_code_leak_suspected, r.two_code_orders, coalesce(w.net_revenue, 0),
               r.ctr, r.cvr
        from creator_roi as r
        left join creator_verdicts as v on r.creator_id = v.creator_id
        left join week as w on r.creator_id = w.creator_id and r.campaign_id = w.campaign_id
        order by r.creator_id, r.campaign_name""", p)]


def _vetted(con: duckdb.DuckDBPyConnection) -> list[Vetted]:
    return [Vetted(*r) for r in _rows(con, """
        select c.creator_id, c.creator_name, c.verdict,
               string_agg(distinct v.platform, ', ' order by v.platform),
               coalesce(string_agg(r.detail, '; ' order by v.platform, r.reason_rank), 'no key reason recorded'),
               coalesce(sum(r.measured_value) filter (where r.reason_code = 'undisclosed_sponsored_posts'
                                                       and v.is_undisclosed_review), 0)::bigint
        from creator_verdicts as c
        join creator_vetting as v on c.creator_id = v.creator_id and c.verdict = v.verdict
        left join creator_vetting_reasons as r
            on v.creator_id = r.creator_id and v.platform = r.platform and r.is_key_reason
        where c.verdict <> 'approve'
        group by all order by c.verdict desc, c.creator_name, c.creator_id""")]


def _budget(con: duckdb.DuckDBPyConnection) -> list[Recommendation]:
    return [Recommendation(*r) for r in _rows(con, """
        select creator_name, recommendation, recent_orders, recent_roi, budget_change_per_month,
               expected_revenue_change_per_month, reason
        from budget_recommendations
        order by case recommendation when 'increase' then 1 when 'replace' then 2 when 'cut' then 3 when 'keep' then 4
                 else 5 end, abs(budget_change_per_month) desc nulls last, recent_roi desc nulls last, creator_id""")]


def _customer_value(con: duckdb.DuckDBPyConnection) -> list[CustomerValue]:
    return [CustomerValue(*r) for r in _rows(con, """
        select creator_name, new_customers, complete_window_customers, open_window_customers, repeat_rate,
               revenue_per_customer, cpa, value_to_cpa, customer_value_rank, summary, window_days
        from creator_customer_value order by customer_value_rank nulls last, new_customers desc, creator_id""")]


def _seeding(con: duckdb.DuckDBPyConnection) -> list[SeedingCampaign]:
    return [SeedingCampaign(*r) for r in _rows(con, """
        select p.campaign_name, p.creators_gifted, p.creators_posted, p.post_rate, p.median_days_to_first_post,
               p.gift_cost, p.cost_per_post, p.emv, p.net_revenue,
               coalesce((select list(s.creator_name order by s.creator_name) from seeding_performance as s
                         where s.campaign_id = p.campaign_id and not s.has_posted), [])
        from seeding_programme as p order by p.campaign_start_date desc, p.campaign_name""")]


def _rate_flags(con: duckdb.DuckDBPyConnection) -> list[RateFlag]:
    return [RateFlag(*r) for r in _rows(con, """
        select f.creator_name, c.campaign_name, f.rate_flag, f.pay_per_deliverable, f.market_low_per_deliverable,
               f.market_high_per_deliverable, f.reason
        from rate_fairness as f
        left join (select distinct campaign_id, campaign_name from creator_roi) as c on f.campaign_id = c.campaign_id
        where f.rate_flag in ('over_priced', 'under_priced')
        order by abs(ln(f.pay_per_deliverable / case f.rate_flag when 'over_priced'
                 then f.market_high_per_deliverable else f.market_low_per_deliverable end)) desc, f.contract_id""")]


def _best(con: duckdb.DuckDBPyConnection, mart: str, what: str) -> list[ContentBest]:
    return [ContentBest(*r) for r in _rows(con, f"""
        select platform, {what}, posts, median_engagement_index from {mart}
        where is_best and tier = 'all' order by platform <> 'all', platform""")]


def _level(con: duckdb.DuckDBPyConnection, mart: str) -> set[str]:
    return {platform for (platform,) in _rows(con, f"""
        select platform from {mart} where tier = 'all' group by platform
        having bool_or(engagement_rank is not null) and not bool_or(is_best)""")}


def _deliverables(con: duckdb.DuckDBPyConnection, p: dict) -> list[Deliverable]:
    return [Deliverable(*r) for r in _rows(con, """
        select creator_name, campaign_name, deliverable_format, due_date, delivery_status, posts_due, posts_missing,
               posts_late, max_days_late
        from contract_deliverables
        where delivery_status in ('missing', 'late') and due_date between $w_end - $days and $w_end
        order by delivery_status desc, due_date desc, creator_name, deliverable_format""",
                                                 p | {"days": 7 * TREND_WEEKS})]


def _breaches(con: duckdb.DuckDBPyConnection, p: dict) -> list[Breach]:
    return [Breach(*r) for r in _rows(con, """
        select creator_name, campaign_name, competitor_brands, posted_date,
               coalesce(post_url, platform || ' post ' || post_id), window_start, window_end
        from contract_exclusivity_breaches
        where posted_date between $w_end - $days and $w_end
        order by posted_date desc, creator_name, post_id""", p | {"days": 7 * TREND_WEEKS})]


def _leaks(con: duckdb.DuckDBPyConnection, p: dict) -> list[Leak]:
    return [Leak(*r) for r in _rows(con, """
        select r.campaign_name, any_value(r.campaign_end_date),
               string_agg(distinct r.creator_name, ', ' order by r.creator_name), count(*),
               sum(o.net_revenue_reporting), bool_and(o.order_date > r.campaign_end_date)
        from order_attribution as o
        join creator_roi as r on o.creator_id = r.creator_id and o.campaign_id = r.campaign_id
        where o.order_date between $w and $w_end and o.sale_status = 'paid'
          and o.is_code_order_without_recent_post and r.is_code_leak_suspected
        group by r.campaign_name order by sum(o.net_revenue_reporting) desc""", p)]


def _mover(con: duckdb.DuckDBPyConnection, p: dict) -> Mover | None:
    rows = _rows(con, """
        with leaked as (
            select creator_id,
                   coalesce(sum(net_revenue_reporting) filter (where order_date >= $w), 0)
                   - coalesce(sum(net_revenue_reporting) filter (where order_date < $w), 0) as change
            from order_attribution
            where order_date between $prev and $w_end and is_code_order_without_recent_post
            group by creator_id),
        history as (
            select creator_id,
                   median(views) filter (where week_start between $w - 56 and $w - 7) as median_views,
                   coalesce(sum(posts) filter (where week_start between $w - 14 and $w - 7), 0) as posts_prev_2,
                   coalesce(sum(posts) filter (where week_start between $w - 56 and $w - 21), 0) as posts_before
            from creator_weekly_performance group by creator_id)
        select w.creator_name, w.net_revenue, w.net_revenue_wow_change, coalesce(l.change, 0), w.views,
               h.median_views, w.posts, h.posts_prev_2, h.posts_before, coalesce(r.leak_suspected, false)
        from creator_weekly_performance as w
        left join leaked as l on w.creator_id = l.creator_id
        left join history as h on w.creator_id = h.creator_id
        left join (select creator_id, bool_or(is_code_leak_suspected) as leak_suspected from creator_roi
                   group by creator_id) as r on w.creator_id = r.creator_id
        where w.week_start = $w and w.net_revenue_wow_change <> 0
        order by abs(w.net_revenue_wow_change) desc, w.creator_id limit 1""", p)
    return Mover(*rows[0]) if rows else None
