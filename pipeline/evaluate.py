"""Score the marts against the generator's ground truth (``ground_truth.json``). Used by the tests, by
``pipeline evaluate`` and by ``pipeline benchmark dbt``.

Vetting is scored on the verdict, not on flags: a planted bad actor is caught when its verdict on its platform is
``review`` or ``reject`` and the matching reason is among its key reasons. A creator is "called out" when any of its
platforms is rejected, or sent to review with a bad-actor reason among its key reasons; a review that only asks for
missing data accuses nobody. Verdict precision = called-out creators that are planted vetting bad actors / all
called-out creators. The ROI cases (leaked codes, zero-cost gifting) are flags in ``creator_roi`` and are scored as
flags. The budget cases (a consistent top performer, a declining one, one with too few recent orders) are scored on
the recommendation each gets in ``budget_recommendations``.
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
class Evaluation:
    verdicts: Score
    roi_flags: Score
    genuine_rejected: list[str]
    budget: list[BudgetCase]

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
                 f"budget cases right {sum(b.found for b in self.budget)} of {len(self.budget)}"]
        return "\n".join(lines)


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


def evaluate(con: duckdb.DuckDBPyConnection, ground_truth: dict, schema: str = "") -> Evaluation:
    prefix = f"{schema}." if schema else ""
    planted = ground_truth["planted_creators"]
    verdicts, rejected = _score_verdicts(con, prefix, planted)
    genuine = set(ground_truth["genuine_creators"])
    return Evaluation(verdicts, _score_roi(con, prefix, planted), sorted(rejected & genuine),
                      _score_budget(con, prefix, ground_truth["budget_cases"]))


def evaluate_files(warehouse: Path, ground_truth_path: Path, schema: str = "") -> Evaluation:
    """Evaluate a DuckDB file: the serving file (marts at top level) or a warehouse (``schema="marts"``)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return evaluate(con, json.loads(ground_truth_path.read_text()), schema)
    finally:
        con.close()
