"""Score the marts against the generator's ground truth (``ground_truth.json``). Used by the tests, by
``pipeline evaluate`` and by ``pipeline benchmark dbt``.

Vetting is scored on the verdict, not on flags: a planted bad actor is caught when its verdict on its platform is
``review`` or ``reject`` and the matching reason is among its key reasons. A creator is "called out" when any of its
platforms is rejected, or sent to review with a bad-actor reason among its key reasons; a review that only asks for
missing data accuses nobody. Verdict precision = called-out creators that are planted vetting bad actors / all
called-out creators. The ROI cases (leaked codes, zero-cost gifting) are flags in ``creator_roi`` and are scored as
flags. The budget cases (a consistent top performer, a declining one, one with too few recent orders) are scored on
the recommendation each gets in ``budget_recommendations``. The customer-value pairs (a creator whose new customers come
back, one whose customers buy once) are scored on ``creator_customer_value``: the first must rank above the second.
The planted organic winners (unsponsored posts engaging far above their account's usual) must be flagged
``is_organic_winner`` in ``content_post_performance``. The rate cases (a creator paid far above the market rate card,
one far under it) must get that flag on every contract in ``rate_fairness``; the growing long-term partner must be
listed for review in ``rate_review``. No planted bad actor may be rewarded: none gets ``increase`` in
``budget_recommendations`` or a rate review in ``rate_review``, whatever its returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

# The key reason each planted vetting case must produce.
VETTING_REASON = {
    "bought_followers": "follower_spike_unexplained",
    "engagement_pod": "generic_comments_creator",
    "never_discloses": "undisclosed_sponsored_posts",
    "audience_outside_target": "audience_outside_target",
    "bought_followers_gradual": "fake_followers_in_sample",
    "competitor_partnership": "competitor_sponsorship",
    "exclusivity_breach": "exclusivity_breach",
    "ghost_audience": "low_story_views",
    "late_delivery": "late_deliverables",
    "missed_delivery": "missing_deliverables",
    "hostile_comments": "unsafe_comments",
}
# Reasons that accuse a creator (the others report missing data, a low score or activity).
BAD_ACTOR_REASONS = frozenset(VETTING_REASON.values()) | {"follower_dump", "low_engagement", "low_video_views"}
# The creator_roi flag each planted ROI case must produce.
ROI_FLAG = {"leaked_code": "code_leak_suspected", "zero_cost_gifting": "roi_undefined_zero_cost"}
# The recommendations each planted budget case may get in budget_recommendations.
BUDGET_RECOMMENDATION = {"consistent_top_performer": ("increase",), "declining_performer": ("cut", "replace"),
                         "too_little_data": ("insufficient_data",)}
# What each planted rate case must get: the flag of every contract in rate_fairness, or a review in rate_review.
RATE_FINDING = {"over_priced": "over_priced", "under_priced": "under_priced", "growing_partner": "rate_review"}


@dataclass(frozen=True)
class CaseScore:
    """One planted case: ``found`` of ``planted`` were caught with the expected finding; ``reported`` creators got that
    finding, ``reported_planted`` of them planted with this case."""

    case: str
    finding: str
    planted: int
    found: int
    reported: int
    reported_planted: int

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.reported_planted / self.reported if self.reported else 1.0


@dataclass(frozen=True)
class Score:
    """Precision and recall over creators for a group of cases, with who was missed and who was wrongly accused."""

    cases: list[CaseScore]
    called_out: int
    called_out_planted: int
    missed: list[str]
    false_positives: list[str]

    @property
    def planted(self) -> int:
        return sum(c.planted for c in self.cases)

    @property
    def recall(self) -> float:
        return sum(c.found for c in self.cases) / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.called_out_planted / self.called_out if self.called_out else 1.0


@dataclass(frozen=True)
class BudgetCase:
    """One planted budget case: the recommendation it got (None: not in the mart) against those expected."""

    creator_id: str
    case: str
    expected: tuple[str, ...]
    recommendation: str | None
    reason: str | None

    @property
    def found(self) -> bool:
        return self.recommendation in self.expected


@dataclass(frozen=True)
class CustomerValuePair:
    """One planted pair: the creator whose new customers come back must rank above the one whose customers buy once,
    with the higher repeat rate (rank and rate None: not ranked)."""

    loyal: str
    loyal_rank: int | None
    loyal_repeat_rate: float | None
    one_off: str
    one_off_rank: int | None
    one_off_repeat_rate: float | None

    @property
    def found(self) -> bool:
        if None in (self.loyal_rank, self.one_off_rank, self.loyal_repeat_rate, self.one_off_repeat_rate):
            return False
        return self.loyal_rank < self.one_off_rank and self.loyal_repeat_rate > self.one_off_repeat_rate


@dataclass(frozen=True)
class WinnerPost:
    """One planted organic winner: its rank among content_post_performance's organic winners (None: not flagged)."""

    creator_id: str
    post_id: str
    rank: int | None

    @property
    def found(self) -> bool:
        return self.rank is not None


@dataclass(frozen=True)
class SeedingCase:
    """One planted gift never posted about, as seeding_performance lists it (has_posted None: not listed as
    gifted-only), with its campaign's post rate in seeding_programme."""

    contract_id: str
    creator_id: str
    has_posted: bool | None
    cost_per_post: float | None
    post_rate: float | None

    @property
    def posted(self) -> str:
        return "not listed" if self.has_posted is None else "yes" if self.has_posted else "no"

    @property
    def found(self) -> bool:
        return self.has_posted is False and self.cost_per_post is None and self.post_rate is not None \
            and self.post_rate < 1


@dataclass(frozen=True)
class SeedingScore:
    """The planted gifts never posted about, and the gifted creators listed as not posted who were not planted."""

    cases: list[SeedingCase]
    false_positives: list[str]


@dataclass(frozen=True)
class RateCase:
    """One planted rate case: what rate_fairness flagged its contracts (all one flag, else the flags joined), or
    whether rate_review lists it for review (None: not in the mart)."""

    creator_id: str
    case: str
    got: str | None
    reason: str | None

    @property
    def found(self) -> bool:
        return self.got == RATE_FINDING[self.case]


@dataclass(frozen=True)
class RewardCheck:
    """Planted bad actors in the marts that advise on spend and rates, and those of them rewarded (an increase or a
    rate review): a creator the vetting would not hire must never get either."""

    advised: list[str]
    rewarded: list[str]


@dataclass(frozen=True)
class Evaluation:
    verdicts: Score
    roi_flags: Score
    genuine_rejected: list[str]
    budget: list[BudgetCase]
    customer_value: list[CustomerValuePair]
    organic_winners: list[WinnerPost]
    seeding: SeedingScore
    rates: list[RateCase]
    rewards: RewardCheck

    def as_text(self) -> str:
        lines = ["Vetting verdicts: a planted bad actor must end as review or reject on its platform with the matching "
                 "key reason; a creator is called out when rejected, or sent to review with a bad-actor key reason.",
                 *_table(self.verdicts, "caught", "called out"),
                 f"verdict precision {self.verdicts.precision:.3f}, verdict recall {self.verdicts.recall:.3f}",
                 f"missed: {self.verdicts.missed or 'none'}",
                 f"false positives: {self.verdicts.false_positives or 'none'}",
                 f"genuine creators rejected: {self.genuine_rejected or 'none'}",
                 "",
                 "ROI flags (creator_roi):",
                 *_table(self.roi_flags, "flagged", "flagged"),
                 f"flag precision {self.roi_flags.precision:.3f}, flag recall {self.roi_flags.recall:.3f}",
                 f"missed: {self.roi_flags.missed or 'none'}",
                 f"false positives: {self.roi_flags.false_positives or 'none'}",
                 "",
                 "Budget recommendations (budget_recommendations): each planted case must get its recommendation.",
                 f"  {'case':24} {'expected':18} {'creator':10} {'got':17} reason",
                 *(f"  {b.case:24} {' or '.join(b.expected):18} {b.creator_id:10} "
                   f"{b.recommendation or 'not listed':17} {b.reason or ''}" for b in self.budget),
                 f"budget cases right {sum(b.found for b in self.budget)} of {len(self.budget)}",
                 "",
                 "Customer value (creator_customer_value): the creator whose new customers come back must rank above "
                 "the one whose customers buy once.",
                 f"  {'loyal':10} {'rank':>4} {'repeat':>6}   {'one-off':10} {'rank':>4} {'repeat':>6}",
                 *(f"  {p.loyal:10} {_or_dash(p.loyal_rank):>4} {_or_dash(p.loyal_repeat_rate):>6}   "
                   f"{p.one_off:10} {_or_dash(p.one_off_rank):>4} {_or_dash(p.one_off_repeat_rate):>6}"
                   for p in self.customer_value),
                 f"customer value pairs right {sum(p.found for p in self.customer_value)} of "
                 f"{len(self.customer_value)}"]
        lines += ["", "Organic winners (content_post_performance): each planted post must be flagged as one.",
                  *(f"  {w.creator_id:10} {w.post_id:20} {f'rank {w.rank}' if w.found else 'not flagged'}"
                    for w in self.organic_winners),
                  f"organic winners found {sum(w.found for w in self.organic_winners)} of {len(self.organic_winners)}"]
        lines += ["", "Seeding (seeding_performance): each planted gift never posted about must be listed as not "
                  "posted, without a cost per post, in a campaign whose post rate is under 1.",
                  *(f"  {c.contract_id:10} {c.creator_id:10} posted {c.posted:>10} "
                    f"cost per post {_or_dash(c.cost_per_post):>6} campaign post rate {_or_dash(c.post_rate)}"
                    for c in self.seeding.cases),
                  f"gifts never posted about found {sum(c.found for c in self.seeding.cases)} of "
                  f"{len(self.seeding.cases)}; listed as not posted but not planted: "
                  f"{', '.join(self.seeding.false_positives) or 'none'}"]
        lines += ["", "Rate fairness (rate_fairness, rate_review): an over- or under-priced creator's contracts must "
                  "all get that flag; a growing long-term partner must be listed for a rate review.",
                  *(f"  {c.case:16} {c.creator_id:10} {c.got or 'not listed':24} {c.reason or ''}" for c in self.rates),
                  f"rate cases right {sum(c.found for c in self.rates)} of {len(self.rates)}"]
        lines += ["", "Rewards (budget_recommendations, rate_review): no planted bad actor may get an increase or a "
                  "rate review.",
                  f"planted bad actors advised on {len(self.rewards.advised)}, rewarded: "
                  f"{', '.join(self.rewards.rewarded) or 'none'}"]
        return "\n".join(lines)


def _or_dash(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _table(score: Score, found: str, reported: str) -> list[str]:
    rows = [f"  {'case':24} {'expected finding':28} {'planted':>7} {found:>8} {'recall':>6} {reported:>10} "
            f"{'of them planted':>15} {'precision':>9}"]
    for c in score.cases:
        rows.append(f"  {c.case:24} {c.finding:28} {c.planted:>7} {c.found:>8} {c.recall:>6.3f} {c.reported:>10} "
                    f"{c.reported_planted:>15} {c.precision:>9.3f}")
    rows.append(f"  {'all':24} {'':28} {score.planted:>7} {sum(c.found for c in score.cases):>8} "
                f"{score.recall:>6.3f} {score.called_out:>10} {score.called_out_planted:>15} {score.precision:>9.3f}")
    return rows


def _verdicts(con: duckdb.DuckDBPyConnection, prefix: str) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """(creator, platform) -> (verdict, key reason codes)."""
    rows = con.execute(f"""
        select v.creator_id, v.platform, v.verdict,
               coalesce(list(r.reason_code) filter (where r.reason_code is not null), []) as key_reasons
        from {prefix}creator_vetting as v
        left join {prefix}creator_vetting_reasons as r
            on v.creator_id = r.creator_id and v.platform = r.platform and r.is_key_reason
        group by all
    """).fetchall()
    return {(creator, platform): (verdict, set(reasons)) for creator, platform, verdict, reasons in rows}


def _score_verdicts(con: duckdb.DuckDBPyConnection, prefix: str, planted: list[dict]) -> tuple[Score, set[str]]:
    verdicts = _verdicts(con, prefix)
    bad = {p["creator_id"]: p for p in planted if p["case"] in VETTING_REASON}
    # Reasons a creator is called out with, over all of its platforms; "reject" stands for a rejection.
    accused: dict[str, set[str]] = {}
    for (creator, _), (verdict, reasons) in verdicts.items():
        shown = reasons & BAD_ACTOR_REASONS if verdict in ("review", "reject") else set()
        if verdict == "reject":
            shown |= {"reject"}
        if shown:
            accused.setdefault(creator, set()).update(shown)
    cases, missed = [], []
    for case, reason in VETTING_REASON.items():
        of_case = [p for p in bad.values() if p["case"] == case]
        caught = [p for p in of_case if _caught(verdicts.get((p["creator_id"], p["platform"])), reason)]
        missed += [f"{p['creator_id']} ({case} on {p['platform']}: "
                   f"{verdicts.get((p['creator_id'], p['platform']), 'not vetted')})"
                   for p in of_case if p not in caught]
        with_reason = {c for c, shown in accused.items() if reason in shown}
        cases.append(CaseScore(case, reason, len(of_case), len(caught), len(with_reason),
                               sum(1 for c in with_reason if bad.get(c, {}).get("case") == case)))
    false_positives = sorted(f"{c} ({', '.join(sorted(accused[c]))})" for c in set(accused) - set(bad))
    score = Score(cases, len(accused), len(set(accused) & set(bad)), sorted(missed), false_positives)
    rejected = {creator for (creator, _), (verdict, _) in verdicts.items() if verdict == "reject"}
    return score, rejected


def _caught(verdict: tuple[str, set[str]] | None, reason: str) -> bool:
    return verdict is not None and verdict[0] in ("review", "reject") and reason in verdict[1]


def _score_roi(con: duckdb.DuckDBPyConnection, prefix: str, planted: list[dict]) -> Score:
    rows = con.execute(f"""
        select distinct creator_id, 'code_leak_suspected' from {prefix}creator_roi where is_code_leak_suspected
        union all
        select distinct creator_id, 'roi_undefined_zero_cost' from {prefix}creator_roi
        where roi_null_reason like 'zero_cost%'
    """).fetchall()
    flags: dict[str, set[str]] = {}
    for creator, flag in rows:
        flags.setdefault(creator, set()).add(flag)
    bad = {p["creator_id"]: p["case"] for p in planted if p["case"] in ROI_FLAG}
    cases, missed = [], []
    for case, flag in ROI_FLAG.items():
        of_case = [c for c, k in bad.items() if k == case]
        found = [c for c in of_case if flag in flags.get(c, set())]
        missed += [f"{c} ({case})" for c in of_case if c not in found]
        with_flag = {c for c, f in flags.items() if flag in f}
        cases.append(CaseScore(case, flag, len(of_case), len(found), len(with_flag),
                               sum(1 for c in with_flag if bad.get(c) == case)))
    false_positives = sorted(f"{c} ({', '.join(sorted(flags[c]))})" for c in set(flags) - set(bad))
    return Score(cases, len(flags), len(set(flags) & set(bad)), sorted(missed), false_positives)


def _score_budget(con: duckdb.DuckDBPyConnection, prefix: str, cases: list[dict]) -> list[BudgetCase]:
    got = {creator: (recommendation, reason) for creator, recommendation, reason in con.execute(
        f"select creator_id, recommendation, reason from {prefix}budget_recommendations").fetchall()}
    return [BudgetCase(p["creator_id"], p["case"], BUDGET_RECOMMENDATION[p["case"]],
                       *got.get(p["creator_id"], (None, None)))
            for p in cases]


def _score_customer_value(con: duckdb.DuckDBPyConnection, prefix: str, pairs: list[dict]) -> list[CustomerValuePair]:
    got = {creator: (rank, rate) for creator, rank, rate in con.execute(
        f"select creator_id, customer_value_rank, repeat_rate from {prefix}creator_customer_value").fetchall()}
    return [CustomerValuePair(p["loyal_customers"], *got.get(p["loyal_customers"], (None, None)),
                              p["one_off_customers"], *got.get(p["one_off_customers"], (None, None)))
            for p in pairs]


def _score_organic_winners(con: duckdb.DuckDBPyConnection, prefix: str, posts: list[dict]) -> list[WinnerPost]:
    ranks = dict(con.execute(f"select platform || ':' || post_id, organic_winner_rank "
                             f"from {prefix}content_post_performance where is_organic_winner").fetchall())
    return [WinnerPost(p["creator_id"], p["post_id"], ranks.get(f"{p['platform']}:{p['post_id']}")) for p in posts]


def _score_seeding(con: duckdb.DuckDBPyConnection, prefix: str, gifts: list[dict]) -> SeedingScore:
    rows = {contract: rest for contract, *rest in con.execute(f"""
        select s.contract_id, s.creator_id, s.has_posted, s.cost_per_post::double, p.post_rate
        from {prefix}seeding_performance as s
        left join {prefix}seeding_programme as p using (campaign_id)""").fetchall()}
    cases = [SeedingCase(g["contract_id"], g["creator_id"], *rows.get(g["contract_id"], (None, None, None, None))[1:])
             for g in gifts]
    planted = {g["contract_id"] for g in gifts}
    wrong = sorted(f"{creator} ({contract})" for contract, (creator, posted, *_) in rows.items()
                   if posted is False and contract not in planted)
    return SeedingScore(cases, wrong)


def _score_rates(con: duckdb.DuckDBPyConnection, prefix: str, cases: list[dict]) -> list[RateCase]:
    flags = {creator: (got, reason) for creator, got, reason in con.execute(f"""
        select creator_id, string_agg(distinct rate_flag, ', ' order by rate_flag), min(reason)
        from {prefix}rate_fairness group by 1""").fetchall()}
    reviews = {creator: (got, reason) for creator, got, reason in con.execute(f"""
        select creator_id, case when is_rate_review then 'rate_review' else 'no review' end, reason
        from {prefix}rate_review""").fetchall()}
    return [RateCase(p["creator_id"], p["case"],
                     *(reviews if p["case"] == "growing_partner" else flags).get(p["creator_id"], (None, None)))
            for p in cases]


def _score_rewards(con: duckdb.DuckDBPyConnection, prefix: str, planted: list[dict]) -> RewardCheck:
    bad = sorted({p["creator_id"] for p in planted if p["case"] in VETTING_REASON})
    rows = con.execute(f"""
        select creator_id, recommendation, false from {prefix}budget_recommendations
        where list_contains($bad, creator_id)
        union all
        select creator_id, null, is_rate_review from {prefix}rate_review where list_contains($bad, creator_id)""",
                       {"bad": bad}).fetchall() if bad else []
    rewarded = sorted({f"{creator} ({'increase' if recommendation == 'increase' else 'rate review'})"
                       for creator, recommendation, review in rows if recommendation == "increase" or review})
    return RewardCheck(sorted({creator for creator, *_ in rows}), rewarded)


def evaluate(con: duckdb.DuckDBPyConnection, ground_truth: dict, schema: str = "") -> Evaluation:
    prefix = f"{schema}." if schema else ""
    planted = ground_truth["planted_creators"]
    verdicts, rejected = _score_verdicts(con, prefix, planted)
    genuine = set(ground_truth["genuine_creators"])
    return Evaluation(verdicts, _score_roi(con, prefix, planted), sorted(rejected & genuine),
                      _score_budget(con, prefix, ground_truth["budget_cases"]),
                      _score_customer_value(con, prefix, ground_truth["customer_value_cases"]),
                      organic_winners=_score_organic_winners(con, prefix, ground_truth["organic_winners"]),
                      seeding=_score_seeding(con, prefix, ground_truth["gifted_never_posted"]),
                      rates=_score_rates(con, prefix, ground_truth["rate_cases"]),
                      rewards=_score_rewards(con, prefix, planted))


GROUND_TRUTH_KEYS = ("planted_creators", "genuine_creators", "budget_cases", "customer_value_cases", "organic_winners",
                     "gifted_never_posted", "rate_cases")


class OutdatedGroundTruth(ValueError):
    """The sample was written by an older generator: it lacks cases this evaluation scores."""


def evaluate_files(warehouse: Path, ground_truth_path: Path, schema: str = "") -> Evaluation:
    """Evaluate a DuckDB file: the serving file (marts at top level) or a warehouse (``schema="marts"``)."""
    truth = json.loads(ground_truth_path.read_text())
    missing = [key for key in GROUND_TRUTH_KEYS if key not in truth]
    if missing:
        raise OutdatedGroundTruth(
            f"{ground_truth_path} has no {', '.join(missing)}: an older generator wrote it. Generate the sample again "
            "(`pipeline demo`, or `generate --out <landing>` and a pipeline run), then evaluate.")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return evaluate(con, truth, schema)
    finally:
        con.close()
