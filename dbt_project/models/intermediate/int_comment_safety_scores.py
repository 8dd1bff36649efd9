"""Brand-safety signals per sampled comment: VADER sentiment, spam, toxic terms (pipeline/comment_safety.py).

The one per-row Python step of the project: each distinct comment text is scored once in Python, and the scores are
joined back to the comments in DuckDB. No text leaves the warehouse's staging layer: the table holds the scores and
ids only. Incremental: a run scores only the comments loaded since the newest load it has seen, and a re-delivered
comment (edited text) replaces its row.
"""

import pyarrow

from pipeline.comment_safety import score_comment


def model(dbt, session):
    dbt.config(materialized="incremental", unique_key=["platform", "comment_id"],
               incremental_strategy="delete+insert", on_schema_change="fail")
    comments = dbt.ref("stg_tracking__comment_samples")
    if dbt.is_incremental:
        comments = comments.filter(f"loaded_at > (select max(source_loaded_at) from {dbt.this})")
    comments = comments.set_alias("comments")
    texts = [row[0] for row in comments.select("comment_text").distinct().fetchall()]
    signals = [score_comment(text) for text in texts]
    scored = session.from_arrow(pyarrow.table({
        "comment_text": pyarrow.array(texts, pyarrow.string()),
        "sentiment": pyarrow.array([s.sentiment for s in signals], pyarrow.float64()),
        "is_spam": pyarrow.array([s.is_spam for s in signals], pyarrow.bool_()),
        "is_toxic": pyarrow.array([s.is_toxic for s in signals], pyarrow.bool_()),
    })).set_alias("scored")
    return comments.join(scored, "comments.comment_text is not distinct from scored.comment_text").project(
        "comments.platform, comments.post_id, comments.comment_id, comments.commented_at,"
        " scored.sentiment, scored.is_spam, scored.is_toxic, comments.loaded_at as source_loaded_at"
    )
