"""Customer value: per creator, the new customers their code or link brought, how many came back within 90 days and
what they spent against the CPA, ranked (creator_customer_value)."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui

v = ui.version()
currency = str(data.totals(v).currency)
creators = data.customer_value(v)

st.title("Customer value")
if creators.empty:
    st.info("No creator in this version.")
    st.stop()
first = creators.iloc[0]
days = int(first.window_days)
st.caption(
    f"A new customer is one whose first order came through the creator's code or link. Their {days} days are "
    f"over when the first order is at least {days} days before {first.as_of_date:%d %b %Y} (the newest "
    "order); customers still inside them are counted apart, never as customers who did not come back. Ranked "
    "by value / CPA among creators with a cost and enough customers whose days are over."
)
ranked = creators[creators.customer_value_rank.notna()]
if not ranked.empty:
    best = ranked.iloc[0]
    st.markdown(f"**Best value: {best.creator_name}** - {best.summary}")
table = creators.assign(repeat_rate=creators.repeat_rate * 100)
ui.table(
    table,
    hide_index=True,
    column_order=[
        "customer_value_rank",
        "creator_name",
        "new_customers",
        "complete_window_customers",
        "open_window_customers",
        "repeat_rate",
        "revenue_per_customer",
        "first_order_revenue_per_customer",
        "cpa",
        "value_to_cpa",
        "summary",
    ],
    column_config={
        "customer_value_rank": st.column_config.NumberColumn(
            "Rank", format="%d", help="Empty: not ranked (the sentence says why)"
        ),
        "creator_name": st.column_config.TextColumn("Creator", pinned=True),
        "new_customers": st.column_config.NumberColumn("New customers", format="%d"),
        "complete_window_customers": st.column_config.NumberColumn(f"{days} days over", format="%d"),
        "open_window_customers": st.column_config.NumberColumn(f"Inside {days} days", format="%d"),
        "repeat_rate": st.column_config.NumberColumn(
            "Came back %", format="%.1f%%", help=f"A second order within {days} days"
        ),
        "revenue_per_customer": ui.money_column(
            f"{days}-day revenue each ({currency})", currency, help=ui.NET_REVENUE_DEFINITION
        ),
        "first_order_revenue_per_customer": ui.money_column(
            f"First order each ({currency})", currency
        ),
        "cpa": ui.money_column(
            f"CPA ({currency})", currency, help="Creator cost / new customers (– when the cost is 0)"
        ),
        "value_to_cpa": st.column_config.NumberColumn("Value / CPA ×", format="%.2f"),
        "summary": st.column_config.TextColumn("In words", width="large"),
    },
)
ui.definitions(f"Value / CPA = {days}-day net revenue per new customer / CPA", ui.COST_DEFINITION)
