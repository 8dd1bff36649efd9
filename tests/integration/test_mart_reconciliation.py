"""Every mart that reports a measure over the same slice agrees (issue 10), on a real ``dbt build`` of the sample.

Each check is one SQL query listing the slices where two marts disagree; it must list none on the build, and it
must catch a mart that drifts (the last test edits one mart of a copy of the warehouse and expects each check to
name the slice).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

# Each query returns the slices that disagree, with both sides.
CHECKS = {
    "campaign totals = sum over creator_roi": """
        with roi as (
            select campaign_id, sum(orders) as orders, sum(new_customers) as new_customers,
                sum(net_revenue) as net_revenue
            from marts.creator_roi group by 1),
        weekly as (
            select campaign_id, sum(orders) as orders, sum(new_customers) as new_customers,
                sum(net_revenue) as net_revenue
            from marts.campaign_performance group by 1)
        select * from roi full join weekly using (campaign_id)
        where roi.orders is distinct from weekly.orders or roi.new_customers is distinct from weekly.new_customers
            or roi.net_revenue is distinct from weekly.net_revenue""",
    "campaign revenue to date ends at the campaign total": """
        select campaign_id, last(net_revenue_to_date order by week_start) as to_date, sum(net_revenue) as total
        from marts.campaign_performance group by 1
        having last(net_revenue_to_date order by week_start) <> sum(net_revenue)""",
    "creator weeks sum to the creator's creator_roi rows": """
        with roi as (
            select creator_id, sum(orders) as orders, sum(new_customers) as new_customers,
                sum(net_revenue) as net_revenue
            from marts.creator_roi group by 1),
        weekly as (
            select creator_id, sum(orders) as orders, sum(new_customers) as new_customers,
                sum(net_revenue) as net_revenue
            from marts.creator_weekly_performance group by 1 having sum(orders) > 0 or sum(net_revenue) <> 0)
        select * from roi full join weekly using (creator_id)
        where coalesce(roi.orders, 0) <> coalesce(weekly.orders, 0)
            or coalesce(roi.new_customers, 0) <> coalesce(weekly.new_customers, 0)
            or coalesce(roi.net_revenue, 0) <> coalesce(weekly.net_revenue, 0)""",
    "order_attribution sums to creator_roi": """
        with orders as (
            select creator_id, campaign_id,
                count(*) filter (where sale_status = 'paid') as orders,
                count(*) filter (where sale_status = 'paid' and attribution_rule = 'code') as code_orders,
                count(*) filter (where is_first_order_of_customer) as new_customers,
                sum(gross_revenue_reporting) as gross_revenue, sum(item_discounts_reporting) as discounts,
                sum(refunds_reporting) as refunds, sum(net_revenue_reporting) as net_revenue,
                count(*) filter (where sale_status = 'pending') as pending_orders,
                sum(pending_revenue_reporting) as pending_revenue
            from marts.order_attribution where attribution_rule in ('code', 'link') group by 1, 2),
        roi as (
            select creator_id, campaign_id, orders, code_orders, new_customers, gross_revenue, discounts, refunds,
                net_revenue, pending_orders, pending_revenue
            from marts.creator_roi where orders > 0 or pending_orders > 0)
        select * from orders full join roi using (creator_id, campaign_id)
        where (orders.orders, orders.code_orders, orders.new_customers, orders.gross_revenue, orders.discounts,
                orders.refunds, orders.net_revenue, orders.pending_orders, orders.pending_revenue)
            is distinct from (roi.orders, roi.code_orders, roi.new_customers, roi.gross_revenue, roi.discounts,
                roi.refunds, roi.net_revenue, roi.pending_orders, roi.pending_revenue)""",
    "gross - discounts - refunds = net in every creator_roi row": """
        select creator_id, campaign_id, gross_revenue, discounts, refunds, net_revenue from marts.creator_roi
        where gross_revenue - discounts - refunds <> net_revenue""",
    "attributed + unattributed = all valid orders": """
        select
            sum(net_revenue_reporting) filter (where attribution_rule in ('code', 'link', 'none')) as by_rule,
            sum(net_revenue_reporting) filter (where is_valid) as valid,
            sum(net_revenue_reporting) as all_rows
        from marts.order_attribution
        having by_rule is distinct from valid or valid is distinct from all_rows""",
}


@pytest.fixture(scope="module")
def marts(built_warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("name", CHECKS)
def test_marts_agree(marts: duckdb.DuckDBPyConnection, name: str) -> None:
    disagreeing = marts.execute(CHECKS[name]).fetchall()
    assert disagreeing == [], f"{name}: the marts disagree on {disagreeing[:5]}"


def test_the_sample_exercises_every_check(marts: duckdb.DuckDBPyConnection) -> None:
    """A check over empty marts would pass whatever the models do."""
    counts = marts.execute("""
        select count(*) filter (where sale_status = 'paid' and attribution_rule in ('code', 'link')),
               count(*) filter (where sale_status = 'pending' and attribution_rule in ('code', 'link')),
               count(*) filter (where attribution_rule = 'excluded'), count(distinct campaign_id)
        from marts.order_attribution""").fetchone()
    assert counts[0] > 1000 and counts[1] > 0 and counts[2] > 0 and counts[3] >= 3, counts


DRIFTS = {
    "campaign totals = sum over creator_roi":
        "update marts.campaign_performance set orders = orders + 1 where week_start = "
        "(select max(week_start) from marts.campaign_performance)",
    "campaign revenue to date ends at the campaign total":
        "update marts.campaign_performance set net_revenue_to_date = net_revenue_to_date + 0.01",
    "creator weeks sum to the creator's creator_roi rows":
        "update marts.creator_weekly_performance set net_revenue = net_revenue + 0.01 where orders > 0",
    "order_attribution sums to creator_roi":
        "update marts.creator_roi set pending_revenue = pending_revenue + 0.01 where pending_orders > 0",
    "gross - discounts - refunds = net in every creator_roi row":
        "update marts.creator_roi set discounts = discounts + 0.01 where orders > 0",
    "attributed + unattributed = all valid orders":
        "update marts.order_attribution set net_revenue_reporting = 1 where attribution_rule = 'excluded'",
}


@pytest.mark.parametrize("name", CHECKS)
def test_a_drifting_mart_is_caught(built_warehouse: Path, tmp_path: Path, name: str) -> None:
    copy = tmp_path / "drift.duckdb"
    shutil.copy(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(DRIFTS[name])
        assert con.execute(CHECKS[name]).fetchall(), f"{name}: a drifted mart went unnoticed"
