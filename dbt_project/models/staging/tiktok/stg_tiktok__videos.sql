with source as (select * from {{ source('tiktok', 'tiktok_videos') }})

select
    video_id,
    account_id,
    posted_at,
    description as caption,
    duration_s,
    view_count,
    like_count,
    comment_count,
    share_count,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['video_id'], 'fetched_at desc, _loaded_at desc') }}
