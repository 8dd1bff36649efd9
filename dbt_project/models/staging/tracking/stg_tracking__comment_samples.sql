-- Incremental (the newest version per comment is a window over all history): a run rebuilds the comments loaded
-- since the last one, from all their deliveries, and replaces them.
{{ config(materialized='incremental', unique_key=['platform', 'comment_id'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by(),
          on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
with source as (
    select * from {{ source('tracking', 'comment_samples') }}
    {{ where_key_changed(source('tracking', 'comment_samples'), ['platform', 'comment_id']) }}
)

select
    platform,
    comment_id,
    post_id,
    commented_at,
    comment_text,
    _loaded_at as loaded_at
{{ key_bucket_column(['platform', 'comment_id']) }}
from source
{{ newest_per_key(['platform', 'comment_id'], '_loaded_at desc, _source_row desc') }}
