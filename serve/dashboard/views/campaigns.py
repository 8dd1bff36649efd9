"""Campaigns: attributed revenue to date against what the campaign's creators cost, that spend against the
campaign's budget, the contract posts its creators owe (missing and late first) and the posts that breach a
contract's exclusivity clause."""

from __future__ import annotations

import altair as alt
import streamlit as st

from serve.dashboard import data, ui
from serve.report import words

v = ui.version()
currency = str(data.totals(v).currency)
campaigns = data.campaigns(v)

st.title("Campaigns")
st.caption("A campaign's spend is the total cost of its creators' contracts; revenue to date is measured against "
           "it, and it against the budget of the campaigns template (converted at the campaign's start date; "
           "– when no budget is set).")
if campaigns.empty:
    st.info("No campaign in this version.")
    st.stop()
table = campaigns.assign(roi=campaigns.roi * 100, spend_vs_budget=campaigns.spend_vs_budget * 100)
ui.table(table, hide_index=True, column_order=[
    "campaign_name", "first_week", "last_week", "creators", "orders", "budget", "campaign_cost", "spend_vs_budget",
    "net_revenue", "roi", "roas"],
    column_config={
        "campaign_name": "Campaign", "creators": "Creators",
        "first_week": st.column_config.DateColumn("First week", format="YYYY-MM-DD"),
        "last_week": st.column_config.DateColumn("Last week", format="YYYY-MM-DD"),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "budget": ui.money_column(f"Budget ({currency})", currency, help=ui.BUDGET_DEFINITION),
        "campaign_cost": ui.money_column(f"Spend: creator cost ({currency})", currency, help=ui.COST_DEFINITION),
        "spend_vs_budget": st.column_config.NumberColumn("Spend % of budget", format="%.1f%%",
                                                         help=ui.SPEND_VS_BUDGET_DEFINITION),
        "net_revenue": ui.money_column(f"Net revenue to date ({currency})", currency, help=ui.NET_REVENUE_DEFINITION),
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
budget, used, remaining = st.columns(3)
budget.metric(f"Budget ({currency})", ui.money(chosen.budget), border=True, help=ui.BUDGET_DEFINITION)
used.metric("Spend % of budget", ui.share(chosen.spend_vs_budget), border=True, help=ui.SPEND_VS_BUDGET_DEFINITION)
remaining.metric(f"Budget left ({currency})", ui.money(chosen.remaining_budget), border=True,
                 help="Budget − spend; negative when over budget")

weeks = data.campaign_weeks(v, campaign_id)
line = alt.Chart(weeks).mark_line(point=True, color="#4c78a8").encode(
    x=ui.week_axis(weeks), y=alt.Y("net_revenue_to_date:Q", title=f"{currency}"),
    tooltip=[ui.WEEK_TOOLTIP, alt.Tooltip("net_revenue_to_date:Q", title="Revenue to date", format=",.2f"),
             alt.Tooltip("net_revenue:Q", title="Revenue that week", format=",.2f"), "orders:Q"])
cost = alt.Chart(weeks).mark_rule(color="#d62728", strokeDash=[6, 4]).encode(
    y="mean(campaign_cost):Q", tooltip=[alt.Tooltip("mean(campaign_cost):Q", title="Spend", format=",.2f")])
if ui.is_missing(chosen.budget):
    st.markdown("**Net revenue to date (line) against the spend (dashed)**; no budget is set for this campaign")
    st.altair_chart(line + cost, width="stretch")
else:
    budget_line = alt.Chart(weeks).mark_rule(color="#2ca02c").encode(
        y="mean(budget_reporting):Q",
        tooltip=[alt.Tooltip("mean(budget_reporting):Q", title="Budget", format=",.2f")])
    st.markdown("**Net revenue to date (line) against the spend (dashed) and the budget (solid green)**")
    st.altair_chart(line + cost + budget_line, width="stretch")

deliverables = data.campaign_deliverables(v, campaign_id)
st.subheader("Contract posts")
if deliverables.empty:
    st.caption("No contract of this campaign lists deliverables (the contract_deliverables template).")
else:
    missing, late, pending = (int(deliverables[f"posts_{s}"].sum()) for s in ("missing", "late", "pending"))
    st.markdown(f"**{missing} missing, {late} late, {pending} not yet due** of {int(deliverables.posts_due.sum())} "
                "posts the contracts ask for (a post on its due date is on time)")
    deliverables["deliverable_format"] = deliverables.deliverable_format.map(words.deliverable_format)
    ui.table(deliverables, hide_index=True, column_config={
        "creator_name": "Creator", "contract_id": "Contract", "deliverable_format": "Format",
        "due_date": st.column_config.DateColumn("Due", format="YYYY-MM-DD"), "delivery_status": "Status",
        "posts_due": "Posts due", "posts_on_time": "On time", "posts_late": "Late", "posts_missing": "Missing",
        "posts_pending": "Not yet due", "posts_undisclosed": "Without #ad", "max_days_late": "Days late (max)",
        "post_ids": "Posts"})
breaches = data.campaign_exclusivity_breaches(v, campaign_id)
st.subheader("Exclusivity breaches")
if breaches.empty:
    st.caption("No sponsored post for a competitor inside an exclusivity window of this campaign's contracts (or no "
               "contract has an exclusivity clause: the contracts template's exclusivity_category and "
               "exclusivity_days_before/_after columns).")
else:
    st.markdown(f"**Sponsored posts for a competitor inside an exclusivity window: {len(breaches)}** (contracts "
                f"breached: {breaches.contract_id.nunique()}); each post is the evidence")
    ui.table(breaches, hide_index=True, column_config={
        "creator_name": "Creator", "contract_id": "Contract", "exclusivity_category": "Category",
        "competitor_brands": "Competitor", "posted_date": st.column_config.DateColumn("Posted", format="YYYY-MM-DD"),
        "platform": "Platform", "post_id": "Post", "post_url": st.column_config.LinkColumn("Link"),
        "matched_terms": "Words matched", "window_start": st.column_config.DateColumn("Exclusive from",
                                                                                      format="YYYY-MM-DD"),
        "window_end": st.column_config.DateColumn("Exclusive until", format="YYYY-MM-DD")})
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION)
