"""Gifting: per campaign, how many creators given product (no fee, no commission) posted about it, how soon, what a
post cost, the earned media value of the posts and the sales through their codes (seeding_programme), and each gifted
creator (seeding_performance), those who have not posted first."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui

EMV_DEFINITION = (
    "Earned media value = views at the platform's ad CPM + likes, comments, shares and saves at a value "
    "each (seed earned_media_values): what the posts would have cost as ads, a convention, not revenue"
)
COST_PER_POST_DEFINITION = (
    "Cost per post = product cost + shipping of the gifts (a campaign's: every gift, those not "
    "posted about included) / posts; – without a post or when a gift's unit cost was not "
    "recorded, never 0"
)

v = ui.version()
currency = str(data.totals(v).currency)
campaigns = data.seeding_campaigns(v)

st.title("Gifting")
if campaigns.empty:
    st.info("No creator was gifted product without a fee or commission in this version.")
    st.stop()
gifted, posted = int(campaigns.creators_gifted.sum()), int(campaigns.creators_posted.sum())
cols = st.columns(4)
cols[0].metric("Creators gifted", f"{gifted:,}")
cols[1].metric("Post rate", ui.share(posted / gifted))
cols[2].metric(f"Earned media value ({currency})", ui.money(campaigns.emv.sum()))
cols[3].metric(f"Net revenue ({currency})", ui.money(campaigns.net_revenue.sum()))
ui.table(
    campaigns.assign(post_rate=campaigns.post_rate * 100),
    hide_index=True,
    column_order=[
        "campaign_name",
        "campaign_start_date",
        "creators_gifted",
        "creators_posted",
        "post_rate",
        "median_days_to_first_post",
        "posts",
        "gift_cost",
        "cost_per_post",
        "emv",
        "orders",
        "net_revenue",
    ],
    column_config={
        "campaign_name": st.column_config.TextColumn("Campaign", pinned=True),
        "campaign_start_date": st.column_config.DateColumn("Start", format="DD MMM YYYY"),
        "creators_gifted": st.column_config.NumberColumn("Gifted", format="%d"),
        "creators_posted": st.column_config.NumberColumn("Posted", format="%d"),
        "post_rate": st.column_config.NumberColumn("Post rate %", format="%.1f%%"),
        "median_days_to_first_post": st.column_config.NumberColumn(
            "Days to post (median)", format="%.0f", help="From the campaign start"
        ),
        "posts": st.column_config.NumberColumn("Posts", format="%d"),
        "gift_cost": ui.money_column(f"Gift cost ({currency})", currency),
        "cost_per_post": ui.money_column(
            f"Cost per post ({currency})", currency, help=COST_PER_POST_DEFINITION
        ),
        "emv": ui.money_column(f"EMV ({currency})", currency, help=EMV_DEFINITION),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "net_revenue": ui.money_column(
            f"Net revenue ({currency})", currency, help=ui.NET_REVENUE_DEFINITION
        ),
    },
)
st.subheader("Gifted creators")
ui.table(
    data.seeding_creators(v),
    hide_index=True,
    column_order=[
        "creator_name",
        "campaign_name",
        "has_posted",
        "posts",
        "days_to_first_post",
        "gifted_units",
        "gift_cost",
        "cost_per_post",
        "views",
        "emv",
        "orders",
        "net_revenue",
    ],
    column_config={
        "creator_name": st.column_config.TextColumn("Creator", pinned=True),
        "campaign_name": st.column_config.TextColumn("Campaign"),
        "has_posted": st.column_config.CheckboxColumn("Posted"),
        "posts": st.column_config.NumberColumn("Posts", format="%d"),
        "days_to_first_post": st.column_config.NumberColumn("Days to first post", format="%d"),
        "gifted_units": st.column_config.NumberColumn("Units gifted", format="%d"),
        "gift_cost": ui.money_column(f"Gift cost ({currency})", currency),
        "cost_per_post": ui.money_column(
            f"Cost per post ({currency})", currency, help=COST_PER_POST_DEFINITION
        ),
        "views": st.column_config.NumberColumn("Views", format="%d"),
        "emv": ui.money_column(f"EMV ({currency})", currency, help=EMV_DEFINITION),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "net_revenue": ui.money_column(f"Net revenue ({currency})", currency),
    },
)
ui.definitions(
    "Gifted = given product without a fee, commission, bonus or paid amplification; posts are sponsored "
    "posts inside the campaign dates",
    "Post rate = creators who posted / creators gifted",
    COST_PER_POST_DEFINITION,
    EMV_DEFINITION,
)
