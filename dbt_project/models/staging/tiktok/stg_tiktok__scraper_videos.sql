with source as (select * from {{ source('tiktok', 'tiktok_scraper_videos') }})

select
    video_id,
    lower(username) as username,
    follower_count,
    posted_at,
    description as caption,
    view_count,
    like_count,
    comment_count,
    share_count,
    save_count,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['video_id'], '_loaded_at desc') }}
