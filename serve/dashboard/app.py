"""The dashboard's Streamlit script: `uv run --frozen pipeline dashboard` runs it (serve/dashboard/launcher.py).

Reads the published marts only (PIPELINE_SERVING_DIR, default data/serving), read-only, one version per page run."""

from __future__ import annotations

import streamlit as st

# Material icons, not emoji: they ship with Streamlit, so they render on a server without an emoji font.
st.set_page_config(page_title="Creator programme", page_icon=":material/monitoring:", layout="wide")
page = st.navigation([
    st.Page("views/overview.py", title="Programme overview", icon=":material/monitoring:", default=True),
    st.Page("views/leaderboard.py", title="Creator leaderboard", icon=":material/leaderboard:"),
    st.Page("views/creator.py", title="Creator detail", icon=":material/person_search:"),
    st.Page("views/campaigns.py", title="Campaigns", icon=":material/campaign:"),
    st.Page("views/budget.py", title="Budget moves", icon=":material/swap_horiz:"),
    st.Page("views/rates.py", title="Rate fairness", icon=":material/balance:"),
    st.Page("views/customer_value.py", title="Customer value", icon=":material/loyalty:"),
    st.Page("views/seeding.py", title="Gifting", icon=":material/redeem:"),
    st.Page("views/content.py", title="Content", icon=":material/photo_library:"),
    st.Page("views/status.py", title="Data status", icon=":material/fact_check:"),
])
page.run()
