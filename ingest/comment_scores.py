"""Brand-safety scores of the sampled comments (pipeline/comment_safety.py), computed at ingest, once per distinct text.

dbt joins them to the comments (int_comment_safety_scores), so the dbt project has no Python model and builds on
Spark too (issue 17). raw.comment_scores holds a key derived from the text (its sha256, hex) and the scores, never the
text. ``score_unscored_texts`` runs inside a comment batch's transaction (a crash leaves neither the batch nor its
scores), and at the start of every ingest run, which scores a warehouse loaded before the scores existed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow

from pipeline.comment_safety import score_comment

SCORED_SOURCE = "comment_samples"
COMMENTS_TABLE = "raw.comment_samples"
SCORES_TABLE = "raw.comment_scores"
# A missing text scores as an empty one (score_comment), so both share the empty text's key. dbt derives the same
# key with the macro text_sha256 (macros/portable_hash.sql).
TEXT_KEY = "sha256(coalesce({}, ''))"


def ensure_scores_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create table if not exists {SCORES_TABLE} (text_sha256 varchar primary key, sentiment double "
                "not null, is_spam boolean not null, is_toxic boolean not null, scored_at timestamptz not null)")


def score_unscored_texts(con: duckdb.DuckDBPyConnection) -> int:
    """Score every distinct comment text in raw that has no score yet; returns how many were scored. Runs in the
    caller's transaction when there is one: the scores commit (or roll back) with the batch."""
    ensure_scores_table(con)
    texts = con.execute(
        f"select distinct c.comment_text from {COMMENTS_TABLE} c anti join {SCORES_TABLE} s "
        f"on s.text_sha256 = {TEXT_KEY.format('c.comment_text')}").fetchall()
    if not texts:
        return 0
    signals = [score_comment(text) for (text,) in texts]  # the one per-row step: VADER and the spam/toxic checks
    scored = pyarrow.table({
        "comment_text": pyarrow.array([text for (text,) in texts], pyarrow.string()),
        "sentiment": pyarrow.array([s.sentiment for s in signals], pyarrow.float64()),
        "is_spam": pyarrow.array([s.is_spam for s in signals], pyarrow.bool_()),
        "is_toxic": pyarrow.array([s.is_toxic for s in signals], pyarrow.bool_()),
    })
    # A missing text and an empty one share a key: one row for both. The text itself is not stored.
    con.register("_comment_scores", scored)
    try:
        con.execute(f"insert into {SCORES_TABLE} select distinct on (key) {TEXT_KEY.format('comment_text')} as key, "
                    "sentiment, is_spam, is_toxic, ? from _comment_scores", [datetime.now(UTC)])
    finally:
        con.unregister("_comment_scores")
    return len(texts)


def heal(con: duckdb.DuckDBPyConnection) -> int:
    """Score, in one transaction of its own, the texts a warehouse loaded before this step existed has unscored."""
    con.execute("begin transaction")
    try:
        scored = score_unscored_texts(con)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return scored
