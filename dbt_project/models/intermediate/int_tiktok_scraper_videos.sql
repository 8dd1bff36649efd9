-- Every delivered version of a scraped TikTok video, with the creator account it belongs to and when it was
-- scraped. The author is matched through the creators template by user id (tiktok_open_id), else by handle
-- (tiktok_username), else by a user id the scrapes show under a creator's handle (items without a handle, or under
-- an old handle after a rename); an author matching none keeps its own id (or handle) as account id.
-- Scrape time: Apify names its exports dataset_tiktok-scraper_<YYYY-MM-DD>_<hh-mm-ss>-<ms>; a file named
-- otherwise is taken as scraped when it was loaded.
with scraped as (select * from {{ ref('stg_tiktok__scraper_videos') }}),

accounts as (
    select
        account_id,
        handle
    from {{ ref('int_creator_accounts') }}
    where platform = 'tiktok'
),

handles as (
    -- A handle listed for two accounts matches neither: a guess could credit one creator's posts to another.
    select
        {{ trim_leading('handle', '@') }} as handle,
        any_value(account_id) as account_id
    from accounts
    where handle is not null
    group by {{ trim_leading('handle', '@') }}
    having count(*) = 1
),

named as (
    select
        *,
        regexp_extract({{ file_name('source_file') }}, '([0-9]{4}-[0-9]{2}-[0-9]{2})(_[0-9]{2}-[0-9]{2}-[0-9]{2})?', 0)
            as file_time
    from scraped
),

ids_seen_with_handle as (
    -- A handle-only creator (no open_id) is known by handle alone: the user id her scraped items carry beside it
    -- finds her items that name no handle, or an old one. An id seen under two creators' handles matches neither.
    select
        named.author_id,
        any_value(handles.account_id) as account_id
    from named
    inner join handles on named.username = handles.handle
    where named.author_id is not null
    group by named.author_id
    having count(distinct handles.account_id) = 1
)

select
    named.video_id,
    coalesce(by_id.account_id, handles.account_id, by_seen_id.account_id, named.author_id, named.username)
        as account_id,
    named.author_id,
    named.username,
    named.follower_count,
    named.posted_at,
    named.caption,
    named.view_count,
    named.like_count,
    named.comment_count,
    named.share_count,
    named.save_count,
    coalesce(
        {{ try_strptime('named.file_time', '%Y-%m-%d_%H-%M-%S') }},
        {{ try_strptime('named.file_time', '%Y-%m-%d') }},
        {{ utc_wall_clock('named.loaded_at') }}
    ) as scraped_at,
    named.source_file,
    named.source_row,
    named.loaded_at
from named
left join accounts as by_id on named.author_id = by_id.account_id
left join handles on named.username = handles.handle
left join ids_seen_with_handle as by_seen_id on named.author_id = by_seen_id.author_id
