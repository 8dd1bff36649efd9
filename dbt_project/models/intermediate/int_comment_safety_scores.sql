-- Brand-safety signals per sampled comment: the scores ingest computed once per distinct text
-- (ingest/comment_scores.py, pipeline/comment_safety.py), joined by the text's key. Incremental: the comments loaded
-- since the newest load this table has taken; a re-delivered comment (edited text) replaces its row.
{{ config(materialized='incremental', unique_key=['platform', 'comment_id'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by(), on_schema_change='fail') }}
with comments as (
    select * from {{ ref('stg_tracking__comment_samples') }}
    {%- if is_incremental() %}
    {%- set loaded_since = 'loaded_at > (select max(source_loaded_at) from ' ~ this ~ ')' %}
    {%- if target.type == 'spark' %}
    where {{ key_changed(['platform', 'comment_id'],
        'select platform, comment_id from ' ~ ref('stg_tracking__comment_samples') ~ ' where ' ~ loaded_since) }}
    {%- else %}
    where {{ loaded_since }}
    {%- endif %}
    {%- endif %}
)

select
    comments.platform,
    comments.post_id,
    comments.comment_id,
    comments.commented_at,
    scores.sentiment,
    scores.is_spam,
    scores.is_toxic,
    comments.loaded_at as source_loaded_at
{{ key_bucket_column(['comments.platform', 'comments.comment_id']) }}
from comments
-- A left join: a comment without a score fails the not_null tests (named there), it is not silently left out.
left join {{ ref('stg_tracking__comment_scores') }} as scores
    on scores.text_sha256 = {{ text_sha256('comments.comment_text') }}
