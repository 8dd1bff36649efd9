"""The weekly performance report, built from the serving file only (never the warehouse)."""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

INDUSTRY_ROI_REFERENCE = "average influencer ROI 5.2x (Influencer Marketing Hub, 2025); micro campaigns often 7-10x"


@dataclass(frozen=True)
class ReportData:
    week_start: date
    currency: str
    verdicts: dict[str, int]
    week: dict[str, float]
    previous_week: dict[str, float]
    top_creators: list[dict]
    rejected: list[dict]
    flags: list[dict]


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def collect(serving_path: Path, week_start: date | None = None) -> ReportData:
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        if week_start is None:
            # The newest complete ISO week in the data.
            week_start = con.execute(
                "select max(week_start) from creator_weekly_performance where week_start + 6 <= "
                "(select max(order_date) from order_attribution)").fetchall()[0][0]
        currency = con.execute("select any_value(reporting_currency) from creator_roi").fetchall()[0][0]
        verdicts = {r["verdict"]: r["n"] for r in _rows(
            con, "select verdict, count(*) as n from creator_vetting group by 1")}
        totals = ("select coalesce(sum(net_revenue), 0) as net_revenue, coalesce(sum(orders), 0) as orders, "
                  "coalesce(sum(new_customers), 0) as new_customers "
                  "from creator_weekly_performance where week_start = ?")
        week = _rows(con, totals, [week_start])[0]
        previous = _rows(con, totals, [week_start - timedelta(days=7)])[0]
        # Who paid back, beside whether they are worth hiring again (the worst verdict over their platforms).
        top = _rows(con, """
            select r.creator_id, r.creator_name, r.campaign_name, r.orders, r.net_revenue, r.creator_cost, r.roi,
                   coalesce(v.verdict, 'not vetted') as verdict
            from creator_roi as r
            left join (
                select creator_id, case max(case verdict when 'reject' then 3 when 'review' then 2 else 1 end)
                    when 3 then 'reject' when 2 then 'review' else 'approve' end as verdict
                from creator_vetting group by creator_id
            ) as v on r.creator_id = v.creator_id
            where r.roi is not null order by r.roi desc, r.creator_id limit 5""")
        rejected = _rows(con, """
            select v.creator_id, v.creator_name, v.platform, v.vetting_score,
                   string_agg(r.detail, '; ' order by r.reason_rank) as why
            from creator_vetting as v
            left join creator_vetting_reasons as r
                on v.creator_id = r.creator_id and v.platform = r.platform and r.is_key_reason
            where v.verdict = 'reject'
            group by all
            order by v.creator_id, v.platform""")
        flags = _rows(con, """
            select creator_id, creator_name, campaign_name,
                   concat_ws(', ', case when is_code_leak_suspected then 'code leak suspected' end,
                                   case when two_code_orders > 0
                                        then two_code_orders || ' orders with two creator codes' end,
                                   case when roi_null_reason is not null then 'ROI undefined: ' || roi_null_reason end)
                   as flag
            from creator_roi
            where is_code_leak_suspected or two_code_orders > 0 or roi_null_reason is not null
            order by creator_id, campaign_name""")
    finally:
        con.close()
    return ReportData(week_start, currency, verdicts, week, previous, top, rejected, flags)


def _change(now: float, before: float) -> str:
    if not before:
        return "n/a"
    return f"{(float(now) - float(before)) / float(before) * 100:+.1f}%"


def render_markdown(d: ReportData) -> str:
    iso = d.week_start.isocalendar()
    lines = [
        f"# Creator programme: week {iso.year}-W{iso.week:02d} ({d.week_start} to {d.week_start + timedelta(days=6)})",
        "",
        "## This week (attributed to creators, last touch)",
        f"- Net revenue: {float(d.week['net_revenue']):,.2f} {d.currency} "
        f"({_change(d.week['net_revenue'], d.previous_week['net_revenue'])} week over week)",
        f"- Orders: {d.week['orders']} ({_change(d.week['orders'], d.previous_week['orders'])}); "
        f"new customers: {d.week['new_customers']}",
        "",
        "## Top 5 creators by ROI (campaign to date)",
        "| creator | campaign | orders | net revenue | cost | ROI | vetting |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for t in d.top_creators:
        lines.append(f"| {t['creator_name']} ({t['creator_id']}) | {t['campaign_name']} | {t['orders']} | "
                     f"{float(t['net_revenue']):,.2f} | {float(t['creator_cost']):,.2f} | {t['roi'] + 1:.1f}x | "
                     f"{t['verdict']} |")
    lines += ["", f"Reference: {INDUSTRY_ROI_REFERENCE}. ROI x = net revenue / cost.", "",
              "## Vetting", "- " + ", ".join(f"{k}: {d.verdicts.get(k, 0)}" for k in ("approve", "review", "reject")),
              ""]
    if d.rejected:
        lines += ["| rejected creator | platform | score | why |", "|---|---|---:|---|"]
        lines += [f"| {r['creator_name']} ({r['creator_id']}) | {r['platform']} | {r['vetting_score']} | {r['why']} |"
                  for r in d.rejected]
        lines.append("")
    lines += ["## Flags to look at"]
    flags = [f"- {f['creator_name']} ({f['creator_id']}), {f['campaign_name']}: {f['flag']}" for f in d.flags]
    lines += flags or ["- none"]
    return "\n".join(lines) + "\n"


def render_html(markdown: str) -> str:
    """A dependency-free HTML rendering of the report's Markdown (headings, lists, tables, paragraphs)."""
    out, table = [], False
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
            if set(line) <= set("|-: "):
                continue
            if not table:
                out.append("<table>")
                table = True
                out.append("<tr>" + "".join(f"<th>{c}</th>" for c in cells) + "</tr>")
                continue
            out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            continue
        if table:
            out.append("</table>")
            table = False
        if line.startswith("## "):
            out.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line.startswith("- "):
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if table:
        out.append("</table>")
    style = ("body{font-family:sans-serif;max-width:900px;margin:2em auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head><body>" \
           + "\n".join(out) + "</body></html>\n"


def build_report(serving_path: Path, report_dir: Path, week_start: date | None = None) -> Path:
    data = collect(serving_path, week_start)
    iso = data.week_start.isocalendar()
    report_dir.mkdir(parents=True, exist_ok=True)
    stem = report_dir / f"weekly_report_{iso.year}-W{iso.week:02d}"
    markdown = render_markdown(data)
    stem.with_suffix(".md").write_text(markdown)
    stem.with_suffix(".html").write_text(render_html(markdown))
    log.info("weekly report written: %s.{md,html}", stem)
    return stem.with_suffix(".md")
