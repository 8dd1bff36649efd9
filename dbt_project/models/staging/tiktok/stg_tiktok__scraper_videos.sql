-- Every delivered version of a scraped video (no newest-wins here): each scrape also records the author's follower
-- count on its day, which the follower history keeps (int_follower_snapshots).
with source as (select * from {{ source('tiktok', 'tiktok_scraper_videos') }})

select
    video_id,
    author_id,
    lower({{ trim_leading('username', '@') }}) as username,
    follower_count,
    posted_at,
    description as caption,
    view_count,
    like_count,
    comment_count,
    share_count,
    save_count,
    _source_file as source_file,
    _source_row as source_row,
    _loaded_at as loaded_at
from source
