"""Creator leaderboard: one row per creator, best ROI first, filtered by platform, tier, campaign and verdict."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui
from serve.report import words

v = ui.version()
options = data.filter_options(v)

st.title("Creator leaderboard")
columns = st.columns(4)
chosen: dict[str, str | None] = {}
for column, (kind, label) in zip(columns, [("platform", "Platform"), ("tier", "Tier"), ("campaign", "Campaign"),
                                           ("verdict", "Verdict")], strict=True):
    values = options[kind]
    chosen[kind] = column.selectbox(label, [None, *values], format_func=lambda value, values=values: (
        "All" if value is None else values[value]), key=f"filter_{kind}")

board = data.leaderboard(v, platform=chosen["platform"], tier=chosen["tier"], campaign_id=chosen["campaign"],
                         verdict=chosen["verdict"])
currency = str(data.totals(v).currency)
st.markdown(f"**{len(board)} creators** match" + (f"; best ROI: **{board.creator.iloc[0]}**" if len(board) else ""))
board["roi"] = board.roi * 100
board["verdict"] = board.verdict.map(words.verdict, na_action="ignore")
board["top_reason"] = board.top_reason.map(data.reason_words(v), na_action="ignore")
ui.table(
    board, hide_index=True,
    column_order=["creator", "accounts", "verdict", "lowest_vetting_score", "campaigns", "orders", "net_revenue",
                  "creator_cost", "roi", "roas", "is_top_performer", "top_reason"],
    column_config={
        "creator": st.column_config.TextColumn("Creator", pinned=True),
        "accounts": st.column_config.TextColumn("Accounts (platform tier)"),
        "verdict": st.column_config.TextColumn("Verdict", help="The worst verdict of the creator's accounts"),
        "lowest_vetting_score": st.column_config.ProgressColumn(
            "Vetting score", help="0-100, the lowest of the creator's accounts", min_value=0, max_value=100,
            format="%.0f"),
        "campaigns": st.column_config.NumberColumn("Campaigns"),
        "orders": st.column_config.NumberColumn("Orders", format="%d"),
        "net_revenue": ui.money_column(f"Net revenue ({currency})", currency, help=ui.NET_REVENUE_DEFINITION),
        "creator_cost": ui.money_column(f"Creator cost ({currency})", currency, help=ui.COST_DEFINITION),
        "roi": st.column_config.NumberColumn("ROI %", format="%.1f%%", help=ui.ROI_DEFINITION),
        "roas": st.column_config.NumberColumn("ROAS ×", format="%.2f", help=ui.ROAS_DEFINITION),
        "is_top_performer": st.column_config.CheckboxColumn("Top performer"),
        "top_reason": st.column_config.TextColumn("Main vetting reason", width="large"),
    })
ui.definitions(ui.ROI_DEFINITION + "; " + ui.ROAS_DEFINITION + " (undefined when the cost is 0)",
               "A campaign filter counts only that campaign's orders and cost. A platform or tier filter picks the "
               "creators with an account there; their orders, revenue and cost stay those of all their platforms "
               "(orders come through codes and links, not through one platform).")
