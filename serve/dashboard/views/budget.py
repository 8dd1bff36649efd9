"""Budget moves: per creator, the recent ROI with its range, the trend, and whether to increase, keep, cut or replace,
with the spend it moves a month and why (budget_recommendations)."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui

v = ui.version()
currency = str(data.totals(v).currency)
recommendations = data.budget_recommendations(v)
recommendations["reason"] = recommendations.reason.map(data.reason_words(v), na_action="ignore")

st.title("Budget moves")
if recommendations.empty:
    st.info("No creator in this version.")
    st.stop()
first = recommendations.iloc[0]
st.caption(f"Recent window: {first.recent_start_date:%d %b %Y} to {first.as_of_date:%d %b %Y}, against the same "
           "number of days before. A cut or a replacement frees spend, moved to the creators to increase (best "
           "pessimistic ROI first) up to the sponsored posts they have room for. No recommendation on fewer orders "
           "than the minimum (insufficient_data). The vetting verdict overrules the returns: a rejected creator is "
           "replaced, and only an approved one is increased.")
moves = recommendations[recommendations.recommendation.isin(["increase", "cut", "replace"])]
freed = -moves[moves.recommendation != "increase"].budget_change_per_month.sum()
placed = moves[moves.recommendation == "increase"].budget_change_per_month.sum()
effect = moves.expected_revenue_change_per_month.sum()
freed_metric, placed_metric, effect_metric = st.columns(3)
freed_metric.metric(f"Freed a month ({currency})", ui.money(freed), border=True,
                    help="Recent spend a month of the creators to replace, and half of it for those to cut")
placed_metric.metric(f"Moved to top performers ({currency})", ui.money(placed), border=True,
                     help="Up to the spend of the sponsored posts each has room for")
effect_metric.metric(f"Expected net revenue change a month ({currency})", ui.money(effect), border=True,
                     help="Each move x the creator's recent ROAS (the recent return holds)")

chosen = st.multiselect("Recommendation", ["increase", "keep", "cut", "replace", "insufficient_data"],
                        default=["increase", "cut", "replace"], key="recommendation")
shown = recommendations[recommendations.recommendation.isin(chosen)]
table = shown.assign(recent_roi=shown.recent_roi * 100, recent_roi_low=shown.recent_roi_low * 100,
                     recent_roi_high=shown.recent_roi_high * 100, roas_change=shown.roas_change * 100)
ui.table(table, hide_index=True, column_order=[
    "creator_name", "recommendation", "vetting_verdict", "reason", "recent_orders", "recent_roi", "recent_roi_low",
    "recent_roi_high", "trend", "recent_net_revenue", "recent_incremental_net_revenue", "recent_cost",
    "budget_change_per_month", "expected_revenue_change_per_month"],
    column_config={
        "creator_name": "Creator", "recommendation": "Recommendation",
        "vetting_verdict": st.column_config.TextColumn(
            "Vetting", help="The creator's worst verdict across accounts: only approved creators are increased, "
            "rejected ones are replaced"),
        "reason": st.column_config.TextColumn(
            "Why", width="large"), "trend": "Trend",
        "recent_orders": st.column_config.NumberColumn("Orders", format="%d"),
        "recent_roi": st.column_config.NumberColumn("ROI %", format="%.1f%%", help=ui.ROI_DEFINITION),
        "recent_roi_low": st.column_config.NumberColumn("ROI low %", format="%.1f%%",
                                                        help="95% range from the number of orders"),
        "recent_roi_high": st.column_config.NumberColumn("ROI high %", format="%.1f%%"),
        "recent_net_revenue": ui.money_column(f"Net revenue ({currency})", currency, help=ui.NET_REVENUE_DEFINITION),
        "recent_incremental_net_revenue": ui.money_column(
            f"Incremental revenue ({currency})", currency,
            help="Beside last-touch: the window after the first sponsored post minus the same weekdays before it"),
        "recent_cost": ui.money_column(f"Cost ({currency})", currency, help=ui.COST_DEFINITION),
        "budget_change_per_month": ui.money_column(f"Budget a month ({currency})", currency),
        "expected_revenue_change_per_month": ui.money_column(
            f"Expected revenue a month ({currency})", currency)})
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION, ui.NET_REVENUE_DEFINITION)
