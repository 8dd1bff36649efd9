"""Content: which format and which posting time (on the audience's clock) engage most, per platform and tier, and the
organic winners worth repurposing as ads (content_format_performance, posting_time_performance,
content_post_performance)."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui

ENGAGEMENT_INDEX_DEFINITION = (
    "Engagement index = a post's engagement rate / its account's median (1.20× = 20% above "
    "the creator's usual): fair across platforms, tiers and creators"
)

v = ui.version()
currency = str(data.totals(v).currency)

st.title("Content: format and timing")
platform_choice, tier_choice = st.columns(2)
platform = platform_choice.selectbox("Platform", ["all", "instagram", "tiktok", "youtube"], key="content_platform")
tier = tier_choice.selectbox("Tier", ["all", "nano", "micro", "macro", "mega"], key="content_tier")
formats = data.content_formats(v, platform, tier)
hours = data.posting_times(v, platform, tier)
if formats.empty:
    st.info("No posts for this platform and tier.")
    st.stop()

best_format, best_time = formats[formats.is_best], hours[hours.is_best]
# No best where cells have enough posts: the leading ones are level at two decimals, or only one has enough posts.
LEVEL = "none ahead: the leading {0}s are level (at two decimals), or only one {0} has enough posts."
if best_format.empty:
    st.markdown("**Best format:** " + (LEVEL.format("format") if formats.has_enough_posts.any()
                                       else "not enough posts in any format to name one."))
else:
    row = best_format.iloc[0]
    st.markdown(
        f"**Best format: {row.format_label}** - {row.median_engagement_index:,.2f}× the creators' usual "
        f"engagement, over {row.posts:,} posts."
    )
if best_time.empty:
    st.markdown("**Best time:** " + (LEVEL.format("hour") if hours.has_enough_posts.any()
                                     else "not enough posts in any hour to name one."))
else:
    row = best_time.iloc[0]
    st.markdown(
        f"**Best time: {row.local_weekday_name} {row.local_hour:02d}:00** on the audience's clock - "
        f"{row.median_engagement_index:,.2f}× the creators' usual engagement, over {row.posts:,} posts."
    )

st.subheader("By format")
ui.table(
    formats,
    hide_index=True,
    column_order=[
        "format_label",
        "posts",
        "creators",
        "median_engagement_index",
        "median_engagement_rate",
        "median_reach_per_follower",
        "median_views_per_follower",
        "sponsored_posts",
        "attributed_net_revenue",
        "attributed_net_revenue_per_sponsored_post",
        "has_enough_posts",
    ],
    column_config={
        "format_label": st.column_config.TextColumn("Format", pinned=True),
        "posts": st.column_config.NumberColumn("Posts", format="%d"),
        "creators": st.column_config.NumberColumn("Creators", format="%d"),
        "median_engagement_index": st.column_config.NumberColumn("Engagement index ×", format="%.2f"),
        "median_engagement_rate": st.column_config.NumberColumn("Engagement rate", format="percent"),
        "median_reach_per_follower": st.column_config.NumberColumn("Reach / follower", format="%.3f"),
        "median_views_per_follower": st.column_config.NumberColumn("Views / follower", format="%.3f"),
        "sponsored_posts": st.column_config.NumberColumn("Sponsored", format="%d"),
        "attributed_net_revenue": ui.money_column(f"Attributed revenue ({currency})", currency),
        "attributed_net_revenue_per_sponsored_post": ui.money_column(
            f"Per sponsored post ({currency})", currency
        ),
        "has_enough_posts": st.column_config.CheckboxColumn(
            "Enough posts to rank", help="Posts with an engagement rate (stories have none) reach the minimum"
        ),
    },
)

st.subheader("By weekday and hour (audience's clock)")
st.caption("Median engagement index per cell; cells marked – have too few posts to mean anything.")
grid = (
    hours[hours.has_enough_posts]
    .pivot_table(index=["local_weekday", "local_weekday_name"], columns="local_hour", values="median_engagement_index")
    .reset_index(level=0, drop=True)
    .rename_axis(index="Weekday", columns=None)
)
# Named columns: Streamlit reads an integer key of column_config as a position, so hours stay text ("07:00").
grid.columns = [f"{hour:02d}:00" for hour in grid.columns]
ui.table(grid, column_config={hour: st.column_config.NumberColumn(format="%.2f") for hour in grid.columns})

st.subheader("Organic winners to repurpose as ads")
winners = data.organic_winners(v)
if winners.empty:
    st.info("No recent post engaged far enough above its account's usual.")
else:
    ui.table(
        winners,
        hide_index=True,
        column_config={
            "organic_winner_rank": st.column_config.NumberColumn("Rank", format="%d"),
            "creator_name": st.column_config.TextColumn("Creator", pinned=True),
            "platform": "Platform",
            "format_label": "Format",
            "posted_date": st.column_config.DateColumn("Posted", format="DD MMM YYYY"),
            "post_id": "Post",
            "engagement_index": st.column_config.NumberColumn("Vs usual ×", format="%.2f"),
            "engagement_rate": st.column_config.NumberColumn("Engagement rate", format="percent"),
            "reach": st.column_config.NumberColumn("Reach (views)", format="%d"),
            "is_sponsored": st.column_config.CheckboxColumn("Sponsored"),
        },
    )
ui.definitions(
    ENGAGEMENT_INDEX_DEFINITION,
    "Engagement rate = (likes + comments) / followers at post time; stories have none",
    "Attributed revenue = each attributed order split across the creator's sponsored posts of the 7 days before it",
    ui.NET_REVENUE_DEFINITION,
)
