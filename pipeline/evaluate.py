"""Score the marts against the generator's ground truth: does vetting (and ROI) flag every planted bad actor,
and no genuine creator? Used by the tests and by ``pipeline evaluate``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

# The finding each planted case must produce.
EXPECTED_FLAG = {
    "bought_followers": "follower_spike_unexplained",
    "engagement_pod": "generic_comments_creator",
    "never_discloses": "undisclosed_sponsored_posts",
    "audience_outside_target": "audience_outside_target",
    "leaked_code": "code_leak_suspected",
    "zero_cost_gifting": "roi_undefined_zero_cost",
}
BAD_ACTOR_FLAGS = frozenset(EXPECTED_FLAG.values()) | {"follower_dump", "low_engagement"}


@dataclass(frozen=True)
class Evaluation:
    planted: int
    flagged: int
    true_positives: int
    case_matched: int
    precision: float
    recall: float
    missed: list[str]
    false_positives: list[str]

    def as_text(self) -> str:
        return (f"planted bad actors: {self.planted}, creators flagged: {self.flagged}, correctly flagged: "
                f"{self.true_positives} (with the expected finding: {self.case_matched})\n"
                f"precision {self.precision:.3f}, recall {self.recall:.3f}\n"
                f"missed: {self.missed or 'none'}\nfalse positives: {self.false_positives or 'none'}")


def creator_flags(con: duckdb.DuckDBPyConnection, schema: str = "") -> dict[str, set[str]]:
    """Bad-actor findings per creator, from the vetting reasons and the ROI mart."""
    prefix = f"{schema}." if schema else ""
    rows = con.execute(f"""
        select creator_id, reason_code from {prefix}creator_vetting_reasons
        union all
        select creator_id, 'code_leak_suspected' from {prefix}creator_roi where is_code_leak_suspected
        union all
        select creator_id, 'roi_undefined_zero_cost' from {prefix}creator_roi where roi_null_reason like 'zero_cost%'
    """).fetchall()
    flags: dict[str, set[str]] = {}
    for creator, flag in rows:
        if flag in BAD_ACTOR_FLAGS:
            flags.setdefault(creator, set()).add(flag)
    return flags


def evaluate(con: duckdb.DuckDBPyConnection, ground_truth: dict, schema: str = "") -> Evaluation:
    bad = {p["creator_id"]: p["case"] for p in ground_truth["planted_creators"] if p["case"] in EXPECTED_FLAG}
    flags = creator_flags(con, schema)
    flagged = set(flags)
    hits = flagged & set(bad)
    matched = {c for c in hits if EXPECTED_FLAG[bad[c]] in flags[c]}
    return Evaluation(
        planted=len(bad), flagged=len(flagged), true_positives=len(hits), case_matched=len(matched),
        precision=len(hits) / len(flagged) if flagged else 1.0,
        recall=len(hits) / len(bad) if bad else 1.0,
        missed=sorted(f"{c} ({bad[c]})" for c in set(bad) - matched),
        false_positives=sorted(f"{c} ({', '.join(sorted(flags[c]))})" for c in flagged - set(bad)),
    )


def evaluate_files(serving: Path, ground_truth_path: Path) -> Evaluation:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return evaluate(con, json.loads(ground_truth_path.read_text()))
    finally:
        con.close()
