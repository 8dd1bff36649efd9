-- One row per post and Instagram story of a known creator, old enough for its insights (var er_min_post_age_hours
-- before the as-of date), with its content format (seed content_formats: the one place platform media types map to
-- formats), its posting time on the clock of the account's audience (int_account_time_zones) and its rates:
-- engagement_rate = (likes + comments) / followers at post time (the er_followers of the metric contract; null for
-- stories, which have neither), reach_per_follower and views_per_follower (null where the platform reports none).
with as_of as (select * from {{ ref('int_vetting_as_of') }}),

posts as (select * from {{ ref('int_posts') }}),

ig_media as (select * from {{ ref('stg_instagram__media') }}),

stories as (select * from {{ ref('int_instagram_stories') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

snapshots as (select * from {{ ref('int_follower_snapshots') }}),

profiles as (select * from {{ ref('int_creator_profiles') }}),

post_rows as (
    -- int_posts carries each post's media kind and permalink, read from the post's own source row when the post is
    -- rebuilt: reading them here joined every post to three staging views each run (43.6 s against 27.0 s for this
    -- model in a daily run at scale L).
    select
        platform,
        post_id,
        account_id,
        creator_id,
        posted_at,
        is_sponsored,
        permalink,
        media_kind,
        followers_at_post,
        likes,
        comments,
        reach,
        views
    from posts
    where creator_id is not null
),

story_rows as (
    -- A story has no caption: whether it was sponsored is unknown (null), never assumed. A story a Business Suite
    -- export already delivered as a post (post type IG story, same id) is that post, never a second row.
    select
        'instagram' as platform,
        stories.media_id as post_id,
        stories.account_id,
        accounts.creator_id,
        stories.posted_at,
        cast(null as boolean) as is_sponsored,
        coalesce(story_pages.permalink, ig_media.permalink) as permalink,
        'STORY' as media_kind,
        -- Followers at post time as int_posts reads them: the previous day's snapshot, else the same day's, else
        -- today's count.
        coalesce(prev_day.followers, same_day.followers, profiles.followers) as followers_at_post,
        cast(null as bigint) as likes,
        cast(null as bigint) as comments,
        stories.reach,
        stories.views
    from stories
    inner join accounts on accounts.platform = 'instagram' and stories.account_id = accounts.account_id
    left join {{ ref('stg_instagram__stories') }} as story_pages on stories.media_id = story_pages.media_id
    left join ig_media on stories.media_id = ig_media.media_id
    left join snapshots as prev_day
        on
            prev_day.platform = 'instagram' and stories.account_id = prev_day.account_id
            and prev_day.snapshot_date = stories.posted_date - interval '1 day'
    left join snapshots as same_day
        on
            same_day.platform = 'instagram' and stories.account_id = same_day.account_id
            and stories.posted_date = same_day.snapshot_date
    left join profiles on profiles.platform = 'instagram' and stories.account_id = profiles.account_id
    where stories.media_id not in (
        select post_rows.post_id from post_rows
        where post_rows.platform = 'instagram'
    )
),

all_rows as (
    select * from post_rows
    union all
    select * from story_rows
),

local_time as (
    -- posted_at is UTC without a zone: timezone('UTC', ..) makes it an instant, timezone(zone, ..) the local clock.
    select
        all_rows.*,
        zones.audience_country_code,
        zones.time_zone as audience_time_zone,
        zones.time_zone_basis,
        {{ local_wall_clock('zones.time_zone', 'all_rows.posted_at') }} as posted_at_local
    from all_rows
    inner join {{ ref('int_account_time_zones') }} as zones
        on all_rows.platform = zones.platform and all_rows.account_id = zones.account_id
)

select
    local_time.platform,
    local_time.post_id,
    local_time.account_id,
    local_time.creator_id,
    profiles.tier,
    coalesce(formats.content_format, 'unmapped') as content_format,
    -- One label for every unmapped kind: the marts group by format, so a label per kind would split 'unmapped' into
    -- rows with one key. media_kind keeps what the source wrote (test warn_unmapped_media_kinds names them).
    coalesce(formats.format_label, 'Unmapped') as format_label,
    local_time.media_kind,
    local_time.is_sponsored,
    {{ post_url('local_time.platform', 'local_time.post_id', 'local_time.permalink', 'accounts.handle') }} as post_url,
    local_time.posted_at,
    cast(local_time.posted_at as date) as posted_date,
    local_time.audience_country_code,
    local_time.audience_time_zone,
    local_time.time_zone_basis,
    local_time.posted_at_local,
    cast({{ iso_weekday('local_time.posted_at_local') }} as integer) as local_weekday,
    {{ weekday_name('local_time.posted_at_local') }} as local_weekday_name,
    cast(hour(local_time.posted_at_local) as integer) as local_hour,
    local_time.followers_at_post,
    local_time.likes,
    local_time.comments,
    local_time.reach,
    local_time.views,
    {{ safe_divide('local_time.likes + local_time.comments', 'local_time.followers_at_post') }} as engagement_rate,
    {{ safe_divide('local_time.reach', 'local_time.followers_at_post') }} as reach_per_follower,
    {{ safe_divide('local_time.views', 'local_time.followers_at_post') }} as views_per_follower
from local_time
cross join as_of
left join {{ ref('content_formats') }} as formats
    -- Case-insensitive: Business Suite exports write their post types in more than one case (IG reel, Reel).
    on local_time.platform = formats.platform and lower(local_time.media_kind) = lower(formats.media_kind)
left join profiles on local_time.platform = profiles.platform and local_time.account_id = profiles.account_id
left join accounts on local_time.platform = accounts.platform and local_time.account_id = accounts.account_id
where
    local_time.posted_at <= cast(as_of.as_of_date as timestamp) + interval '1 day'
    - interval '{{ var("er_min_post_age_hours") }} hours'
