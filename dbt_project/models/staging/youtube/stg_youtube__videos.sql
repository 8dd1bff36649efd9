with source as (select * from {{ source('youtube', 'youtube_videos') }})

select
    video_id,
    channel_id as account_id,
    posted_at,
    title,
    description as caption,
    view_count,
    like_count,
    comment_count,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['video_id'], 'fetched_at desc, _loaded_at desc') }}
