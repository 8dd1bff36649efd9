with source as (select * from {{ source('youtube', 'youtube_channels') }})

select
    channel_id as account_id,
    title as channel_title,
    upper(country) as country_code,
    subscriber_count,
    coalesce(hidden_subscriber_count, false) as is_subscriber_count_hidden,
    view_count,
    video_count,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['channel_id'], 'fetched_at desc, _loaded_at desc') }}
