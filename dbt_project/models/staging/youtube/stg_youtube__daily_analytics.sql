with source as (select * from {{ source('youtube', 'youtube_daily_analytics') }})

select
    account_id,
    day as metric_date,
    views,
    likes,
    comments,
    shares,
    subscribers_gained,
    subscribers_lost,
    estimated_minutes_watched,
    average_view_duration_s,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['account_id', 'day'], 'fetched_at desc, _loaded_at desc') }}
