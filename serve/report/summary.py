"""What the report says in words: the headline sentences and the flags, generated from the figures.

Every measure is named by its definition: ROI = (net revenue - cost) / cost, shown as a percentage; ROAS = net
revenue / cost, shown as a multiple. The industry reference (roi_reference.csv) is revenue per unit of spend, so
it is a ROAS and is only ever compared with ROAS.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from serve.report.data import CreatorCampaign, Deliverable, Mover, Recommendation, ReportData

REFERENCE_CSV = Path(__file__).with_name("roi_reference.csv")
# A leak worth this share of the week's attributed revenue makes the headline (smaller ones stay in the flags).
HEADLINE_LEAK_SHARE = 0.10
# Weekly views above this multiple of the creator's median week read as a viral post (as dbt's viral_views_multiple).
VIRAL_VIEWS_MULTIPLE = 3
NAMES_SHOWN = 5


@dataclass(frozen=True)
class Reference:
    label: str
    roas_low: float
    roas_high: float
    source: str
    source_year: int

    @property
    def text(self) -> str:
        value = f"{self.roas_low:g}" if self.roas_low == self.roas_high else f"{self.roas_low:g}-{self.roas_high:g}"
        return f"{self.label}: ROAS {value}× ({self.source} {self.source_year})"


def load_references(path: Path = REFERENCE_CSV) -> list[Reference]:
    with path.open(newline="") as fh:
        return [Reference(r["label"], float(r["roas_low"]), float(r["roas_high"]), r["source"], int(r["source_year"]))
                for r in csv.DictReader(fh)]


@dataclass(frozen=True)
class Flag:
    """One kind of finding: how many, what to do, and the rows for the appendix."""

    title: str
    count: str
    action: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else plural_form or singular + 's'}"


def money(amount: Decimal | float, currency: str) -> str:
    """For sentences: whole units, e.g. "2,646 USD" (the tables give cents)."""
    return f"{amount:,.0f} {currency}"


def amount(value: Decimal | float) -> str:
    """For tables, whose heading or note names the currency: "2,645.55"."""
    return f"{value:,.2f}"


def percent(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio * 100:,.1f}%"


def points(percentage: float | None) -> str:
    """A value already in percent (the marts' *_pct columns), e.g. 902.25 -> "902.2%"."""
    return "n/a" if percentage is None else f"{percentage:,.1f}%"


def times(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:,.2f}×"


def names(items: list[str], limit: int = NAMES_SHOWN) -> str:
    """"A", "A and B", "A, B and C", or the first ``limit`` and "N more"."""
    shown = items[:limit] + ([f"{len(items) - limit} more"] if len(items) > limit else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _day(d) -> str:
    return f"{d.day} {d:%b %Y}"


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def rejected_still_paid(d: ReportData) -> list[CreatorCampaign]:
    """Rejected creators who earn this week (commission) or hold a contract in a campaign still running."""
    return [c for c in d.creators if c.verdict == "reject"
            and (c.week_net_revenue > 0 or (c.creator_cost > 0 and c.campaign_end_date >= d.week.start))]


def top_by_roi(d: ReportData, n: int = 5) -> list[CreatorCampaign]:
    return sorted((c for c in d.creators if c.roi is not None), key=lambda c: (-c.roi, c.creator_id))[:n]


def headline(d: ReportData, reference: Reference) -> list[str]:
    """Three to five sentences: the week, the campaign to date, the biggest change and why, what needs deciding."""
    cur, now, before = d.currency, d.this_week, d.last_week
    if before.net_revenue:
        ratio = (now.net_revenue - before.net_revenue) / before.net_revenue
        trend = f"{percent(abs(float(ratio)))} {'up on' if ratio >= 0 else 'down on'} the week before " \
                f"({money(before.net_revenue, cur)})"
    else:
        trend = "against none the week before"
    sentences = [f"In week {d.week.iso} ({d.week.label}) creators brought {money(now.net_revenue, cur)} of "
                 f"attributed net revenue from {plural(now.orders, 'order')}, {trend}."]
    td, tl = d.to_date, d.to_date_last_week
    sentences.append(
        f"Campaign to date, creators have cost {money(td.cost, cur)} for {money(td.net_revenue, cur)} of net revenue: "
        f"ROI {percent(td.roi)} and ROAS {times(td.roas)} (a week earlier ROI {percent(tl.roi)}, ROAS "
        f"{times(tl.roas)}), against an industry ROAS of {times(reference.roas_low)}.")
    sentences += _leak_sentences(d) + _mover_sentences(d.mover, cur)
    sentences.append(_decisions(d))
    return sentences


def _leak_sentences(d: ReportData) -> list[str]:
    leaked = sum((leak.net_revenue for leak in d.leaks), Decimal(0))
    if not d.this_week.net_revenue or leaked / d.this_week.net_revenue < HEADLINE_LEAK_SHARE:
        return []
    where = names([f"{leak.campaign_name}, which ended on {_day(leak.campaign_end_date)}" if leak.after_campaign_end
                   else leak.campaign_name for leak in d.leaks])
    who = names(_distinct([n for leak in d.leaks for n in leak.creators.split(", ")]))
    return [f"{percent(float(leaked / d.this_week.net_revenue))} of this week's attributed net revenue "
            f"({money(leaked, d.currency)}) came from leaked codes: used with no sponsored post by the creator in the "
            f"30 days before, for {where} ({who})."]


def _mover_sentences(m: Mover | None, cur: str) -> list[str]:
    if m is None:
        return []
    if abs(m.leaked_change) * 2 >= abs(m.change):
        why = "mostly in orders with a code and no recent sponsored post (a leaked code)"
    elif m.change > 0 and m.median_views and m.views > VIRAL_VIEWS_MULTIPLE * m.median_views:
        why = f"after posts that drew {m.views:,} views, {m.views / m.median_views:,.0f}× their usual week"
    elif m.change < 0 and m.posts == 0 and m.posts_prev_2_weeks == 0 and m.posts_before > 0:
        why = "after three weeks without a post"
    else:
        why = "with no leak, viral post or posting gap behind it in the data"
    direction = "rose" if m.change > 0 else "fell"
    return [f"The biggest change: {m.creator_name}'s net revenue {direction} by {money(abs(m.change), cur)} to "
            f"{money(m.net_revenue, cur)}, {why}."]


def _decisions(d: ReportData) -> str:
    parts = []
    if paid := _distinct([c.creator_name for c in rejected_still_paid(d)]):
        parts.append(f"{plural(len(paid), 'rejected creator')} still being paid ({names(paid)})")
    if leaks := _distinct([c.creator_name for c in d.creators if c.is_code_leak_suspected]):
        parts.append(f"{plural(len(leaks), 'suspected code leak')} ({names(leaks)})")
    if undisclosed := [v.creator_name for v in d.vetted if v.undisclosed_posts]:
        parts.append(f"{plural(len(undisclosed), 'creator')} with undisclosed ads ({names(undisclosed)})")
    if review := [v.creator_name for v in d.vetted if v.verdict == "review"]:
        parts.append(f"{plural(len(review), 'creator')} in review ({names(review)})")
    if not parts:
        return "Nothing needs a decision this week."
    return "Needs a decision: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class BudgetSection:
    """The budget moves (increase, cut, replace) with their effect, and a count of the creators left as they are."""

    summary: str
    moves: list[Recommendation]
    others: str


def budget_section(d: ReportData) -> BudgetSection:
    moves = [b for b in d.budget if b.recommendation in ("increase", "cut", "replace")]
    cut = [b for b in moves if b.recommendation != "increase"]
    raised = [b for b in moves if b.recommendation == "increase"]
    if cut or raised:
        freed = -sum((b.budget_change_per_month or Decimal(0) for b in cut), Decimal(0))
        placed = sum((b.budget_change_per_month or Decimal(0) for b in raised), Decimal(0))
        effect = sum((b.expected_revenue_change_per_month or Decimal(0) for b in moves), Decimal(0))
        text = (f"Cutting or replacing {plural(len(cut), 'creator')} frees {money(freed, d.currency)} a month; "
                f"{money(placed, d.currency)} of it fits the room for more sponsored posts of "
                f"{plural(len(raised), 'top performer')}. If recent returns hold, net revenue changes by "
                f"{'+' if effect >= 0 else '-'}{money(abs(effect), d.currency)} a month.")
    else:
        text = "No creator's recent return is clear enough to move budget."
    kept = sum(1 for b in d.budget if b.recommendation == "keep")
    few = sum(1 for b in d.budget if b.recommendation == "insufficient_data")
    others = (f"{plural(kept, 'creator')} kept as they are; {plural(few, 'creator')} with too few recent orders to "
              "judge.")
    return BudgetSection(text, moves, others)


def _owed(x: Deliverable) -> str:
    if x.delivery_status == "missing":
        return f"{x.posts_missing} of {x.posts_due} not posted"
    return f"{x.posts_late} of {x.posts_due} late, up to {plural(x.max_days_late or 0, 'day')}"


def flags(d: ReportData) -> list[Flag]:
    """The findings by kind, worst first, each with its count; kinds with nothing to show are left out."""
    paid = rejected_still_paid(d)
    leaks = [c for c in d.creators if c.is_code_leak_suspected]
    undisclosed = [v for v in d.vetted if v.undisclosed_posts]
    review = [v for v in d.vetted if v.verdict == "review"]
    no_cost = [c for c in d.creators if c.roi_null_reason]
    two_codes = [c for c in d.creators if c.two_code_orders]
    kinds = [
        Flag("Rejected creators still being paid", plural(len(_distinct([c.creator_id for c in paid])), "creator"),
             "end the contract or stop the code", ("creator", "campaign", "cost", "net revenue this week"),
             [(c.creator_name, c.campaign_name, amount(c.creator_cost), amount(c.week_net_revenue))
              for c in paid]),
        Flag("Suspected code leaks", plural(len(leaks), "code"), "deactivate or replace the code",
             ("creator", "campaign", "campaign ended", "net revenue this week"),
             [(c.creator_name, c.campaign_name, _day(c.campaign_end_date), amount(c.week_net_revenue))
              for c in leaks]),
        Flag("Undisclosed sponsored posts", plural(len(undisclosed), "creator"),
             "ask for a prominent #ad label (FTC rules)", ("creator", "platforms", "undisclosed posts"),
             [(v.creator_name, v.platforms, f"{v.undisclosed_posts:,}") for v in undisclosed]),
        Flag("Contract posts missing or late", plural(len(d.deliverables), "deliverable"),
             "chase the creator; hold the fee until missing posts are up", ("creator", "campaign", "format", "due",
                                                                             "status", "posts"),
             [(x.creator_name, x.campaign_name, x.deliverable_format.replace("_", " "), _day(x.due_date),
               x.delivery_status, _owed(x)) for x in d.deliverables]),
        Flag("Creators in review", plural(len(review), "creator"), "decide: approve or drop",
             ("creator", "platforms", "why"), [(v.creator_name, v.platforms, v.reasons) for v in review]),
        Flag("ROI undefined (no cost recorded)", plural(len(no_cost), "contract"),
             "record the gifts' unit cost in the contracts template", ("creator", "campaign", "reason"),
             [(c.creator_name, c.campaign_name, (c.roi_null_reason or "").replace("_", " ")) for c in no_cost]),
        Flag("Orders with two creator codes", f"{plural(sum(c.two_code_orders for c in two_codes), 'order')} "
             f"({plural(len(two_codes), 'contract')})", "none: each is credited once, to the first code",
             ("creator", "campaign", "orders"),
             [(c.creator_name, c.campaign_name, f"{c.two_code_orders:,}") for c in two_codes]),
    ]
    return [k for k in kinds if k.rows]
