"""What every page shares: the version it reads, number formats, the definitions and the weekly revenue chart."""

from __future__ import annotations

import math

import altair as alt
import pandas as pd
import streamlit as st

from pipeline.settings import load_settings
from serve.dashboard import data
from serve.report.summary import ZERO_DECIMAL_CURRENCIES, ctr_band

# Shown wherever the measure is, so a number is never read with the wrong denominator (docs: creator_roi).
ROI_DEFINITION = "ROI = (net revenue − creator cost) / creator cost"
ROAS_DEFINITION = "ROAS = net revenue / creator cost"
NET_REVENUE_DEFINITION = ("Net revenue = attributed sales after discounts and refunds, excluding tax, shipping and "
                          "gift cards (paid orders, last-touch: creator code, else creator link)")
COST_DEFINITION = ("Creator cost = flat fee + gifted units at cost + gift shipping + commission + bonuses met + paid "
                   "amplification")
BUDGET_DEFINITION = ("Budget = the campaigns template's budget, converted to the reporting currency at the campaign's "
                     "start date; empty when none is set")
SPEND_VS_BUDGET_DEFINITION = "Spend % of budget = creator cost / budget (over 100% = over budget; empty: no budget)"
CTR_DEFINITION = ("CTR = clicks on the creator's links / views of their sponsored posts (2% is strong, 5% and more "
                  "exceptional)")
CVR_DEFINITION = "CVR = orders through the creator's links / visits through them (GA4 sessions)"
VERDICT_COLOURS = {"approve": "green", "review": "orange", "reject": "red"}


def version() -> data.Version:  # type: ignore[return]
    """The version this run reads (``current``, resolved once); stops the page with what to do when nothing is
    published yet."""
    try:
        return data.current_version(load_settings().serving_dir)
    except data.NotPublished as exc:
        st.warning(str(exc))
        st.stop()  # raises: the page ends here


def table(frame: pd.DataFrame, **options: object) -> None:
    """``st.dataframe`` with a missing value shown as "–", as the metric cards show it: Streamlit writes "None" in a
    cell otherwise (a budget not set, an ROI undefined, a story's engagement). Each page says what a blank means."""
    st.dataframe(frame, placeholder="–", **options)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: object) -> str:
    """Whole currency units: headline figures (tables keep the cents)."""
    return "–" if is_missing(value) else f"{float(value):,.0f}"


def money_column(label: str, currency: str, help: str | None = None) -> st.column_config.NumberColumn:
    """A table's amount column in the reporting currency: cents, or none for yen, won and the like."""
    return st.column_config.NumberColumn(label, help=help,
                                         format="%.0f" if currency in ZERO_DECIMAL_CURRENCIES else "%.2f")


def share(value: object) -> str:
    """A ratio as a percentage; a missing one (no denominator) is a dash, never 0%."""
    return "–" if is_missing(value) else f"{float(value) * 100:,.1f}%"


def rate(value: object) -> str:
    """CTR or CVR as a percentage; "no data" (no click or GA4 export), never 0%, when it is missing."""
    return "no data" if is_missing(value) else share(value)


def ctr(value: object) -> str:
    """CTR with the report's references: "3.1% (strong)", "6.0% (exceptional)", "1.2%" or "no data"."""
    return rate(value) if is_missing(value) else rate(value) + ctr_band(float(value))


def roi(value: object) -> str:
    return "undefined" if is_missing(value) else f"{float(value) * 100:,.1f}%"


def roas(value: object) -> str:
    return "undefined" if is_missing(value) else f"{float(value):,.2f}×"


def verdict(value: object) -> str:
    """The verdict in its colour (Streamlit markdown)."""
    return "not vetted" if is_missing(value) else f":{VERDICT_COLOURS.get(str(value), 'gray')}[**{value}**]"


def definitions(*lines: str) -> None:
    st.caption("  \n".join(lines))


# A weekly chart's week in its tooltip, in UTC as on its axis (week_axis).
WEEK_TOOLTIP = alt.Tooltip("week_start:T", timeUnit="utcyearmonthdate", title="Week of", format="%d %b %Y")


def week_axis(weeks: pd.DataFrame, most: int = 12) -> alt.X:
    """The x encoding of a weekly chart: ticks on the weeks' Mondays (Vega's own weekly ticks fall on Sundays), at
    most ``most`` of them, read in UTC as the marts' dates are (a browser's time zone would shift them a day)."""
    mondays = sorted(pd.to_datetime(weeks.week_start).drop_duplicates())
    step = max(1, -(-len(mondays) // most))
    ticks = [alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True) for d in mondays[::step]]
    return alt.X("week_start:T", timeUnit="utcyearmonthdate", title="Week (Monday)",
                 axis=alt.Axis(values=ticks, format="%d %b"))


def weekly_bars(weeks: pd.DataFrame, title: str, tooltip: list) -> alt.Chart:
    """Net revenue by week (creator_weekly_performance); the week still running (is_complete_week false) is drawn
    lighter, so its revenue so far is not read as a fall."""
    return alt.Chart(weeks).mark_bar(color="#4c78a8").encode(
        x=week_axis(weeks), y=alt.Y("net_revenue:Q", title=title),
        opacity=alt.condition("datum.is_complete_week", alt.value(1.0), alt.value(0.35)),
        tooltip=[*tooltip, alt.Tooltip("is_complete_week:N", title="Complete week")])


def running_week_note(weeks: pd.DataFrame) -> None:
    """A caption under a weekly chart whose last week is still running."""
    running = weeks[~weeks.is_complete_week.astype(bool)]
    if not running.empty:
        st.caption(f"The lighter bar, week of {running.week_start.max():%d %b %Y}, is the week still running: the "
                   "orders loaded so far, not the whole week.")

