with source as (select * from {{ source('tiktok', 'tiktok_users') }})

select
    account_id,
    lower(username) as username,
    follower_count,
    following_count,
    likes_count,
    video_count,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['account_id'], 'fetched_at desc, _loaded_at desc') }}
