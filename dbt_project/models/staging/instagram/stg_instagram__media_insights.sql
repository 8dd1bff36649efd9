-- Deprecated metric names are renamed to their current names (seed instagram_metric_names).
-- When one fetch holds both names for a metric, the current name wins.
-- Incremental (the newest value per metric is a window over all history): a run rebuilds the media with insights
-- loaded since the last one, from all their fetches, and replaces them by media_id. A changed
-- instagram_metric_names seed needs `dbt build --full-refresh`.
{{ config(materialized='incremental', unique_key='media_id', incremental_strategy=incremental_strategy(),
          partition_by=spark_partition_by(), on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
with source as (
    select * from {{ source('instagram', 'instagram_media_insights') }}
    {{ where_key_changed(source('instagram', 'instagram_media_insights'), ['media_id']) }}
),

names as (select * from {{ ref('instagram_metric_names') }}),

renamed as (
    select
        source.media_id,
        source.account_id,
        coalesce(names.current_name, source.metric_name) as metric_name,
        source.metric_name as reported_metric_name,
        source.metric_value,
        source.fetched_at,
        source._loaded_at
    from source
    left join names on source.metric_name = names.reported_name
)

select
    media_id,
    account_id,
    metric_name,
    reported_metric_name,
    metric_value,
    fetched_at,
    _loaded_at as loaded_at
{{ key_bucket_column(['media_id']) }}
from renamed
{{ newest_per_key(['media_id', 'metric_name'],
    'fetched_at desc, (metric_name = reported_metric_name) desc, _loaded_at desc') }}
