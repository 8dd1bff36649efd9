"""Programme overview: spend, net revenue, ROI and ROAS of the whole programme, verdicts, and the weekly trend."""

from __future__ import annotations

import altair as alt
import streamlit as st

from serve.dashboard import data, ui

v = ui.version()
totals = data.totals(v)
currency = str(totals.currency)

st.title("Programme overview")
st.caption(f"All creators and campaigns, amounts in {currency}. Published version {v.id}.")
spend, revenue, roi, roas = st.columns(4)
spend.metric(f"Spend ({currency})", ui.money(totals.spend), border=True, help=ui.COST_DEFINITION)
revenue.metric(f"Net revenue ({currency})", ui.money(totals.net_revenue), border=True, help=ui.NET_REVENUE_DEFINITION)
roi.metric("ROI", ui.roi(totals.roi), border=True, help=ui.ROI_DEFINITION)
roas.metric("ROAS", ui.roas(totals.roas), border=True, help=ui.ROAS_DEFINITION)
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION, ui.NET_REVENUE_DEFINITION, ui.COST_DEFINITION)

verdicts = data.verdict_counts(v)
orders, creators, approve, review, reject = st.columns(5)
orders.metric("Attributed orders", f"{int(totals.orders):,}")
creators.metric("Creators", f"{int(totals.creators):,}", help="Creators with a contract or attributed orders")
approve.metric(ui.verdict("approve"), verdicts["approve"], help="Creators whose every account is approved")
review.metric(ui.verdict("review"), verdicts["review"], help="Creators with an account to review (and none rejected)")
reject.metric(ui.verdict("reject"), verdicts["reject"], help="Creators with a rejected account")

st.subheader("Net revenue by week")
trend = data.weekly_trend(v)
st.altair_chart(ui.weekly_bars(trend, f"Net revenue ({currency})", [
    ui.WEEK_TOOLTIP, alt.Tooltip("net_revenue:Q", format=",.2f"), "orders:Q"]),
    width="stretch")
ui.running_week_note(trend)
