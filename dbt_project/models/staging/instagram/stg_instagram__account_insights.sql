-- One row per account, metric and day (the API's daily values list unnested); newest fetch wins.
with source as (select * from {{ source('instagram', 'instagram_account_insights') }}),

daily as (
    select
        account_id,
        metric_name,
        metric_period,
        unnest(json_extract(daily_values, '$[*]')) as daily_value,
        fetched_at,
        _loaded_at
    from source
)

select
    account_id,
    metric_name,
    metric_period,
    cast(timezone('UTC', try_cast(daily_value ->> '$.end_time' as timestamptz)) as date) as metric_date,
    try_cast(daily_value ->> '$.value' as bigint) as metric_value,
    fetched_at,
    _loaded_at as loaded_at
from daily
{{ newest_per_key(['account_id', 'metric_name', 'metric_date'], 'fetched_at desc, _loaded_at desc') }}
