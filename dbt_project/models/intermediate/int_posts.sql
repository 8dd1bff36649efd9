-- One row per post on any platform, with its creator, engagement counts and followers at post time.
-- Incremental: a run rebuilds the posts whose own rows were loaded since the last run, and the posts a newer load of
-- something else changes: the posts of the day of a follower snapshot loaded since and of the day after (followers at
-- post time: the previous day's snapshot, else the same day's); the posts with neither snapshot of an account whose
-- profile or any snapshot was loaded since (they take its current follower count); every post of a creator whose row
-- of the creators template was (an account added to or taken from a creator changes who the post is credited to);
-- and every scraped TikTok video when any row of it was (its author is matched through the creators' handles).
{{ config(materialized='incremental', unique_key=['platform', 'post_id'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by(),
          on_schema_change='fail') }}
{#- Handles may hold dots and underscores; a dot matched as itself ([.]), never as any character. #}
{%- set handles = var('brand_handles') | map('lower') | map('replace', '.', '[.]') | join('|') %}
{%- set brand_pattern = '(^|[^a-z0-9_.@])@(' ~ handles ~ ')([^a-z0-9_.]|[.]([^a-z0-9_]|$)|$)'
                        ~ '|(^|[^a-z0-9_#])#(' ~ handles ~ ')([^a-z0-9_]|$)' %}
with source_loads as (
    -- Every input with its load time and what a newer load of it changes: a post, an account's follower snapshot of a
    -- day, an account's profile, or a creator's accounts. The incremental filter and the watermark both come from here.
    select
        'instagram' as platform,
        media_id as post_id,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast(null as date) as snapshot_date,
        cast(null as {{ dbt.type_string() }}) as creator_id,
        loaded_at
    from {{ ref('stg_instagram__media') }}
    union all
    select
        'instagram' as platform,
        media_id as post_id,
        null as account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_instagram__media_insights') }}
    union all
    select
        'instagram' as platform,
        post_id,
        null as account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_instagram__post_exports') }}
    union all
    select
        'tiktok' as platform,
        video_id as post_id,
        null as account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_tiktok__videos') }}
    union all
    select
        'tiktok' as platform,
        video_id as post_id,
        null as account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('int_tiktok_scraper_videos') }}
    union all
    select
        'youtube' as platform,
        video_id as post_id,
        null as account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_youtube__videos') }}
    union all
    select
        platform,
        null as post_id,
        account_id,
        snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('int_follower_snapshots') }}
    union all
    select
        'instagram' as platform,
        null as post_id,
        account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_instagram__users') }}
    union all
    select
        'tiktok' as platform,
        null as post_id,
        account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_tiktok__users') }}
    union all
    select
        'youtube' as platform,
        null as post_id,
        account_id,
        null as snapshot_date,
        null as creator_id,
        loaded_at
    from {{ ref('stg_youtube__channels') }}
    union all
    select
        null as platform,
        null as post_id,
        null as account_id,
        null as snapshot_date,
        creator_id,
        loaded_at
    from {{ ref('stg_marketing__creators') }}
),

newest_load as (
    -- The high-water mark this run has seen, stored on every row it writes.
    select max(loaded_at) as loaded_at from source_loads
),
{%- if is_incremental() %}

changed as (
    select * from source_loads
    -- An empty table (no account with two consecutive days yet) has no watermark: everything is new.
    where loaded_at > (
        select coalesce(max(source_loaded_at), {{ before_any_load() }}) from {{ this }}
    )
),

changed_snapshot_days as (
    -- A snapshot sets followers at post time for the posts of its day and of the next.
    select platform, account_id, snapshot_date as posted_date from changed
    where snapshot_date is not null
    union
    select platform, account_id, cast(snapshot_date + interval '1 day' as date) from changed
    where snapshot_date is not null
),

changed_creators as (select distinct creator_id from changed where creator_id is not null),

changed_keys as (
    -- The posts to rebuild, each test an equi-join (an OR of them would scan every built post against every
    -- snapshot). Posts already built are found by the account, day and creator stored with them; a new post, or
    -- one whose account or time changed, has a row of its own loaded since.
    select platform, post_id from changed
    where post_id is not null
    union
    select built.platform, built.post_id
    from {{ this }} as built
    inner join changed_snapshot_days as changed_days
        on
            built.platform = changed_days.platform and built.account_id = changed_days.account_id
            and built.posted_date = changed_days.posted_date
    union
    -- posts with neither snapshot take the account's current follower count (int_creator_profiles: its profile, else
    -- its newest snapshot), or have none yet, which a profile or any snapshot loaded since may change. Read from the
    -- basis stored with each post: looking both snapshots up again joined every built post of those accounts to the
    -- snapshots twice (DuckDB planned ~49M rows for it at scale L, where a daily delivery changes every account). A
    -- snapshot that arrives later rebuilds its days' posts above.
    select built.platform, built.post_id
    from {{ this }} as built
    inner join (
        select distinct platform, account_id from changed
        where post_id is null and account_id is not null
    ) as changed_profiles
        on built.platform = changed_profiles.platform and built.account_id = changed_profiles.account_id
    where built.followers_at_post_basis = 'current_count' or built.followers_at_post_basis is null
    union
    -- credited to a changed creator until now, or from now on
    select built.platform, built.post_id
    from {{ this }} as built
    where built.creator_id in (select creator_id from changed_creators)
    union
    select built.platform, built.post_id
    from {{ this }} as built
    inner join {{ ref('int_creator_accounts') }} as accounts
        on built.platform = accounts.platform and built.account_id = accounts.account_id
    where accounts.creator_id in (select creator_id from changed_creators)
    union
    -- a scraped TikTok video: its author is matched to an account through every creator's handles (a handle listed
    -- for two accounts matches neither), so any change to the template may move it
    select
        'tiktok' as platform,
        video_id as post_id
    from {{ ref('int_tiktok_scraper_videos') }}
    where (select count(*) from changed_creators) > 0
),
{%- endif %}

ig_media as (
    -- A story delivered on a media page is not a post (no likes, no caption): stories are scored on their own
    -- (int_instagram_stories).
    select * from {{ ref('stg_instagram__media') }}
    where media_product_type is distinct from 'STORY'
),

ig_insights as (
    select
        media_id,
        max(case when metric_name = 'reach' then metric_value end) as reach,
        max(case when metric_name = 'views' then metric_value end) as views,
        max(case when metric_name = 'saved' then metric_value end) as saves,
        max(case when metric_name = 'shares' then metric_value end) as shares
    from {{ ref('stg_instagram__media_insights') }}
    group by media_id
),

tiktok as (select * from {{ ref('stg_tiktok__videos') }}),

tiktok_scraped as (
    -- The newest scrape of each video the Display API did not deliver: API counts are exact (a scraper shows
    -- 1.4M), so a video in both is the API's.
    select *
    from {{ ref('int_tiktok_scraper_videos') }}
    where video_id not in (select video_id from tiktok)
    qualify row_number() over (
        partition by video_id order by scraped_at desc, loaded_at desc, source_row desc
    ) = 1
),

youtube as (select * from {{ ref('stg_youtube__videos') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

snapshots as (select * from {{ ref('int_follower_snapshots') }}),

current_followers as (select * from {{ ref('int_creator_profiles') }}),

posts as (
    select
        'instagram' as platform,
        m.media_id as post_id,
        m.account_id,
        m.posted_at,
        m.caption,
        m.media_product_type = 'REELS' as is_video,
        m.like_count as likes,
        m.comments_count as comments,
        i.shares,
        i.saves,
        i.views,
        i.reach,
        m.media_product_type || '/' || m.media_type as media_kind,
        m.permalink
    from ig_media as m
    left join ig_insights as i on m.media_id = i.media_id
    union all
    -- Posts known only from a Meta Business Suite export: for a post in both, the API's media and insights win.
    select
        'instagram',
        post_id,
        account_id,
        posted_at,
        caption,
        {{ instagram_export_is_reel('post_type') }},
        likes,
        comments,
        shares,
        saves,
        views,
        reach,
        'export/' || post_type,
        permalink
    from {{ ref('stg_instagram__post_exports') }}
    where post_id not in (select media_id from ig_media)
    union all
    select
        'tiktok',
        video_id,
        account_id,
        posted_at,
        caption,
        true,
        like_count,
        comment_count,
        share_count,
        null,
        view_count,
        null,
        'video',
        null
    from tiktok
    union all
    select
        'tiktok',
        video_id,
        account_id,
        posted_at,
        caption,
        true,
        like_count,
        comment_count,
        share_count,
        save_count,
        view_count,
        null,
        'video',
        null
    from tiktok_scraped
    union all
    select
        'youtube',
        video_id,
        account_id,
        posted_at,
        caption,
        true,
        like_count,
        comment_count,
        null,
        null,
        view_count,
        null,
        -- The Data API has no Short flag: creators tag Shorts #shorts (or #short) in the title or description.
        case
            when
                {{ regex_matches(
                    "lower(coalesce(title, '') || ' ' || coalesce(caption, ''))", '#shorts?\\b'
                ) }}
                then 'short'
            else 'video'
        end,
        null
    from youtube
)

select
    posts.platform,
    posts.post_id,
    posts.account_id,
    accounts.creator_id,
    posts.posted_at,
    cast(posts.posted_at as date) as posted_date,
    posts.caption,
    posts.is_video,
    posts.likes,
    posts.comments,
    posts.shares,
    posts.saves,
    posts.views,
    posts.reach,
    posts.media_kind,
    posts.permalink,
    -- Followers at post time: the previous day's snapshot, else the same day's, else today's count.
    coalesce(prev_day.followers, same_day.followers, current_followers.followers) as followers_at_post,
    case
        when prev_day.followers is not null then 'previous_day_snapshot'
        when same_day.followers is not null then 'same_day_snapshot'
        when current_followers.followers is not null then 'current_count'
    end as followers_at_post_basis,
    -- Sponsored: the caption tags a brand handle (@lumenandco) or uses it as a hashtag (#lumenandco), as whole words
    -- the way int_competitor_sponsored_posts matches competitors: "@lumenandco." ends a sentence, while
    -- "@lumenandco.fans", "@lumenandcofan" and "#lumenandcoglow" are other accounts and tags.
    {{ regex_matches('lower(posts.caption)', brand_pattern) }} as is_sponsored,
    (select loaded_at from newest_load) as source_loaded_at
{{ key_bucket_column(['posts.platform', 'posts.post_id']) }}
from posts
left join accounts on posts.platform = accounts.platform and posts.account_id = accounts.account_id
left join snapshots as prev_day
    on
        posts.platform = prev_day.platform and posts.account_id = prev_day.account_id
        and prev_day.snapshot_date = cast(posts.posted_at as date) - interval '1 day'
left join snapshots as same_day
    on
        posts.platform = same_day.platform and posts.account_id = same_day.account_id
        and same_day.snapshot_date = cast(posts.posted_at as date)
left join current_followers
    on posts.platform = current_followers.platform and posts.account_id = current_followers.account_id
{%- if is_incremental() %}
where {{ key_changed(['posts.platform', 'posts.post_id'], 'select platform, post_id from changed_keys') }}
{%- endif %}
