-- One row per account, metric and day (the API's daily values list unnested); newest fetch wins.
-- Deprecated metric names are renamed through the seed instagram_metric_names (impressions -> views); when one
-- fetch holds both names for a day, the current name wins.
with source as (select * from {{ source('instagram', 'instagram_account_insights') }}),

names as (select * from {{ ref('instagram_metric_names') }}),

daily as (
    select
        source.account_id,
        coalesce(names.current_name, source.metric_name) as metric_name,
        source.metric_name as reported_metric_name,
        source.metric_period,
        {{ unnest_json_array('source.daily_values') }} as daily_value,
        source.fetched_at,
        source._loaded_at
    from source
    left join names on source.metric_name = names.reported_name
)

select
    account_id,
    metric_name,
    reported_metric_name,
    metric_period,
    cast({{ try_utc_timestamp(json_text('daily_value', '$.end_time')) }} as date) as metric_date,
    try_cast({{ json_text('daily_value', '$.value') }} as bigint) as metric_value,
    fetched_at,
    _loaded_at as loaded_at
from daily
{{ newest_per_key(['account_id', 'metric_name', 'metric_date'],
    'fetched_at desc, (metric_name = reported_metric_name) desc, _loaded_at desc') }}
