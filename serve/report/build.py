"""Build the weekly report: read the figures, refuse (or mark) stale data, write HTML, PDF, Markdown and charts."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import jinja2

from serve.report import charts, summary, words
from serve.report.data import ReportData, collect
from serve.report.pdf import write_pdf
from serve.report.week import ReportWeek, StalePolicy, stale_reason, week_before

log = logging.getLogger(__name__)


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def _nobreak(text: str) -> str:
    """Kept on one line in the PDF (fpdf2 never breaks at a no-break space): a date, a figure with its label."""
    return text.replace(" ", "\u00a0")


@jinja2.pass_context
def _amount(context: jinja2.runtime.Context, value: Decimal | float) -> str:
    """The templates' amounts are all in the report's currency (``d.currency``)."""
    return summary.amount(value, context["d"].currency)


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("serve.report", "templates"), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(amount=_amount, percent=summary.percent, points=summary.points, times=summary.times,
                       day=_day, rate=summary.rate, ctr=summary.ctr, verdict=words.verdict, nobreak=_nobreak)
    return env


_TEMPLATES = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False)  # Markdown is not HTML: nothing to escape
_CHART_WIDTH = {"email": 760, "pdf": 515}  # at most: px in the email, points across A4 inside the PDF's margins


@dataclass(frozen=True)
class ReportFiles:
    """What a build wrote, and what delivery needs: the subject, the email's HTML (charts as cid: references)."""

    week: ReportWeek
    stale: bool
    subject: str
    html: Path
    pdf: Path
    markdown: Path
    charts: list[Path]
    email_html: str


def build_report(serving_path: Path, report_dir: Path, *, week: ReportWeek | None = None,
                 as_of: datetime | None = None, timezone: str = "UTC",
                 on_stale: StalePolicy = "refuse") -> ReportFiles:
    """The report for ``week`` (default: the last complete ISO week before ``as_of``, default now, in ``timezone``)
    from the serving file, written to ``report_dir`` as ``weekly_report_<ISO week>.{html,pdf,md}`` plus one PNG per
    chart. Data that does not cover the week (no order of it, or published before it ended) raises StaleServing
    (``refuse``) or is marked on every page."""
    week = week or week_before(as_of or datetime.now(UTC), timezone)
    data = collect(serving_path, week)
    stale = stale_reason(data.published_at, data.orders_through, week, on_stale, str(serving_path))
    reference, *_ = references = summary.load_references()
    figures = charts.figures(data, reference)
    stem = f"weekly_report_{week.iso}"
    context = _context(data, stale, references)
    context["headline"] = summary.headline(data, reference)

    report_dir.mkdir(parents=True, exist_ok=True)
    pngs = []
    for figure in figures:
        pngs.append(report_dir / f"{stem}_{figure.name}.png")
        pngs[-1].write_bytes(figure.png)
    html, pdf, markdown = (report_dir / f"{stem}.{ext}" for ext in ("html", "pdf", "md"))

    def body(template: str, src: list[str], width: int) -> str:
        figs = [{"src": s, "title": f.title, "width": min(width, f.width)} for s, f in zip(src, figures, strict=True)]
        return _TEMPLATES.get_template(template).render(context, figures=figs)

    html.write_text(body("email.html.j2", [p.name for p in pngs], _CHART_WIDTH["email"]))
    email_html = body("email.html.j2", [f"cid:{p.name}" for p in pngs], _CHART_WIDTH["email"])
    write_pdf(pdf, context["title"], context["stale"], context["published"],
              body("body.html.j2", [f.name for f in figures], _CHART_WIDTH["pdf"]), {f.name: f.svg for f in figures})
    markdown.write_text(_MARKDOWN.get_template("report.md.j2").render(
        context, figures=[{"src": p.name, "title": f.title} for p, f in zip(pngs, figures, strict=True)]))
    subject = ("[STALE DATA] " if stale else "") + context["title"]
    log.info("weekly report for %s written: %s.{html,pdf,md}%s", week.iso, report_dir / stem,
             " (marked stale)" if stale else "")
    return ReportFiles(week, stale is not None, subject, html, pdf, markdown, pngs, email_html)


def _past(d: ReportData) -> str:
    """A note on a week reported long after it ended (by hand, or a backfill): its weekly figures are that week's,
    but the marts hold the campaign-to-date figures, verdicts and recommendations as of the publication only."""
    if d.orders_through is None or d.orders_through <= d.week.end + timedelta(days=7):
        return ""
    return (f" Week {d.week.iso} is past: its weekly figures are that week's, but the campaign-to-date figures, "
            f"the vetting and the recommendations are as published, not as they stood then.")


def _context(d: ReportData, stale: str | None, references: list[summary.Reference]) -> dict:
    published = d.published_at.astimezone(UTC)
    return {
        "d": d,
        "title": f"Creator programme: week {d.week.iso} ({d.week.label})",
        "published": f"data published {_day(published)} {published:%H:%M} UTC",
        "facts": f"Data published {_day(published)} {published:%H:%M} UTC, orders up to "
                 f"{_day(d.orders_through) if d.orders_through else 'none'}; amounts in {d.currency}." + _past(d),
        "stale": stale,
        "flags": summary.flags(d),
        "top": summary.top_by_roi(d),
        "top_min_orders": summary.TOP_MIN_ORDERS,
        "no_top_yet": summary.NO_TOP_YET,
        "budget": summary.budget_section(d),
        "customer_value": summary.customer_value_section(d),
        "seeding": summary.seeding_section(d),
        "content": summary.content_section(d),
        "rates": summary.rate_section(d),
        "glossary": summary.glossary(d, references),
        "marks": {"review": "#fde6c8", "reject": "#f6c6c6"},  # cell backgrounds of the verdicts that need a look
    }
