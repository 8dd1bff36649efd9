"""Expectation suites, versioned as code. Each suite names the frame it validates (a DuckDB query that computes
small statistics set-based: one row per batch, or one row per mart) and its expectations.

Raw suites, one per source, generated from the source declarations (ingest/sources): every new batch of the source
is judged against the batches accepted before it (quarantine share, row count against the recent median, every
amount against the 99th percentile of that amount, re-delivered orders whose amount changed, currencies outside
the ISO 4217 list ingest accepts). Mart
suites, one per published mart, check what dbt's tests do not: row counts against the last passed gate,
cross-row consistency, values no dbt test bounds, freshness.

Thresholds come from ``GateSettings`` (env vars, README); ``meta.why`` says what a failure means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest.sources import ALL_SOURCES
from ingest.spec import CURRENCY_CHECK, MONEY, Source
from ingest.sql import quote_ident
from pipeline.publish import MARTS
from pipeline.settings import GateSettings

# The order amount a re-delivery must not change silently (refunds may change; they have their own columns).
ORDER_AMOUNTS = {"shopify_orders_csv": "total", "shopify_orders_api": "total_price", "woocommerce_orders": "total"}
ORDER_SOURCES = tuple(ORDER_AMOUNTS)
RECENT_BATCHES = 10  # the row-count band is around the median of this many accepted batches of the source


@dataclass(frozen=True)
class Suite:
    name: str
    query: str  # raw suites: may reference {load_ids}, the SQL list of the source's pending load ids
    expectations: Callable[[Any, GateSettings], list[Any]]  # (gx.expectations module, thresholds) -> expectations
    source: str | None = None  # raw suites: the source whose batches the frame holds, one row per batch


def _why(text: str) -> dict[str, str]:
    return {"why": text}


def _has_currency(source: Source) -> bool:
    return any(c.name == "currency" for c in source.columns)


def _amount_columns(source: Source) -> list[str]:
    return [c.name for c in source.columns if c.type == MONEY]


def _batch_query(source: Source) -> str:
    """One row per pending batch of ``source``: its statistics against the source's accepted history."""
    table = quote_ident(source.table)
    amounts = _amount_columns(source)
    ctes = [
        "batch as (select load_id, file_name, rows_read, rows_loaded, rows_quarantined from raw.load_manifest "
        "where load_id in {load_ids})",
        f"recent as (select median(m.rows_loaded) as rows from (select m.rows_loaded from raw.load_manifest m "
        f"join raw.batch_gate g using (load_id) where m.source = '{source.name}' and g.status in "
        f"('passed', 'admitted') order by m.started_at desc limit {RECENT_BATCHES}) m)",
    ]
    columns = [
        "b.load_id", "b.file_name",
        "(b.rows_quarantined / greatest(b.rows_read, 1))::double as quarantine_share",
        "b.rows_read - b.rows_loaded - b.rows_quarantined as rows_unaccounted",
        "(b.rows_loaded / nullif(recent.rows, 0))::double as rows_vs_recent_median",
    ]
    joins = ["cross join recent"]
    if amounts:
        # Each amount's batch maximum against the 99th percentile of the non-zero amounts accepted so far and of the
        # new batches (approximate: bounded memory at any history size), per currency where the source has one (a
        # JPY order is ~150 times a USD one). Zero-heavy amounts (refunds, discounts) are judged on the non-zero ones.
        part = "currency" if _has_currency(source) else "'all'"
        selected = ", ".join(quote_ident(a) for a in amounts)
        quantiles = ", ".join(f"approx_quantile(abs({quote_ident(a)}), 0.99) filter (where {quote_ident(a)} <> 0) "
                              f"as {quote_ident(a)}" for a in amounts)
        maxima = ", ".join(f"max(abs({quote_ident(a)})) as {quote_ident(a)}" for a in amounts)
        ratios = ", ".join(f"max(m.{quote_ident(a)} / nullif(r.{quote_ident(a)}, 0))::double as "
                           f"{quote_ident(a + '_vs_p99')}" for a in amounts)
        ctes += [
            f"reference as (select part, {quantiles} from (select {part} as part, {selected} from gated.{table} "
            f"union all select {part}, {selected} from raw.{table} where _load_id in {{load_ids}}) group by part)",
            f"maxima as (select m.load_id, {ratios} from (select _load_id as load_id, {part} as part, {maxima} "
            f"from raw.{table} where _load_id in {{load_ids}} group by all) m join reference r using (part) "
            "group by m.load_id)",
        ]
        columns += [f"x.{quote_ident(a + '_vs_p99')}" for a in amounts]
        joins += ["left join maxima x using (load_id)"]
    if _has_currency(source):
        # The very predicate ingest applies (ISO 4217): a currency ingest accepts is never refused here.
        ctes.append(f"currencies as (select _load_id as load_id, count(*) filter (where not "
                    f"({CURRENCY_CHECK.format(v='currency')})) as n from raw.{table} where _load_id in {{load_ids}} "
                    "group by 1)")
        columns.append("coalesce(cur.n, 0) as rows_not_in_iso_4217")
        joins.append("left join currencies cur using (load_id)")
    if source.name in ORDER_AMOUNTS:
        amount, keys = quote_ident(ORDER_AMOUNTS[source.name]), ", ".join(quote_ident(k) for k in source.key)
        # Each re-delivered order against its newest accepted version (order fields sit on an order's first line).
        ctes += [
            f"new_versions as (select _load_id as load_id, {keys}, max({amount}) as amount from raw.{table} "
            "where _load_id in {load_ids} group by all)",
            f"previous as (select {keys}, max({amount}) as amount, _load_id "
            f"from gated.{table} where ({keys}) in (select ({keys}) from new_versions) group by {keys}, _load_id "
            f"qualify row_number() over (partition by {keys} order by max(_loaded_at) desc, _load_id desc) = 1)",
            f"changed as (select n.load_id, count(*) as redelivered, count(*) filter (where n.amount is distinct from "
            f"p.amount) as changed from new_versions n join previous p using ({keys}) group by n.load_id)",
        ]
        columns += ["coalesce(c.changed, 0) as redelivered_orders_changed",
                    "(c.changed / nullif(c.redelivered, 0))::double as redelivered_changed_share"]
        joins += ["left join changed c using (load_id)"]
    return (f"with {', '.join(ctes)} select {', '.join(columns)} from batch b {' '.join(joins)} "
            "order by b.load_id")


def _batch_expectations(source: Source) -> Callable[[Any, GateSettings], list[Any]]:
    def expectations(x: Any, t: GateSettings) -> list[Any]:
        found = [
            x.ExpectColumnValuesToBeBetween(column="quarantine_share", min_value=0, max_value=t.max_quarantine_share,
                                            meta=_why("this share of the file's rows was quarantined: a broken "
                                                      "export; see raw.quarantine for the rows and reasons")),
            x.ExpectColumnValuesToBeBetween(column="rows_unaccounted", min_value=0, max_value=0,
                                            meta=_why("rows read != rows loaded + rows quarantined: rows were lost")),
            x.ExpectColumnValuesToBeBetween(column="rows_vs_recent_median", min_value=t.min_rows_ratio,
                                            max_value=t.max_rows_ratio,
                                            meta=_why("the batch's row count is outside the band around the median "
                                                      "of the source's recent accepted batches")),
        ]
        found += [x.ExpectColumnValuesToBeBetween(column=f"{a}_vs_p99", max_value=t.max_value_factor,
                                                  meta=_why(f"the batch's largest {a} is this many times the 99th "
                                                            f"percentile of {a} so far: an absurd value"))
                  for a in _amount_columns(source)]
        if _has_currency(source):
            found += _zero(x, "rows_not_in_iso_4217", why="currencies outside ISO 4217: no FX rate can convert them")
        if source.name in ORDER_AMOUNTS:
            found.append(x.ExpectColumnValuesToBeBetween(
                column="redelivered_changed_share", min_value=0, max_value=t.max_changed_share,
                meta=_why(f"orders delivered before came again with a different {ORDER_AMOUNTS[source.name]}: a "
                          "silent re-delivery that rewrites past revenue")))
        return found

    return expectations


def raw_suites() -> list[Suite]:
    return [Suite(f"raw_{s.name}", _batch_query(s), _batch_expectations(s), s.name) for s in ALL_SOURCES.values()]


def _rows_vs_last_pass(mart: str) -> str:
    """The mart's rows against the last passed mart gate ({last_rows} is filled in by the gate)."""
    return f"(count(*) / nullif({{last_rows[{mart}]}}, 0))::double as rows_vs_last_pass"


def _rows_kept(x: Any, t: GateSettings) -> list[Any]:
    return [x.ExpectColumnValuesToBeBetween(column="rows_vs_last_pass", min_value=t.min_mart_rows_ratio,
                                            meta=_why("the mart lost rows since the last passed gate: data went "
                                                      "missing"))]


def _rows(x: Any, t: GateSettings) -> list[Any]:
    return [x.ExpectColumnValuesToBeBetween(column="rows", min_value=1, meta=_why("the mart is empty")),
            *_rows_kept(x, t)]


def _zero(x: Any, *columns: str, why: str) -> list[Any]:
    return [x.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=0, meta=_why(why)) for c in columns]


_ORDER_DELIVERY = ("(select max(m.finished_at) from raw.load_manifest m join raw.batch_gate g using (load_id) "
                   "where g.status in ('passed', 'admitted') and m.source in ("
                   + ", ".join(f"'{s}'" for s in ORDER_SOURCES) + "))")

def _vetting_findings(mart: str) -> str:
    """Reasons and their per-post evidence: each row must name a reason, a vetted creator and a past day."""
    return ("select count(*) as rows, "
            "count(*) filter (where reason_code is null) as reason_codes_missing, "
            "count(*) filter (where observed_on > current_date + 1) as observed_in_future, "
            "count(*) filter (where creator_id not in (select creator_id from marts.creator_vetting)) "
            f"as creators_not_vetted from marts.{mart}")


def _content_cells(mart: str, cell: str) -> str:
    """Format or posting-time cells: one row per cell, a best cell only among those with enough posts, at most one best
    per platform and tier."""
    return ("select count(*) as rows, " + _rows_vs_last_pass(mart) + ", "
            f"count(*) - count(distinct (platform, tier, {cell})) as duplicate_cells, "
            "count(*) filter (where is_best and not has_enough_posts) as thin_cells_named_best, "
            "(select count(*) from (select platform, tier from marts." + mart + " where is_best group by all "
            "having count(*) > 1)) as groups_with_two_best "
            f"from marts.{mart}")


MART_QUERIES = {
    "order_attribution": (
        "select count(*) as rows, " + _rows_vs_last_pass("order_attribution") + ", "
        "count(*) filter (where is_valid and net_revenue_reporting is null) as valid_without_reporting_amount, "
        # The conversion, not the order size: the raw gate judged each amount in its own currency (and an operator
        # may have admitted a real but huge order), so here only a rate far off its currency's median is absurd.
        "(select max(greatest(hi / mid, mid / lo)) from (select max(fx_rate_to_reporting) as hi, "
        "min(fx_rate_to_reporting) as lo, median(fx_rate_to_reporting) as mid from marts.order_attribution "
        "where fx_rate_to_reporting > 0 group by currency))::double as fx_rate_vs_median, "
        "count(*) filter (where attribution_rule in ('code', 'link') and creator_id is null) "
        "as credited_without_creator, "
        f"(epoch(now() - {_ORDER_DELIVERY}) / 3600)::double as hours_since_order_delivery "
        "from marts.order_attribution"),
    "creator_roi": (
        "select count(*) as rows, " + _rows_vs_last_pass("creator_roi") + ", "
        "count(*) - count(distinct (creator_id, campaign_id)) as duplicate_creator_campaigns, "
        "count(*) filter (where creator_cost < 0) as negative_costs, "
        "count(*) filter (where creator_cost > 0 and roi is null) as roi_missing_with_cost, "
        "count(*) filter (where creator_cost = 0 and roi_null_reason is null) as zero_cost_without_reason, "
        # Every credited click and session is in exactly one creator x campaign row: per campaign, the sums agree
        # with the link traffic they come from (a check across two models: here, not as a dbt test, which Cosmos
        # would attach to both models' test tasks).
        "(select count(*) from (select campaign_id, sum(clicks) as clicks, sum(sessions) as sessions "
        "from marts.creator_roi group by 1) as r full join (select campaign_id, sum(clicks) as clicks, "
        "sum(sessions) as sessions from intermediate.int_link_traffic group by 1) as t using (campaign_id) "
        "where r.clicks is distinct from t.clicks or r.sessions is distinct from t.sessions) "
        "as campaigns_with_traffic_not_reconciled "
        "from marts.creator_roi"),
    "creator_vetting": (
        "select count(*) as rows, " + _rows_vs_last_pass("creator_vetting") + ", "
        "count(*) filter (where vetting_score not between 0 and 100) as scores_out_of_range, "
        "count(*) filter (where data_coverage not between 0 and 1) as coverage_out_of_range, "
        "count(*) filter (where verdict is null) as verdicts_missing from marts.creator_vetting"),
    "creator_vetting_reasons": _vetting_findings("creator_vetting_reasons"),
    "creator_vetting_evidence": _vetting_findings("creator_vetting_evidence"),
    "creator_weekly_performance": (
        "select count(*) as rows, " + _rows_vs_last_pass("creator_weekly_performance") + ", "
        "count(*) filter (where orders < 0) as negative_orders from marts.creator_weekly_performance"),
    "campaign_performance": (
        "with weeks as (select orders, net_revenue_to_date, sum(net_revenue) over (partition by campaign_id) as total, "
        "row_number() over (partition by campaign_id order by week_start desc) as n from marts.campaign_performance) "
        "select count(*) as rows, " + _rows_vs_last_pass("campaign_performance") + ", "
        "count(*) filter (where orders < 0) as negative_orders, "
        "count(*) filter (where n = 1 and net_revenue_to_date is distinct from total) as to_date_not_summing_up "
        "from weeks"),
    "creator_follower_history": (
        "select count(*) as rows, " + _rows_vs_last_pass("creator_follower_history") + ", "
        "count(*) filter (where followers < 0) as negative_followers, "
        "count(*) - count(distinct (platform, account_id, snapshot_date)) as duplicate_account_days, "
        "count(*) filter (where snapshot_date > current_date + 1) as days_in_future, "
        # Every follower flag of the vetting evidence must land on a charted day, or the chart hides a reason.
        "(select count(*) from marts.creator_vetting_evidence e where e.reason_code like 'follower%' and not exists "
        "(select 1 from marts.creator_follower_history h where h.creator_id = e.creator_id and h.platform = e.platform "
        "and h.snapshot_date = e.observed_on and h.is_flagged)) as flags_not_charted "
        "from marts.creator_follower_history"),
    # Optional input (the contract_exclusivity template): an empty list is fine; a breach outside its window or after
    # the vetting date, or a list that disagrees with the vetting mart's breach counts, is not.
    "contract_exclusivity_breaches": (
        "select count(*) as rows, " + _rows_vs_last_pass("contract_exclusivity_breaches") + ", "
        "count(*) - count(distinct (contract_id, platform, post_id)) as duplicate_breaches, "
        "count(*) filter (where posted_date not between window_start and window_end or posted_date > as_of_date) "
        "as breaches_outside_window, "
        "(select count(*) from (select platform, account_id, count(distinct post_id) as posts "
        "from marts.contract_exclusivity_breaches group by all) as b full join (select platform, account_id, "
        "exclusivity_breach_posts as posts from marts.creator_vetting where exclusivity_breach_posts > 0) as v "
        "using (platform, account_id) where b.posts is distinct from v.posts) as accounts_disagreeing_with_vetting "
        "from marts.contract_exclusivity_breaches"),
    # Optional input (the contract_deliverables template): an empty mart is fine, counts that do not add up are not.
    "contract_deliverables": (
        "select count(*) as rows, " + _rows_vs_last_pass("contract_deliverables") + ", "
        "count(*) filter (where posts_on_time + posts_late + posts_missing + posts_pending <> posts_due) "
        "as posts_not_adding_up, "
        "count(*) - count(distinct (contract_id, deliverable_format, due_date)) as duplicate_deliverables "
        "from marts.contract_deliverables"),
    "budget_recommendations": (
        "select count(*) as rows, " + _rows_vs_last_pass("budget_recommendations") + ", "
        "count(*) - count(distinct creator_id) as duplicate_creators, "
        "count(*) filter (where recommendation = 'increase' and recent_roi is null) as increase_without_roi, "
        "count(*) filter (where recent_roi not between recent_roi_low and recent_roi_high) as roi_outside_range "
        "from marts.budget_recommendations"),
    # Across two models (so here, not as a dbt test: see creator_roi): the same new customers and cost per creator.
    "creator_customer_value": (
        "select count(*) as rows, " + _rows_vs_last_pass("creator_customer_value") + ", "
        "count(*) - count(distinct creator_id) as duplicate_creators, "
        "count(*) filter (where new_customers <> complete_window_customers + open_window_customers "
        "or repeat_customers > complete_window_customers) as customers_not_adding_up, "
        "count(*) filter (where cpa <= 0) as cpa_not_positive, "
        "(select count(*) from marts.creator_customer_value as v full join (select creator_id, "
        "sum(new_customers) as new_customers, sum(creator_cost) as creator_cost from marts.creator_roi group by 1) "
        "as r using (creator_id) where v.new_customers is distinct from r.new_customers "
        "or v.creator_cost is distinct from r.creator_cost) as creators_not_reconciled_with_roi "
        "from marts.creator_customer_value"),
    # Across two models (see creator_roi): revenue credited to a creator's posts never exceeds the creator's revenue.
    "content_post_performance": (
        "select count(*) as rows, " + _rows_vs_last_pass("content_post_performance") + ", "
        "count(*) - count(distinct (platform, post_id)) as duplicate_posts, "
        "count(*) filter (where content_format = 'unmapped') as unmapped_formats, "
        "count(*) filter (where is_organic_winner and organic_winner_rank is null) as winners_without_rank, "
        "(select count(*) from (select creator_id, sum(attributed_net_revenue) as revenue "
        "from marts.content_post_performance group by 1) as p left join (select creator_id, "
        "sum(net_revenue) as revenue from marts.creator_roi group by 1) as r using (creator_id) "
        "where p.revenue > coalesce(r.revenue, 0)) "
        "as creators_credited_over_roi "
        "from marts.content_post_performance"),
    "content_format_performance": _content_cells("content_format_performance", "content_format"),
    "posting_time_performance": _content_cells("posting_time_performance", "local_weekday, local_hour"),
    # Optional (gifting may not be used): an empty mart is fine. Across two models, so here (see creator_roi): each
    # gifted creator's posts, orders, revenue and cost are creator_roi's, and a paid creator (cost beyond the gift) is
    # never counted as seeding.
    "seeding_performance": (
        "select count(*) as rows, " + _rows_vs_last_pass("seeding_performance") + ", "
        "count(*) - count(distinct (creator_id, campaign_id)) as duplicate_creator_campaigns, "
        "count(*) filter (where has_posted is distinct from (posts > 0)) as posted_not_matching_posts, "
        "count(*) filter (where cost_per_post <= 0 or emv < 0) as costs_or_emv_not_positive, "
        "(select count(*) from marts.seeding_performance as s left join marts.creator_roi as r "
        "using (creator_id, campaign_id) where r.creator_id is null or s.posts is distinct from r.sponsored_posts "
        "or s.orders is distinct from r.orders or s.net_revenue is distinct from r.net_revenue "
        "or s.gift_cost is distinct from r.creator_cost) as rows_not_reconciled_with_roi "
        "from marts.seeding_performance"),
    "seeding_programme": (
        "select count(*) as rows, " + _rows_vs_last_pass("seeding_programme") + ", "
        "count(*) - count(distinct campaign_id) as duplicate_campaigns, "
        "count(*) filter (where post_rate not between 0 and 1) as post_rate_out_of_range, "
        "(select count(*) from marts.seeding_programme as p full join (select campaign_id, count(*) as gifted, "
        "count(*) filter (where has_posted) as posted, sum(posts) as posts, sum(gift_cost) as gift_cost, "
        "sum(emv) as emv, sum(net_revenue) as net_revenue from marts.seeding_performance group by 1) as s "
        "using (campaign_id) where p.creators_gifted is distinct from s.gifted "
        "or p.creators_posted is distinct from s.posted or p.posts is distinct from s.posts "
        "or p.gift_cost is distinct from s.gift_cost or p.emv is distinct from s.emv "
        "or p.net_revenue is distinct from s.net_revenue) as campaigns_not_summing_up "
        "from marts.seeding_programme"),
    # Across two models (see creator_roi): every contract judged once, at the price int_contract_costs gives it; a
    # flag always agrees with the range it names, and a contract missing an input is never in range.
    "rate_fairness": (
        "select count(*) as rows, " + _rows_vs_last_pass("rate_fairness") + ", "
        "count(*) - count(distinct contract_id) as duplicate_contracts, "
        "count(*) filter (where rate_flag = 'in_range' and (pay_per_deliverable is null "
        "or market_low_per_deliverable is null)) as in_range_without_inputs, "
        "count(*) filter (where (rate_flag = 'over_priced' and pay_per_deliverable <= market_high_per_deliverable) "
        "or (rate_flag = 'under_priced' and pay_per_deliverable >= market_low_per_deliverable)) "
        "as flags_disagreeing_with_range, "
        "(select count(*) from marts.rate_fairness as f full join intermediate.int_contract_costs as k "
        "using (contract_id) where f.creator_pay is distinct from k.fee_cost) "
        "as contracts_not_reconciled_with_costs "
        "from marts.rate_fairness"),
    # Optional (a programme may have no long-term partner yet): an empty list is fine.
    "rate_review": (
        "select count(*) as rows, " + _rows_vs_last_pass("rate_review") + ", "
        "count(*) - count(distinct creator_id) as duplicate_creators, "
        "count(*) filter (where is_rate_review and latest_roas is null) as review_without_roas, "
        "(select count(*) from marts.rate_review as v left join marts.creator_roi as r "
        "on v.creator_id = r.creator_id and v.latest_campaign_id = r.campaign_id "
        "where v.latest_roas is distinct from round(r.roas, 4)) as partners_not_reconciled_with_roi, "
        "(select count(*) from marts.rate_review as v join marts.creator_roi as r "
        "on v.creator_id = r.creator_id and v.latest_campaign_id = r.campaign_id "
        "where r.campaign_start_date > (select as_of_date from intermediate.int_vetting_as_of)) "
        "as latest_campaign_not_started "
        "from marts.rate_review"),
}


def _mart_expectations(mart: str) -> Callable[[Any, GateSettings], list[Any]]:
    def expectations(x: Any, t: GateSettings) -> list[Any]:
        if mart == "order_attribution":
            return [
                *_rows(x, t),
                # None may lack it: dbt's fx_rate_present test stops the build first, this is the second line.
                *_zero(x, "valid_without_reporting_amount", why="valid orders without a reporting-currency amount: "
                       "FX rates are missing for their currency and day (add them to fx/fx_rates*.csv)"),
                x.ExpectColumnValuesToBeBetween(column="fx_rate_vs_median", max_value=t.max_value_factor,
                                                meta=_why("an exchange rate is absurd against its currency's "
                                                          "median (a wrong FX row?)")),
                *_zero(x, "credited_without_creator", why="orders credited by code or link to no creator"),
                x.ExpectColumnValuesToBeBetween(column="hours_since_order_delivery", max_value=t.freshness_hours,
                                                severity="warning",
                                                meta=_why("no order delivery has been accepted for this long: "
                                                          "the marts are stale (check the exports and the API "
                                                          "credentials)")),
            ]
        if mart == "creator_roi":
            return [*_rows(x, t), *_zero(x, "duplicate_creator_campaigns", "negative_costs", "roi_missing_with_cost",
                                         "zero_cost_without_reason", "campaigns_with_traffic_not_reconciled",
                                         why="inconsistent ROI rows")]
        if mart == "creator_vetting":
            return [*_rows(x, t), *_zero(x, "scores_out_of_range", "coverage_out_of_range", "verdicts_missing",
                                         why="scores, coverage or verdicts out of their definition")]
        if mart in ("creator_vetting_reasons", "creator_vetting_evidence"):
            return _zero(x, "reason_codes_missing", "observed_in_future", "creators_not_vetted",
                         why="a vetting reason that cannot be right")
        if mart == "creator_weekly_performance":
            return [*_rows(x, t), *_zero(x, "negative_orders", why="negative order counts")]
        if mart == "creator_follower_history":
            # Empty at a site that delivers no follower snapshots (an optional feed, reported as never delivered);
            # rows lost since the last pass still fail.
            return [*_rows_kept(x, t), *_zero(x, "negative_followers", "duplicate_account_days", "days_in_future",
                                         "flags_not_charted",
                                         why="a follower history the creator page cannot chart truthfully")]
        if mart == "contract_deliverables":
            return [*_rows_kept(x, t), *_zero(x, "posts_not_adding_up", "duplicate_deliverables",
                                              why="contract posts that do not add up to what the contract asks for")]
        if mart == "contract_exclusivity_breaches":
            return [*_rows_kept(x, t), *_zero(x, "duplicate_breaches", "breaches_outside_window",
                                              "accounts_disagreeing_with_vetting",
                                              why="an exclusivity breach that is not one, or that creator_vetting "
                                                  "does not count")]
        if mart == "budget_recommendations":
            return [*_rows(x, t), *_zero(x, "duplicate_creators", "increase_without_roi", "roi_outside_range",
                                         why="a budget recommendation that cannot be right")]
        if mart == "creator_customer_value":
            return [*_rows(x, t), *_zero(x, "duplicate_creators", "customers_not_adding_up", "cpa_not_positive",
                                         "creators_not_reconciled_with_roi",
                                         why="customer value that disagrees with itself or with creator_roi")]
        if mart == "content_post_performance":
            return [*_rows(x, t), *_zero(x, "duplicate_posts", "winners_without_rank", "creators_credited_over_roi",
                                         why="post performance that credits revenue twice or names a winner unranked"),
                    x.ExpectColumnValuesToBeBetween(column="unmapped_formats", max_value=0, severity="warning",
                                                    meta=_why("posts of a media type seed content_formats does not "
                                                              "map: add a row for it to dbt_project/seeds/"
                                                              "content_formats.csv"))]
        if mart in ("content_format_performance", "posting_time_performance"):
            return [*_rows(x, t), *_zero(x, "duplicate_cells", "thin_cells_named_best", "groups_with_two_best",
                                         why="a best format or time named on too few posts, or twice")]
        if mart == "seeding_performance":
            return [*_rows_kept(x, t), *_zero(x, "duplicate_creator_campaigns", "posted_not_matching_posts",
                                              "costs_or_emv_not_positive", "rows_not_reconciled_with_roi",
                                              why="seeding results that disagree with creator_roi or with "
                                                  "themselves (rebuild with dbt and check the contracts sheet)")]
        if mart == "seeding_programme":
            return [*_rows_kept(x, t), *_zero(x, "duplicate_campaigns", "post_rate_out_of_range",
                                              "campaigns_not_summing_up",
                                              why="a gifting programme total that is not the sum of its "
                                                  "creators in seeding_performance")]
        if mart == "rate_fairness":
            return [*_rows(x, t), *_zero(x, "duplicate_contracts", "in_range_without_inputs",
                                         "flags_disagreeing_with_range", "contracts_not_reconciled_with_costs",
                                         why="a rate flag that contradicts its own range or the contract's costs "
                                             "(rebuild with dbt and check the contracts sheet and seed rate_card)")]
        if mart == "rate_review":
            return [*_rows_kept(x, t), *_zero(x, "duplicate_creators", "review_without_roas",
                                              "partners_not_reconciled_with_roi", "latest_campaign_not_started",
                                              why="a rate review that disagrees with creator_roi or judges a "
                                                  "campaign not started yet")]
        return [*_rows(x, t), *_zero(x, "negative_orders", "to_date_not_summing_up",
                                     why="campaign revenue to date must be the sum of its weeks")]

    return expectations


def mart_suites() -> list[Suite]:
    return [Suite(f"mart_{mart}", MART_QUERIES[mart], _mart_expectations(mart)) for mart in MARTS]
