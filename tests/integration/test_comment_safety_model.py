"""Comments scored at ingest (ingest/comment_scores.py) and joined by the SQL model int_comment_safety_scores, run by
real ingest and real dbt on the scale-S sample: a new comment batch is scored once, in its own transaction (a load
killed while scoring leaves neither comments nor scores), a text seen before is not scored again, a warehouse loaded
before scores existed gets them from the next ingest run, a re-delivered comment replaces its row, and the
incremental run equals a full refresh."""

from __future__ import annotations

import csv
import dataclasses
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY

SCORES = "intermediate.int_comment_safety_scores"
# The fault: the loading process is killed (SIGKILL) while it scores the batch's texts, after the batch's insert.
KILLED_WHILE_SCORING = (
    "import os, signal, sys; from pathlib import Path; import ingest.comment_scores as scores;"
    "from ingest.runs import load_with_results;"
    "scores.score_comment = lambda text: os.kill(os.getpid(), signal.SIGKILL);"
    "load_with_results(['comment_samples'], Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])")


def _scores(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select * exclude (source_loaded_at) from {SCORES} order by all").fetchall()


def _raw_scores(warehouse: Path) -> dict[str, tuple]:
    """raw.comment_scores by text key: (sentiment, is_spam, is_toxic, scored_at)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {key: rest for key, *rest in con.execute("select text_sha256, sentiment, is_spam, is_toxic, "
                                                         "scored_at from raw.comment_scores").fetchall()}


def _copy(loaded_warehouse: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    return warehouse


def _deliver(sample_landing: Path, landing: Path, name: str, rows: list[dict[str, str]]) -> None:
    """A comment export holding ``rows`` (each the sample's first comment with some columns changed)."""
    with sample_landing.joinpath("comments", "comment_samples.csv").open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    (landing / "comments").mkdir(parents=True, exist_ok=True)
    with (landing / "comments" / name).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first))
        writer.writeheader()
        writer.writerows(first | row for row in rows)


def test_every_loaded_text_is_scored_once_and_no_text_is_stored(loaded_warehouse: Path, sample_landing: Path,
                                                                 tmp_path: Path) -> None:
    warehouse = _copy(loaded_warehouse, tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        texts = con.execute("select count(distinct sha256(coalesce(comment_text, ''))) from raw.comment_samples"
                            ).fetchall()[0][0]
        columns = [c for (c,) in con.execute("select column_name from information_schema.columns where "
                                             "table_schema = 'raw' and table_name = 'comment_scores'").fetchall()]
    before = _raw_scores(warehouse)
    assert texts > 100 and len(before) == texts, "every distinct text has one score"
    assert "comment_text" not in columns

    landing = tmp_path / "landing"
    _deliver(sample_landing, landing, "comment_samples_new.csv",
             [{"comment_id": "new-1", "text": "DM me for free followers 🤡"},  # a new text
              {"comment_id": "new-2"}])  # the first comment's text: scored before
    load_with_results(["comment_samples"], landing, warehouse, PII_TEST_KEY)
    load_with_results(["comment_samples"], landing, warehouse, PII_TEST_KEY)  # the same file again: nothing changes

    after = _raw_scores(warehouse)
    new = {key: value for key, value in after.items() if key not in before}
    assert len(new) == 1 and list(new.values())[0][1:3] == [True, False], new  # spam, not toxic
    assert {key: after[key] for key in before} == before, "a text seen before is not scored again"


def test_a_warehouse_loaded_before_scoring_gets_its_scores_from_the_next_ingest_run(loaded_warehouse: Path,
                                                                                    tmp_path: Path) -> None:
    warehouse = _copy(loaded_warehouse, tmp_path)
    expected = {key: value[:3] for key, value in _raw_scores(warehouse).items()}
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table raw.comment_scores")  # as before this change
    (tmp_path / "landing").mkdir()

    load_with_results(["comment_samples"], tmp_path / "landing", warehouse, PII_TEST_KEY)  # nothing new delivered

    assert {key: value[:3] for key, value in _raw_scores(warehouse).items()} == expected


def test_a_load_killed_while_scoring_leaves_neither_comments_nor_scores(loaded_warehouse: Path,
                                                                        sample_landing: Path,
                                                                        tmp_path: Path) -> None:
    warehouse = _copy(loaded_warehouse, tmp_path)
    landing = tmp_path / "landing"
    _deliver(sample_landing, landing, "comment_samples_new.csv",
             [{"comment_id": "new-1", "text": "a text never seen before, killed while scored"}])
    before = _raw_scores(warehouse)

    proc = subprocess.run([sys.executable, "-c", KILLED_WHILE_SCORING, str(landing), str(warehouse), PII_TEST_KEY],
                          check=False)

    assert proc.returncode == -signal.SIGKILL
    with duckdb.connect(str(warehouse), read_only=True) as con:
        batches = con.execute("select count(*) from raw.load_manifest where file_name = 'comment_samples_new.csv'"
                              ).fetchall()[0][0]
        comments = con.execute("select count(*) from raw.comment_samples where comment_id = 'new-1'").fetchall()[0][0]
    assert (batches, comments) == (0, 0), "no part of the killed batch is committed"
    assert _raw_scores(warehouse) == before, "no score of the killed batch is committed"
    # The next run loads the file whole, with its score.
    load_with_results(["comment_samples"], landing, warehouse, PII_TEST_KEY)
    assert len(_raw_scores(warehouse)) == len(before) + 1


@pytest.mark.slow  # three dbt runs on data of its own (~50 s): the slow tier, which CI runs too
def test_a_daily_run_takes_new_and_edited_comments_and_equals_a_full_refresh(loaded_warehouse: Path,
                                                                             sample_landing: Path,
                                                                             tmp_path: Path) -> None:
    warehouse = _copy(loaded_warehouse, tmp_path)
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    select = ("--select", "+int_comment_safety_scores")
    run_dbt(settings, "run", *select)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        before = con.execute(f"select count(*) from {SCORES}").fetchall()[0][0]
    # The fault: a re-delivery that turns a friendly comment hostile (the moderator's export after an edit).
    landing = tmp_path / "landing"
    _deliver(sample_landing, landing, "comment_samples_edited.csv", [{"text": "wtf is this sh1t, total SCAM 👎"}])
    load_with_results(["comment_samples"], landing, warehouse, PII_TEST_KEY)
    assert run_raw_gate(warehouse, tmp_path / "quality", "test") == []

    run_dbt(settings, "run", *select)

    incremental = _scores(warehouse)
    with sample_landing.joinpath("comments", "comment_samples.csv").open(encoding="utf-8", newline="") as fh:
        first = next(csv.DictReader(fh))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        edited = con.execute(f"select sentiment, is_toxic from {SCORES} where platform = ? and comment_id = ?",
                             [first["platform"], first["comment_id"]]).fetchall()
    assert len(incremental) == before, "the edited comment replaces its row"
    assert edited[0][0] < -0.05 and edited[0][1], edited
    run_dbt(settings, "run", *select, "--full-refresh")
    assert _scores(warehouse) == incremental
