"""Campaigns: attributed revenue to date against what the campaign's creators cost."""

from __future__ import annotations

import altair as alt
import streamlit as st

from serve.dashboard import data, ui

v = ui.version()
currency = str(data.totals(v).currency)
campaigns = data.campaigns(v)

st.title("Campaigns")
st.caption("The campaigns template has no budget column: a campaign's spend is the total cost of its creators' "
           "contracts, and revenue to date is measured against it.")
if campaigns.empty:
    st.info("No campaign in this version.")
    st.stop()
table = campaigns.assign(roi=campaigns.roi * 100)
st.dataframe(table, hide_index=True, column_order=[
    "campaign_name", "first_week", "last_week", "creators", "orders", "campaign_cost", "net_revenue", "roi", "roas"],
    column_config={
        "campaign_name": "Campaign", "creators": "Creators",
        "first_week": st.column_config.DateColumn("First week", format="YYYY-MM-DD"),
        "last_week": st.column_config.DateColumn("Last week", format="YYYY-MM-DD"),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "campaign_cost": st.column_config.NumberColumn(f"Spend: creator cost ({currency})", format="%.2f",
                                                       help=ui.COST_DEFINITION),
        "net_revenue": st.column_config.NumberColumn(f"Net revenue to date ({currency})", format="%.2f",
                                                     help=ui.NET_REVENUE_DEFINITION),
        "roi": st.column_config.NumberColumn("ROI %", format="%.1f%%", help=ui.ROI_DEFINITION),
        "roas": st.column_config.NumberColumn("ROAS ×", format="%.2f", help=ui.ROAS_DEFINITION)})

names = dict(zip(campaigns.campaign_id, campaigns.campaign_name, strict=True))
campaign_id = st.selectbox("Campaign", list(names), format_func=lambda c: f"{names[c]} ({c})", key="campaign")
chosen = campaigns[campaigns.campaign_id == campaign_id].iloc[0]
spend, revenue, roi, roas = st.columns(4)
spend.metric(f"Spend ({currency})", ui.money(chosen.campaign_cost), border=True, help=ui.COST_DEFINITION)
revenue.metric(f"Net revenue to date ({currency})", ui.money(chosen.net_revenue), border=True,
               help=ui.NET_REVENUE_DEFINITION)
roi.metric("ROI to date", ui.roi(chosen.roi), border=True, help=ui.ROI_DEFINITION)
roas.metric("ROAS to date", ui.roas(chosen.roas), border=True, help=ui.ROAS_DEFINITION)

weeks = data.campaign_weeks(v, campaign_id)
line = alt.Chart(weeks).mark_line(point=True, color="#4c78a8").encode(
    x=alt.X("week_start:T", title="Week (Monday)"), y=alt.Y("net_revenue_to_date:Q", title=f"{currency}"),
    tooltip=["week_start:T", alt.Tooltip("net_revenue_to_date:Q", title="Revenue to date", format=",.2f"),
             alt.Tooltip("net_revenue:Q", title="Revenue that week", format=",.2f"), "orders:Q"])
cost = alt.Chart(weeks).mark_rule(color="#d62728", strokeDash=[6, 4]).encode(
    y="mean(campaign_cost):Q", tooltip=[alt.Tooltip("mean(campaign_cost):Q", title="Spend", format=",.2f")])
st.markdown("**Net revenue to date (line) against the spend (dashed)**")
st.altair_chart(line + cost, width="stretch")
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION)
