with source as (select * from {{ source('marketing', 'creators') }})

select
    creator_id,
    creator_name,
    upper(home_country) as home_country,
    lower(instagram_username) as instagram_username,
    instagram_user_id,
    lower(tiktok_username) as tiktok_username,
    tiktok_open_id,
    lower(youtube_handle) as youtube_handle,
    youtube_channel_id,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['creator_id'], '_loaded_at desc, _source_row desc') }}
