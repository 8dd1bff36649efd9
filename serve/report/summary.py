"""What the report says in words: the headline sentences and the flags, generated from the figures.

Every measure is named by its definition: ROI = (net revenue - cost) / cost, always shown as a percentage; ROAS = net
revenue / cost, always shown as a multiple (×), the marts' reasons included (dbt macros percent_words and
multiple_words). The industry reference (roi_reference.csv) is revenue per unit of spend, so it is a ROAS and is only
ever compared with ROAS.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from serve.report import words
from serve.report.data import (
    Campaign,
    ContentBest,
    CreatorCampaign,
    CustomerValue,
    Deliverable,
    Mover,
    OrganicWinner,
    RateFlag,
    Recommendation,
    ReportData,
    SeedingCampaign,
)

REFERENCE_CSV = Path(__file__).with_name("roi_reference.csv")
# A leak worth this share of the week's attributed revenue makes the headline (smaller ones stay in the flags).
HEADLINE_LEAK_SHARE = 0.10
# Weekly views above this multiple of the creator's median week read as a viral post (as dbt's viral_views_multiple).
VIRAL_VIEWS_MULTIPLE = 3
NAMES_SHOWN = 5
# Click-through references from the research the metric contract cites: 2% is strong, 5% and more exceptional.
CTR_STRONG, CTR_EXCEPTIONAL = 0.02, 0.05
CUSTOMER_VALUE_SHOWN = 5
RATE_FLAGS_SHOWN = 10  # the furthest from the card; the dashboard's Rate fairness page lists them all
ORGANIC_WINNERS_SHOWN = 10
# The fewest orders a creator x campaign needs to be ranked by ROI: the minimum budget_recommendations judges on (dbt
# var budget_min_orders; a test keeps the two equal).
TOP_MIN_ORDERS = 10
NO_TOP_YET = f"None yet: no creator has an ROI on {TOP_MIN_ORDERS} or more attributed orders in a campaign."


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
    """One kind of finding: how many, what to do, and the rows for the appendix (``widths``: each column's share of
    the page, in percent, so the PDF wraps only the text columns)."""

    title: str
    count: str
    action: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    widths: tuple[int, ...]


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else plural_form or singular + 's'}"


def money(amount: Decimal | float, currency: str) -> str:
    """For sentences: whole units, e.g. "2,646 USD" (the tables give cents)."""
    return f"{amount:,.0f} {currency}"


# ISO 4217 currencies without minor units: a yen or won amount has no cents to show.
ZERO_DECIMAL_CURRENCIES = frozenset({"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
                                     "UYI", "VND", "VUV", "XAF", "XOF", "XPF"})


def amount(value: Decimal | float, currency: str) -> str:
    """For tables, whose heading or note names the currency: "2,645.55" (cents), "1,377,000" in yen or won."""
    return f"{value:,.0f}" if currency in ZERO_DECIMAL_CURRENCIES else f"{value:,.2f}"


def percent(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio * 100:,.1f}%"


def points(percentage: float | None) -> str:
    """A value already in percent (the marts' *_pct columns), e.g. 902.25 -> "902.2%"."""
    return "n/a" if percentage is None else f"{percentage:,.1f}%"


def rate(ratio: float | None) -> str:
    """A conversion-type rate: "no data" (no click or GA4 export), never 0%, when it is missing."""
    return "no data" if ratio is None else f"{ratio * 100:,.1f}%"


def ctr_band(ratio: float) -> str:
    """The CTR references' word for a click-through rate (the report and the dashboard): " (strong)" etc."""
    return " (exceptional)" if ratio >= CTR_EXCEPTIONAL else " (strong)" if ratio >= CTR_STRONG else ""


def ctr(ratio: float | None) -> str:
    """CTR against the references: "3.1% (strong)", "6.0% (exceptional)", "1.2%" or "no data"."""
    return rate(ratio) if ratio is None else rate(ratio) + ctr_band(ratio)


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


def _readable(d: ReportData, text: str) -> str:
    """A mart's reason with its codes in words (serve/report/words.py), ids named from this report's data."""
    return words.readable(text, d.campaign_names, d.contract_campaigns)


def rejected_still_paid(d: ReportData) -> list[CreatorCampaign]:
    """Rejected creators who earn this week (commission) or hold a contract in a campaign still running."""
    return [c for c in d.creators if c.verdict == "reject"
            and (c.week_net_revenue > 0 or (c.creator_cost > 0 and c.campaign_end_date >= d.week.start))]


def top_by_roi(d: ReportData, n: int = 5) -> list[CreatorCampaign]:
    """The best ROI among creator x campaigns with at least TOP_MIN_ORDERS orders: on two orders a lucky week tops the
    table, and the list is read as who to hire again."""
    return sorted((c for c in d.creators if c.roi is not None and c.orders >= TOP_MIN_ORDERS),
                  key=lambda c: (-c.roi, c.creator_id))[:n]


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
        # A leak is creator_roi's call (its thresholds), never this sentence's: the report and the mart agree.
        why = "mostly in orders with a code and no recent sponsored post" + (
            " (flagged as a suspected code leak)" if m.leak_suspected else "")
    elif m.change > 0 and m.median_views and m.views > VIRAL_VIEWS_MULTIPLE * m.median_views:
        why = f"after posts that drew {m.views:,} views, {m.views / m.median_views:,.0f}× their usual week"
    elif m.change < 0 and m.posts == 0 and m.posts_prev_2_weeks == 0 and m.posts_before > 0:
        why = "after three weeks without a post"
    else:
        why = "with no leak, viral post or posting gap behind it in the data"
    direction = "rose" if m.change > 0 else "fell"
    return [f"The biggest change: {m.creator_name}'s net revenue {direction} by {money(abs(m.change), cur)} to "
            f"{money(m.net_revenue, cur)}, {why}."]


def over_budget(d: ReportData) -> list[Campaign]:
    """Campaigns that have spent more than their budget, the furthest over first."""
    return sorted((c for c in d.campaigns if c.over_budget), key=lambda c: -(c.spend_vs_budget or 0))


def _decisions(d: ReportData) -> str:
    parts = []
    if paid := _distinct([c.creator_name for c in rejected_still_paid(d)]):
        parts.append(f"{plural(len(paid), 'rejected creator')} still being paid ({names(paid)})")
    if over := over_budget(d):
        parts.append(f"{plural(len(over), 'campaign')} over budget "
                     f"({names([f'{c.name} at {percent(c.spend_vs_budget)} of its budget' for c in over])})")
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
    moves = [replace(b, reason=_readable(d, b.reason))
             for b in d.budget if b.recommendation in ("increase", "cut", "replace")]
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
    over = over_budget(d)
    weeks = f"in the last {d.findings_weeks} weeks"  # the window data.py reads them over
    kinds = [
        Flag("Rejected creators still being paid", plural(len(_distinct([c.creator_id for c in paid])), "creator"),
             "end the contract or stop the code", ("creator", "campaign", "cost", "net revenue this week"),
             [(c.creator_name, c.campaign_name, amount(c.creator_cost, d.currency),
               amount(c.week_net_revenue, d.currency)) for c in paid], (25, 35, 20, 20)),
        Flag("Campaigns over budget", plural(len(over), "campaign"),
             "stop new spend on the campaign or raise its budget", ("campaign", f"budget ({d.currency})",
                                                                   f"spend ({d.currency})", "of budget"),
             [(c.name, amount(c.budget or 0, d.currency), amount(c.cost, d.currency), percent(c.spend_vs_budget))
              for c in over],
             (40, 20, 20, 20)),
        Flag("Suspected code leaks", plural(len(leaks), "code"), "deactivate or replace the code",
             ("creator", "campaign", "campaign ended", "net revenue this week"),
             [(c.creator_name, c.campaign_name, _day(c.campaign_end_date), amount(c.week_net_revenue, d.currency))
              for c in leaks], (25, 35, 20, 20)),
        Flag("Undisclosed sponsored posts", plural(len(undisclosed), "creator"),
             "ask for a prominent #ad label (FTC rules)", ("creator", "platforms", "undisclosed posts"),
             [(v.creator_name, words.platforms(v.platforms), f"{v.undisclosed_posts:,}") for v in undisclosed],
             (30, 40, 30)),
        Flag(f"Contract posts missing or late (due {weeks})", plural(len(d.deliverables), "deliverable"),
             "chase the creator; hold the fee until missing posts are up", ("creator", "campaign", "format", "due",
                                                                             "status", "posts"),
             [(x.creator_name, x.campaign_name, words.deliverable_format(x.deliverable_format), _day(x.due_date),
               x.delivery_status, _owed(x)) for x in d.deliverables], (16, 20, 15, 14, 10, 25)),
        Flag(f"Exclusivity breaches (posted {weeks})", plural(len(d.breaches), "post"),
             "show the creator the post and the clause; ask for it to come down and apply the contract's remedy",
             ("creator", "campaign", "competitor", "posted", "evidence"),
             [(b.creator_name, b.campaign_name, b.competitor_brands, _day(b.posted_date),
               f"{_readable(d, b.post)}, inside the exclusivity window {_day(b.window_start)} to {_day(b.window_end)}")
              for b in d.breaches], (14, 16, 12, 13, 45)),
        Flag("Creators in review", plural(len(review), "creator"), "decide: approve or drop",
             ("creator", "platforms", "why"),
             [(v.creator_name, words.platforms(v.platforms), _readable(d, v.reasons))
              for v in review], (16, 16, 68)),
        Flag("ROI undefined (no cost recorded)", plural(len(no_cost), "contract"),
             "record the gifts' unit cost in the contracts template", ("creator", "campaign", "reason"),
             [(c.creator_name, c.campaign_name, words.roi_undefined(c.roi_null_reason or "")) for c in no_cost],
             (25, 30, 45)),
        Flag("Orders with two creator codes", f"{plural(sum(c.two_code_orders for c in two_codes), 'order')} "
             f"({plural(len(two_codes), 'contract')})", "none: each is credited once, to the first code",
             ("creator", "campaign", "orders"),
             [(c.creator_name, c.campaign_name, f"{c.two_code_orders:,}") for c in two_codes], (30, 40, 30)),
    ]
    return [k for k in kinds if k.rows]


@dataclass(frozen=True)
class CustomerValueSection:
    """The creators whose new customers bring the most in their first ``days`` days against the CPA, best first
    (``days`` None: no creator has a new customer)."""

    summary: str
    ranked: list[CustomerValue]
    others: str
    days: int | None


def customer_value_section(d: ReportData) -> CustomerValueSection:
    if not d.customer_value:
        return CustomerValueSection("No creator has brought a new customer through a code or link yet.", [], "", None)
    # The mart's window, not a copy of its default: a brand that sets another one reads its own number of days.
    days = d.customer_value[0].window_days
    ranked = [c for c in d.customer_value if c.customer_value_rank is not None]
    if ranked:
        best = ranked[0]
        text = (f"{best.creator_name}'s new customers bring the most for what they cost: {percent(best.repeat_rate)} "
                f"ordered again within {days} days, {money(best.revenue_per_customer, d.currency)} each against a "
                f"CPA of {money(best.cpa, d.currency)} ({times(best.value_to_cpa)}).")
        if len(ranked) > 1:
            last = ranked[-1]
            text += (f" Last of {len(ranked)} ranked: {last.creator_name}, {percent(last.repeat_rate)} came back "
                     f"({times(last.value_to_cpa)}).")
    else:
        text = f"No creator has enough new customers whose first {days} days are over to be ranked yet."
    early = sum(1 for c in d.customer_value if c.customer_value_rank is None and c.new_customers > 0)
    others = (f"{plural(early, 'creator')} with new customers not ranked yet (too few whose {days} days are over, or "
              f"no cost recorded). Customers still inside their {days} days are counted apart, never as customers who "
              "did not come back.")
    return CustomerValueSection(text, ranked[:CUSTOMER_VALUE_SHOWN], others, days)


@dataclass(frozen=True)
class RateSection:
    """The contracts priced outside the market rate card and the long-term partners due a rate review."""

    summary: str
    flagged: list[RateFlag]
    reviews: list[tuple[str, str]]
    others: str


def rate_section(d: ReportData) -> RateSection:
    over = d.rate_counts.get("over_priced", 0)
    under = d.rate_counts.get("under_priced", 0)
    if over or under:
        text = (f"{plural(over, 'contract')} over-priced and {plural(under, 'contract')} under-priced (at risk of "
                "leaving) against the market rate card for the creator's platform, tier and formats.")
    elif d.rate_counts.get("in_range", 0):
        text = "Every contract that can be judged is priced within the market rate card."
    else:  # nothing judged is no finding: never read as "all priced fairly"
        text = "No contract could be judged against the market rate card yet."
    if d.rate_reviews:
        text += (f" {plural(len(d.rate_reviews), 'long-term partner')} whose performance grew: review the rate before "
                 "the next contract.")
    more = len(d.rate_flags) - RATE_FLAGS_SHOWN
    unlisted = f"{plural(more, 'more flagged contract')} on the dashboard's Rate fairness page. " if more > 0 else ""
    others = (f"{unlisted}{plural(d.rate_counts.get('in_range', 0), 'contract')} within the range; "
              f"{plural(d.rate_counts.get('unknown', 0), 'contract')} not judged (no deliverables, no flat fee, or no "
              "market rate for a format or tier: never counted as in range).")
    flagged = [replace(f, rate_flag=words.rate_flag(f.rate_flag), reason=_readable(d, f.reason))
               for f in d.rate_flags[:RATE_FLAGS_SHOWN]]
    reviews = [(name, _readable(d, reason)) for name, reason in d.rate_reviews]
    return RateSection(text, flagged, reviews, others)


@dataclass(frozen=True)
class ContentSection:
    """What content works: the programme's best format and posting time, each platform's, and the posts worth
    repurposing as ads."""

    summary: str
    per_platform: list[tuple[str, str, str]]  # platform, best format, best time
    winners: list[OrganicWinner]
    others: str


def content_section(d: ReportData) -> ContentSection:
    formats = {b.platform: b for b in d.best_formats}
    hours = {b.platform: b for b in d.best_times}
    parts = []
    if best := formats.get("all"):
        parts.append(f"the {best.what} format engages most: {times(best.median_engagement_index)} their creators' "
                     f"usual (median over {plural(best.posts, 'post')})")
    elif "all" in d.level_formats:
        parts.append("no format engages more than the others")
    if best := hours.get("all"):
        parts.append(f"the best time to post is {best.what} on the audience's clock "
                     f"({times(best.median_engagement_index)} over {plural(best.posts, 'post')})")
    elif "all" in d.level_times:
        parts.append("no posting time engages more than the others")
    if parts:
        text = "For the programme, " + "; ".join(parts) + "."
    else:
        text = "No format or posting time has enough posts to be named best yet."
    if d.organic_winners:
        text += (f" {plural(len(d.organic_winners), 'recent post')} engaged far above their account's usual: ask "
                 "their creators for the rights to run them as ads, best first.")
    platforms = sorted((formats.keys() | hours.keys() | d.level_formats | d.level_times) - {"all"})
    per_platform = [(words.platform(p), _best_or_why(formats, d.level_formats, p),
                     _best_or_why(hours, d.level_times, p)) for p in platforms]
    others = ("Engagement index = a post's engagement rate / its account's median, so platforms and creators compare "
              "fairly; a format or hour is only named on enough posts, and only when it leads the next one (\"none "
              "ahead\": level at two decimals, or the only one with enough posts). Posting times are on the clock of "
              "each account's main audience country. Organic winners: posted in the last 90 days, at least 3× their "
              "account's usual engagement; reach is the accounts reached, or the views where the platform gives no "
              "reach.")
    return ContentSection(text, per_platform, d.organic_winners[:ORGANIC_WINNERS_SHOWN], others)


def _best_or_why(best: dict[str, ContentBest], level: set[str], platform: str) -> str:
    if platform in best:
        return best[platform].what
    return "none ahead" if platform in level else "not enough posts"


@dataclass(frozen=True)
class SeedingSection:
    """What gifting returned per campaign: who posted, what a post cost, the earned media value and the sales."""

    summary: str
    campaigns: list[SeedingCampaign]


def seeding_section(d: ReportData) -> SeedingSection:
    gifted = sum(c.creators_gifted for c in d.seeding)
    if not gifted:
        return SeedingSection("No creator was gifted product without a fee or commission.", [])
    posted = sum(c.creators_posted for c in d.seeding)
    text = f"{posted} of {plural(gifted, 'gifted creator')} posted about the gift ({percent(posted / gifted)})."
    silent = [name for c in d.seeding for name in c.not_posted]
    if silent:
        text += f" Not posted: {names(silent)}; follow up once, then stop gifting them."
    revenue = sum((c.net_revenue for c in d.seeding), Decimal(0))
    emv = sum((c.emv for c in d.seeding), Decimal(0))
    text += (f" Their codes and links brought {money(revenue, d.currency)} of net revenue; their posts' earned media "
             f"value is {money(emv, d.currency)}, what the views and engagements would have cost as ads (a convention, "
             "not revenue).")
    return SeedingSection(text, d.seeding)


def glossary(d: ReportData, references: list[Reference]) -> list[tuple[str, str]]:
    """The report's terms and its one notation of ROI (a percentage) and ROAS (a multiple), said once."""
    return [
        ("ROI", "(net revenue - cost) / cost, always as a percentage: 150% is the cost back plus 1.5 times it; "
                "below 0% the creator cost more than they brought."),
        ("ROAS", "net revenue / cost, always as a multiple: 2.50× is 2.50 of net revenue for each 1 of cost "
                 "(ROAS = 1 + ROI). Industry references are ROAS figures (revenue per unit of spend): "
                 + "; ".join(r.text for r in references) + "."),
        ("Net revenue", "orders attributed to the creator's code or link, after discounts and refunds, without tax "
                        f"and shipping, in {d.currency}."),
        ("Creators", "people: a creator with accounts on several platforms counts once, with the worst verdict of "
                     "their accounts (approved, in review or rejected)."),
        ("Recent findings", f"contract posts due, and exclusivity breaches posted, in the last {d.findings_weeks} "
                            f"weeks to {_day(d.week.end)}."),
    ]
