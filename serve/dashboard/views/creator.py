"""Creator detail: the vetting of each account with its reasons in plain words, the follower history with the
jumps and drops the vetting flagged, weekly revenue, and the creator's campaigns."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from serve.dashboard import data, ui
from serve.report import words

# The six vetting components (creator_vetting) and what each measures, in the reader's words.
COMPONENTS = {
    "engagement_score": ("Engagement", "engagement rate against the benchmark of its platform and tier "
                                       "(50 = at the benchmark)"),
    "growth_score": ("Growth integrity", "no unexplained follower jumps or drops in the last 90 days"),
    "comment_score": ("Comment authenticity", "few generic comments (emoji only, @mentions only, stock praise)"),
    "geography_score": ("Audience geography", "share of the audience in the target countries"),
    "disclosure_score": ("Disclosure", "sponsored posts carry a prominent #ad or paid-partnership label"),
    "activity_score": ("Activity", "posting cadence over 8 weeks against the platform's norm"),
}
SEVERITY = {"reject": ":red[**forces reject**]", "review": ":orange[**forces review**]",
            "penalty": ":violet[**lowers the score**]", "info": ":gray[**for information**]"}

v = ui.version()
currency = str(data.totals(v).currency)
everyone = data.creators(v)
names = dict(zip(everyone.creator_id, everyone.creator_name, strict=True))
st.title("Creator detail")
if not names:
    st.info("No creators in this version.")
    st.stop()
ids = list(names)
wanted = st.query_params.get("creator")
creator_id = st.selectbox("Creator", ids, index=ids.index(wanted) if wanted in names else 0,
                          # a name two creators share already carries its id (serve/creator_names.py)
                          format_func=lambda i: names[i] if names[i].endswith(f" ({i})") else f"{names[i]} ({i})",
                          key="creator")
st.query_params["creator"] = creator_id  # the address of this page now names the creator: shareable

accounts = data.creator_accounts(v, creator_id)
reasons = data.creator_reasons(v, creator_id)
reasons["detail"] = reasons.detail.map(data.reason_words(v), na_action="ignore")
st.header(names[creator_id])
if accounts.empty:
    st.info("No platform account of this creator was vetted (no platform data delivered).")
for account in accounts.itertuples(index=False):
    with st.container(border=True):
        st.subheader(f"{account.platform} @{account.handle}: {ui.verdict(account.verdict)}")
        score, coverage, followers, tier = st.columns(4)
        score.metric("Vetting score", "–" if ui.is_missing(account.vetting_score) else f"{account.vetting_score:.1f}",
                     help="0-100, weighted over the components that have data")
        coverage.metric("Data coverage", f"{account.data_coverage:.0%}", help="Share of the weight with data")
        followers.metric("Followers", f"{account.followers:,}" if not ui.is_missing(account.followers) else "–")
        tier.metric("Tier", account.tier or "–")
        components = pd.DataFrame([
            {"component": name, "score": getattr(account, column), "what it measures": meaning}
            for column, (name, meaning) in COMPONENTS.items()])
        ui.table(components, hide_index=True, column_config={
            "score": st.column_config.ProgressColumn("Score (0-100; –: no data)", min_value=0, max_value=100,
                                                     format="%.0f")})
        mine = reasons[reasons.platform == account.platform]
        st.markdown("**Why this verdict**" if not mine.empty else "_No finding: every check passed._")
        for reason in mine.itertuples(index=False):
            st.markdown(f"- {SEVERITY.get(reason.severity, reason.severity)}: {reason.detail}")

st.subheader("Follower history")
history = data.follower_history(v, creator_id)
if history.empty:
    st.caption("No follower snapshot of this creator's accounts was delivered.")
else:
    # One panel per platform with its own scale: a 50k Instagram line would flatten a 5k YouTube one.
    base = alt.Chart().encode(x=alt.X("snapshot_date:T", title="Day"))
    line = base.mark_line(color="#4c78a8").encode(
        y=alt.Y("followers:Q", title="Followers", scale=alt.Scale(zero=False)),
        tooltip=["snapshot_date:T", alt.Tooltip("followers:Q", format=","),
                 alt.Tooltip("follower_delta:Q", title="change", format="+,")])
    flagged = base.transform_filter("datum.flag != null").mark_point(size=90, filled=True).encode(
        y="followers:Q",
        color=alt.Color("flag:N", title="Flagged by the vetting", scale=alt.Scale(
            domain=["unexplained jump (penalised)", "jump explained by a viral post", "drop after a jump"],
            range=["#d62728", "#2ca02c", "#ff7f0e"])),
        tooltip=["snapshot_date:T", alt.Tooltip("follower_delta:Q", title="change", format="+,"), "flag:N",
                 "detail:N"])
    chart = alt.layer(line, flagged, data=history).properties(height=180).facet(
        row=alt.Row("platform:N", title=None)).resolve_scale(y="independent")
    st.altair_chart(chart, width="stretch")
    flags = history[history.flag.notna()]
    if flags.empty:
        st.caption("No follower jump or drop in the look-back window of the vetting.")
    else:
        ui.table(flags[["platform", "snapshot_date", "flag", "detail"]], hide_index=True)

st.subheader("Weekly revenue")
weeks = data.creator_weeks(v, creator_id)
if weeks.empty:
    st.caption("No contract and no attributed order: no revenue series.")
else:
    st.altair_chart(ui.weekly_bars(weeks, "Net revenue", [
        ui.WEEK_TOOLTIP, alt.Tooltip("net_revenue:Q", format=",.2f"), "orders:Q", "sponsored_posts:Q"]),
        width="stretch")
    ui.running_week_note(weeks)

st.subheader("Campaigns")
campaigns = data.creator_campaigns(v, creator_id)
campaigns["roi"] = campaigns.roi * 100
campaigns["ctr"], campaigns["cvr"] = campaigns.ctr.map(ui.ctr), campaigns.cvr.map(ui.rate)
campaigns["roi_null_reason"] = campaigns.roi_null_reason.map(words.roi_undefined, na_action="ignore")
ui.table(campaigns, hide_index=True, column_config={
    "campaign_name": "Campaign", "orders": "Orders",
    "net_revenue": ui.money_column(f"Net revenue ({currency})", currency, help=ui.NET_REVENUE_DEFINITION),
    "creator_cost": ui.money_column(f"Creator cost ({currency})", currency, help=ui.COST_DEFINITION),
    "roi": st.column_config.NumberColumn("ROI %", format="%.1f%%", help=ui.ROI_DEFINITION),
    "roas": st.column_config.NumberColumn("ROAS ×", format="%.2f", help=ui.ROAS_DEFINITION),
    "roi_null_reason": "Why ROI is undefined", "is_top_performer": "Top performer",
    "is_code_leak_suspected": "Code leak suspected",
    "incremental_net_revenue": ui.money_column(
        f"Incremental net revenue ({currency})", currency,
        help="Revenue in the attribution window minus the same weekdays' average of the 4 weeks before the first "
             "post (beside last-touch, never instead of it)"),
    "clicks": st.column_config.NumberColumn("Link clicks", format="%d"),
    "ctr": st.column_config.TextColumn("CTR", help=ui.CTR_DEFINITION),
    "sessions": st.column_config.NumberColumn("Link visits", format="%d"),
    "cvr": st.column_config.TextColumn("CVR", help=ui.CVR_DEFINITION)})
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION, ui.CTR_DEFINITION + "; " + ui.CVR_DEFINITION
               + "; no data: no click or GA4 export covers the links (never 0%)")
