-- The follower history: one row per platform account and day. Daily tracking snapshots, plus the follower count
-- TikTok scraper exports carry for each video's author (authorMeta.fans) on the day of the scrape, on days the
-- tracking file has no snapshot of that account. Of several scrapes in a day the newest counts.
with tracking as (select * from {{ ref('stg_tracking__follower_snapshots') }}),

scraped as (select * from {{ ref('int_tiktok_scraper_videos') }}),

candidates as (
    select
        platform,
        account_id,
        snapshot_date,
        followers,
        'tracking' as snapshot_source,
        loaded_at,
        1 as priority,
        cast(null as timestamp) as scraped_at,
        cast(null as bigint) as source_row
    from tracking
    union all
    select
        'tiktok',
        account_id,
        cast(scraped_at as date),
        follower_count,
        'tiktok_scraper',
        loaded_at,
        2,
        scraped_at,
        source_row
    from scraped
    where follower_count is not null
)

select
    platform,
    account_id,
    snapshot_date,
    followers,
    snapshot_source,
    loaded_at
from candidates
qualify row_number() over (
    partition by platform, account_id, snapshot_date
    order by priority asc, scraped_at desc, loaded_at desc, source_row desc
) = 1
