-- One row per creator and platform account, from the creators template.
with creators as (select * from {{ ref('stg_marketing__creators') }}),

accounts as (
    select
        creator_id,
        'instagram' as platform,
        instagram_user_id as account_id,
        instagram_username as handle
    from creators
    where instagram_user_id is not null
    union all
    -- Without Display API authorisation a creator has no open_id, only a handle: the handle (without '@') is the
    -- account, so scraped videos (int_tiktok_scraper_videos matches them by handle) reach vetting.
    select
        creator_id,
        'tiktok',
        coalesce(tiktok_open_id, {{ trim_leading('tiktok_username', '@') }}),
        tiktok_username
    from creators
    where tiktok_open_id is not null or tiktok_username is not null
    union all
    select
        creator_id,
        'youtube',
        youtube_channel_id,
        youtube_handle
    from creators
    where youtube_channel_id is not null
)

select
    creator_id,
    platform,
    account_id,
    handle
from accounts
