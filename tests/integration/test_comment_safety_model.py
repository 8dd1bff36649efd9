"""The dbt Python model int_comment_safety_scores, run by real dbt on the scale-S sample: a daily run scores only the
comments loaded since the last one, a re-delivered comment whose text was edited is scored again, the batch table a
run (or a failed earlier run) leaves in the main schema is dropped, and the result equals a full refresh."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import duckdb

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY

SCORES = "intermediate.int_comment_safety_scores"
LEFTOVER = "int_comment_safety_scores__dbt_tmp20260101000000000000"


def _scores(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * exclude (source_loaded_at) from {SCORES} order by all").fetchall()


def test_a_daily_run_scores_new_and_edited_comments_and_equals_a_full_refresh(loaded_warehouse: Path,
                                                                              sample_landing: Path,
                                                                              tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    select = ("--select", "+int_comment_safety_scores")
    run_dbt(settings, "run", *select)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute(f"select count(*) from {SCORES}").fetchall()[0][0]
    # The fault: a re-delivery that turns a friendly comment hostile (the moderator's export after an edit), and a
    # batch table left in main by an earlier run that died.
    with sample_landing.joinpath("comments", "comment_samples.csv").open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    landing = tmp_path / "landing"
    (landing / "comments").mkdir(parents=True)
    with (landing / "comments" / "comment_samples_edited.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first))
        writer.writeheader()
        writer.writerow(first | {"text": "wtf is this sh1t, total SCAM 👎"})
    load_with_results(["comment_samples"], landing, warehouse, PII_TEST_KEY)
    assert run_raw_gate(warehouse, tmp_path / "quality", "test") == []
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"create table main.{LEFTOVER} as select 1 as x")

    run_dbt(settings, "run", *select)

    incremental = _scores(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        edited = con.execute(f"select sentiment, is_toxic from {SCORES} where platform = ? and comment_id = ?",
                             [first["platform"], first["comment_id"]]).fetchall()
        batches = con.execute("select table_name from information_schema.tables where table_schema = 'main' "
                              "and table_name like 'int_comment_safety_scores%'").fetchall()
    assert len(incremental) == before, "the edited comment replaces its row"
    assert edited[0][0] < -0.05 and edited[0][1], edited
    assert batches == [], "no batch table is left behind"
    run_dbt(settings, "run", *select, "--full-refresh")
    assert _scores(warehouse) == incremental
