"""Rate fairness: each contract's price per deliverable against the market rate card for the creator's platform,
tier and formats, over- and under-priced first (rate_fairness), and the long-term partners whose performance grew
enough to review their rate (rate_review)."""

from __future__ import annotations

import streamlit as st

from serve.dashboard import data, ui
from serve.report import words

v = ui.version()
currency = str(data.totals(v).currency)
in_words = data.reason_words(v)
contracts = data.rate_fairness(v).assign(
    reason=lambda t: t.reason.map(in_words, na_action="ignore"),
    deliverable_formats=lambda t: t.deliverable_formats.map(in_words, na_action="ignore"))
partners = data.rate_review(v).assign(reason=lambda t: t.reason.map(in_words, na_action="ignore"))

st.title("Rate fairness")
if contracts.empty:
    st.info("No contract in this version.")
    st.stop()
st.caption(
    "Price = the contract's flat fee per deliverable (commission and bonus pay for sales), against the market "
    "rate card (dbt seed rate_card) for the creator's platform, tier and formats, widened by the premiums for "
    "an exclusivity clause and for usage rights where the contract buys them. A contract missing an input "
    "(deliverables, a flat fee, a card row) is unknown, never in range. A flag is a prompt to look, not a verdict."
)
counts = contracts.rate_flag.value_counts()
over_metric, under_metric, review_metric = st.columns(3)
over_metric.metric(
    "Over-priced contracts",
    f"{counts.get('over_priced', 0):,}",
    border=True,
    help="Above the card's high end, and not worth it on engagement either",
)
under_metric.metric(
    "Under-priced contracts",
    f"{counts.get('under_priced', 0):,}",
    border=True,
    help="Under the card's low end: at risk of leaving for a better offer",
)
review_metric.metric(
    "Partners due a rate review",
    f"{int(partners.is_rate_review.sum()):,}",
    border=True,
    help="Long-term partners whose ROAS or engagement grew since their first campaign",
)

chosen = st.multiselect(
    "Rate",
    ["over_priced", "under_priced", "unknown", "in_range"],
    default=["over_priced", "under_priced"],
    format_func=words.rate_flag,
    key="rate_flag",
)
shown = contracts[contracts.rate_flag.isin(chosen)].assign(rate=lambda t: t.rate_flag.map(words.rate_flag))
ui.table(
    shown,
    hide_index=True,
    column_order=[
        "creator_name",
        "campaign_name",
        "rate",
        "reason",
        "deliverable_formats",
        "pay_per_deliverable",
        "market_low_per_deliverable",
        "market_high_per_deliverable",
        "cost_per_1000_engaged",
        "benchmark_cost_per_1000_engaged",
    ],
    column_config={
        "creator_name": "Creator",
        "campaign_name": "Campaign",
        "rate": "Rate",
        "reason": st.column_config.TextColumn("Why", width="large"),
        "deliverable_formats": "Deliverables",
        "pay_per_deliverable": ui.money_column(f"Per deliverable ({currency})", currency),
        "market_low_per_deliverable": ui.money_column(f"Market low ({currency})", currency),
        "market_high_per_deliverable": ui.money_column(f"Market high ({currency})", currency),
        "cost_per_1000_engaged": ui.money_column(
            f"Per 1,000 engaged ({currency})", currency, help="Price / (followers x engagement rate) x 1,000"
        ),
        "benchmark_cost_per_1000_engaged": ui.money_column(
            f"Benchmark per 1,000 engaged ({currency})",
            currency,
            help="The card's midpoint at the tier's benchmark engagement rate (Instagram only)",
        ),
    },
)

st.subheader("Long-term partners")
if partners.empty:
    st.info("No long-term partner yet (enough campaigns over enough time with the brand).")
else:
    ui.table(
        partners.assign(roas_change=partners.roas_change * 100, engagement_change=partners.engagement_change * 100,
                        latest_rate_flag=partners.latest_rate_flag.map(words.rate_flag, na_action="ignore")),
        hide_index=True,
        column_order=[
            "creator_name",
            "is_rate_review",
            "reason",
            "contracts",
            "tenure_days",
            "first_roas",
            "latest_roas",
            "roas_change",
            "engagement_change",
            "latest_rate_flag",
        ],
        column_config={
            "creator_name": "Creator",
            "is_rate_review": "Review the rate",
            "reason": st.column_config.TextColumn("Why", width="large"),
            "contracts": "Campaigns",
            "tenure_days": st.column_config.NumberColumn("Days with us", format="%d"),
            "first_roas": st.column_config.NumberColumn("First ROAS", format="%.2fx", help=ui.ROAS_DEFINITION),
            "latest_roas": st.column_config.NumberColumn("Latest ROAS", format="%.2fx"),
            "roas_change": st.column_config.NumberColumn("ROAS change %", format="%.0f%%"),
            "engagement_change": st.column_config.NumberColumn(
                "Engagement change %", format="%.0f%%", help="Engagements per sponsored post"
            ),
            "latest_rate_flag": "Latest rate",
        },
    )
ui.definitions(
    ui.ROAS_DEFINITION,
    "Price per deliverable = flat fee / deliverables in the contract_deliverables template",
)
