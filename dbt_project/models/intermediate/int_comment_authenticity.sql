-- Comment classification. A comment is generic when it is emoji-only (no letter or digit), only @mentions,
-- or at most 3 words that all come from the generic-praise lexicon (seed generic_comment_lexicon).
-- One row per post with its generic share.
-- Incremental: a run re-judges only the posts with comments loaded since the last run, each from all its sampled
-- comments, and replaces them by post. A changed lexicon seed needs `dbt build --full-refresh`.
{{ config(materialized='incremental', unique_key=['platform', 'post_id'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by(),
          on_schema_change='fail') }}
with comments as (
    select * from {{ ref('stg_tracking__comment_samples') }}
    {%- if is_incremental() %}
        where {{ key_changed(['platform', 'post_id'],
            'select platform, post_id from ' ~ ref('stg_tracking__comment_samples')
            ~ ' where loaded_at > (select max(source_loaded_at) from ' ~ this ~ ')') }}
    {%- endif %}
),

lexicon as (select {{ list_agg('lower(word)') }} as words from {{ ref('generic_comment_lexicon') }}),

classified as (
    select
        comments.platform,
        comments.post_id,
        comments.comment_id,
        comments.comment_text,
        comments.loaded_at,
        {{ list_where(
            split_text(regex_replace_all("lower(coalesce(comments.comment_text, ''))", '[^a-z0-9 ]', ' '), ' '),
            't', "t <> ''"
        ) }} as words,
        lexicon.words as lexicon_words
    from comments
    cross join lexicon
),

judged as (
    select
        platform,
        post_id,
        comment_id,
        loaded_at,
        case
            when not {{ regex_matches("coalesce(comment_text, '')", '[[:alnum:]]') }} then 'emoji_only'
            when {{ regex_full_match('trim(comment_text)', '(@[A-Za-z0-9_.]+[[:space:]]*)+') }} then 'mentions_only'
            when
                {{ list_length('words') }} between 1 and 3
                and {{ list_length(list_where('words', 't', 'not ' ~ list_has('lexicon_words', 't'))) }} = 0
                then 'generic_praise'
        end as generic_kind
    from classified
)

select
    platform,
    post_id,
    count(*) as sampled_comments,
    count(generic_kind) as generic_comments,
    count(generic_kind) / count(*) as generic_share,
    max(loaded_at) as source_loaded_at
{{ key_bucket_column(['platform', 'post_id']) }}
from judged
group by 1, 2
