"""The vetting and ROI flags find the generator's planted bad actors, and leave genuine creators alone."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from pipeline.evaluate import evaluate


def test_flags_find_every_planted_bad_actor_and_no_genuine_creator(sample_landing: Path, built_warehouse: Path) -> None:
    truth = json.loads((sample_landing / "ground_truth.json").read_text())
    con = duckdb.connect(str(built_warehouse), read_only=True)
    result = evaluate(con, truth, schema="marts")
    con.close()
    print(result.as_text())
    assert result.planted >= 12
    assert result.precision >= 0.95, result.false_positives
    assert result.recall >= 0.95, result.missed
    assert result.case_matched / result.planted >= 0.95, result.missed


def test_viral_spikes_are_explained_not_penalised(sample_landing: Path, built_warehouse: Path) -> None:
    truth = json.loads((sample_landing / "ground_truth.json").read_text())
    con = duckdb.connect(str(built_warehouse), read_only=True)
    explained = {(r[0], str(r[1])) for r in con.execute(
        "select creator_id, observed_on from marts.creator_vetting_reasons "
        "where reason_code = 'follower_spike_explained'"
    ).fetchall()}
    viral_creators = [v["creator_id"] for v in truth["viral_posts"]]
    fails = con.execute("select creator_id from marts.creator_vetting where is_follower_spike_fail").fetchall()
    con.close()
    assert {(v["creator_id"], v["date"]) for v in truth["viral_posts"]} <= explained
    assert not set(viral_creators) & {f[0] for f in fails}


def test_undisclosed_posts_are_listed_as_evidence(sample_landing: Path, built_warehouse: Path) -> None:
    truth = json.loads((sample_landing / "ground_truth.json").read_text())
    con = duckdb.connect(str(built_warehouse), read_only=True)
    evidence = " ".join(r[0] for r in con.execute(
        "select evidence from marts.creator_vetting_reasons where reason_code = 'undisclosed_sponsored_posts'"
    ).fetchall())
    con.close()
    assert all(p["post_id"] in evidence for p in truth["undisclosed_posts"])
