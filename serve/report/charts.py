"""The report's four charts, drawn once with Altair and rendered by vl-convert (no browser): PNG for the email,
SVG (vector) for the PDF."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import altair as alt
import vl_convert

from serve.report import words
from serve.report.data import TREND_WEEKS, ReportData
from serve.report.summary import Reference

log = logging.getLogger(__name__)

PANEL = 130  # px; each chart is about 520 px wide, drawn 1:1 across an A4 page inside the margins
LABELS = 240  # px for the creator, campaign or reason names on the left
CAMPAIGN_COLOURS = ["#4c78a8", "#72b7b2", "#b279a2", "#9d755d", "#54a24b", "#eeca3b", "#bab0ac"]
VERDICT_COLOURS = {words.verdict(v): colour for v, colour in
                   {"approve": "#4c78a8", "review": "#f58518", "reject": "#d62728", "not vetted": "#9d9d9d"}.items()}
SEVERITY_COLOURS = {words.verdict(v): colour for v, colour in {"reject": "#d62728", "review": "#f58518"}.items()}
CREATORS_SHOWN = 12
# Plain words for creator_vetting_reasons.reason_code (the mart documents each code).
REASON_LABELS = {
    "follower_spike_unexplained": "bought followers? (unexplained spike)",
    "fake_followers_in_sample": "bought followers? (follower sample)",
    "some_fake_followers_in_sample": "some fake followers in the sample",
    "exclusivity_breach": "breached an exclusivity clause",
    "competitor_sponsorship": "promoted a competitor",
    "missing_deliverables": "contract posts never posted",
    "late_deliverables": "contract posts posted late",
    "low_engagement": "engagement far below benchmark",
    "low_story_views": "followers don't watch stories",
    "low_video_views": "few views per follower",
    "audience_outside_target": "audience outside target countries",
    "undisclosed_sponsored_posts": "sponsored posts not disclosed",
    "generic_comments_creator": "engagement pod? (generic comments)",
    "unsafe_comments": "hostile comments (brand safety)",
    "low_score": "low overall score",
    "no_audience_geography": "no audience geography data",
    "insufficient_history": "too little follower history",
    "no_engagement_data": "no engagement data",
    "no_comment_samples": "no comment samples",
    "no_posts": "no posts",
    "follower_dump": "followers dropped after a spike",
    "audience_partly_outside_target": "audience partly outside target",
    "low_activity": "posts too rarely",
    "generic_comments_posts": "posts with generic comments",
    "some_unsafe_comments": "some negative, toxic or spam comments",
    "follower_spike_explained": "viral spike (explained)",
    "no_sponsored_posts": "no sponsored posts",
}
_SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Figure:
    name: str  # file stem, e.g. "creators"
    title: str
    width: float  # px at scale 1
    png: bytes
    svg: str


def _money_axis(title: str) -> alt.Axis:
    return alt.Axis(title=title, format="~s")


def creators_chart(d: ReportData, reference: Reference) -> alt.TopLevelMixin:
    rows = sorted(d.creators, key=lambda c: (-c.net_revenue, c.creator_id))[:CREATORS_SHOWN]
    values = [{"creator": f"{c.creator_name} ({c.campaign_name})", "net_revenue": float(c.net_revenue),
               "roas": c.roas, "verdict": words.verdict(c.verdict)} for c in rows]
    order = [v["creator"] for v in values]
    colour = alt.Color("verdict:N", title="vetting verdict", legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())))
    base = alt.Chart(alt.Data(values=values)).encode(color=colour)
    revenue = base.mark_bar().encode(
        y=alt.Y("creator:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABELS)),
        x=alt.X("net_revenue:Q", axis=_money_axis(f"net revenue ({d.currency})")))
    revenue = revenue.properties(width=PANEL, title="Net revenue")
    line = alt.Chart(alt.Data(values=[{"roas": reference.roas_low}]))
    roas = base.mark_bar().encode(y=alt.Y("creator:N", sort=order, axis=None),
                                  x=alt.X("roas:Q", title="ROAS = net revenue / cost (×)")) \
        + line.mark_rule(color="black", strokeDash=[4, 3]).encode(x="roas:Q") \
        + line.mark_text(align="left", dx=4, dy=-6, fontSize=10).encode(
            x="roas:Q", y=alt.value(0), text=alt.value(f"industry ROAS {reference.roas_low:g}×"))
    roas = roas.properties(width=PANEL, title="ROAS vs the industry")
    return alt.hconcat(revenue, roas, spacing=8).properties(
        title=f"Top {len(rows)} creators by net revenue, campaign to date")


def trend_chart(d: ReportData) -> alt.TopLevelMixin:
    values = [{"week": week.isoformat(), "campaign": campaign, "net_revenue": float(revenue)}
              for week, campaign, revenue in d.trend]
    return alt.Chart(alt.Data(values=values)).mark_bar().encode(
        x=alt.X("week:O", title="week starting", axis=alt.Axis(labelAngle=-45)),
        y=alt.Y("sum(net_revenue):Q", axis=_money_axis(f"attributed net revenue ({d.currency})")),
        color=alt.Color("campaign:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(range=CAMPAIGN_COLOURS)),
    ).properties(width=LABELS + 2 * PANEL, height=170,
                 title=f"Attributed net revenue per week, by campaign: the {TREND_WEEKS} weeks to {d.week.iso}")


CAMPAIGN_MEASURES = {"budget": "#c7c7c7", "creator cost (spend)": "#7f7f7f", "net revenue to date": "#4c78a8"}


def campaign_values(d: ReportData) -> list[dict]:
    """The campaign chart's bars: budget (only where one is set: no bar, not a 0 bar), spend, net revenue to date."""
    return [{"campaign": c.name, "measure": measure, "amount": float(amount)} for c in d.campaigns
            for measure, amount in zip(CAMPAIGN_MEASURES, (c.budget, c.cost, c.net_revenue_to_date), strict=True)
            if amount is not None]


def campaigns_chart(d: ReportData) -> alt.TopLevelMixin:
    return alt.Chart(alt.Data(values=campaign_values(d))).mark_bar().encode(
        y=alt.Y("campaign:N", title=None, sort=[c.name for c in d.campaigns], axis=alt.Axis(labelLimit=LABELS)),
        yOffset=alt.YOffset("measure:N", sort=list(CAMPAIGN_MEASURES)),
        x=alt.X("amount:Q", axis=_money_axis(d.currency)),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=list(CAMPAIGN_MEASURES), range=list(CAMPAIGN_MEASURES.values()))),
    ).properties(width=2 * PANEL, title=alt.TitleParams(
        f"Campaign spend against budget and net revenue, to the end of {d.week.iso}",
        subtitle=_budget_note(d)))


def _budget_note(d: ReportData) -> str:
    unset = [c.name for c in d.campaigns if c.budget is None]
    return f"No budget set: {', '.join(unset)}" if unset else "Every campaign has a budget"


def verdicts_chart(d: ReportData) -> alt.TopLevelMixin:
    values = [{"reason": REASON_LABELS[r.reason_code], "severity": words.verdict(r.severity), "creators": r.creators}
              for r in d.key_reasons]
    # per creator (a creator's worst verdict over their accounts), never per account
    counts = ", ".join(f"{d.verdicts.get(v, 0)} {words.verdict(v)}" for v in ("approve", "review", "reject"))
    return alt.Chart(alt.Data(values=values)).mark_bar().encode(
        y=alt.Y("reason:N", title=None, sort="-x", axis=alt.Axis(labelLimit=LABELS)),
        x=alt.X("creators:Q", title="creators", axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("severity:N", title="sets the verdict to", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(
            domain=list(SEVERITY_COLOURS), range=list(SEVERITY_COLOURS.values()))),
    ).properties(width=2 * PANEL, title=alt.TitleParams(
        "Why creators are rejected or in review (key reasons)", subtitle=f"Creators by vetting verdict: {counts}"))


def figures(d: ReportData, reference: Reference) -> list[Figure]:
    """The charts that have something to draw (Vega cannot size an empty one): e.g. no trend for a week before the
    first campaign; the sections beside them say so in words."""
    charts = [("creators", d.creators, creators_chart(d, reference)), ("trend", d.trend, trend_chart(d)),
              ("campaigns", campaign_values(d), campaigns_chart(d)), ("verdicts", d.key_reasons, verdicts_chart(d))]
    out = []
    for name, rows, chart in charts:
        if not rows:
            log.info("the %s chart is left out of week %s's report: it has no data", name, d.week.iso)
            continue
        chart = chart.configure_view(stroke=None)
        svg = vl_convert.vegalite_to_svg(chart.configure(font=PDF_FONT).to_dict())
        spec = chart.to_dict()
        title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
        out.append(Figure(name, title, float(ET.fromstring(svg).get("width", 0)), png(chart), _for_fpdf(svg)))
    return out


# The PDF draws the SVG with fpdf2's built-in Helvetica. The PNG (HTML report, email) is rasterised by vl-convert
# from the fonts installed here: a font it cannot find draws no text at all, so the PNG asks for the generic family.
PDF_FONT = "Helvetica"
PNG_FONT = "sans-serif"


def png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart.configure(font=PNG_FONT).to_dict(), scale=2)


def _for_fpdf(svg: str) -> str:
    """Vega's SVG in the subset fpdf2 draws: lines state all four coordinates (SVG defaults them to 0) and empty
    paths (placeholders for marks with no data) are dropped."""
    ET.register_namespace("", _SVG[1:-1])
    root = ET.fromstring(svg)
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{_SVG}path" and not child.get("d"):
                parent.remove(child)
            elif child.tag == f"{_SVG}line":
                for coordinate in ("x1", "y1", "x2", "y2"):
                    child.attrib.setdefault(coordinate, "0")
    return ET.tostring(root, encoding="unicode")
