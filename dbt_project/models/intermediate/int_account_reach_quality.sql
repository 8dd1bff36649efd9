-- Story views and reach quality, one row per creator account with stories in the window or video posts:
--   story_reach_rate   median over the account's stories of the last var story_window_days days (at least var
--                      story_min_stories of them, else null) of reach / the account's current followers: the share of
--                      followers who watch a story (Graph API reach = accounts that saw it)
--   video_views_rate   median over its last var er_posts video posts (Reels, TikToks, Shorts and YouTube videos) older
--                      than var er_min_post_age_hours of views / followers at post time ("frequency")
--   *_ratio            the rate / the benchmark of the account's platform, tier and definition (seed reach_benchmarks)
--   a ratio's score    100 x clamp((ratio - var reach_reject_ratio) / (var reach_full_score_ratio - var
--                      reach_reject_ratio), 0, 1): 0 at the reject line, 100 from the full-score line
--   reach_quality_score  the lower of the two scores present; null when neither is (no stories, no video views)
-- Flags: a story ratio under var reach_reject_ratio is a hard fail (hardly any follower watches); a story or video
-- ratio under var reach_review_ratio sends to review.
{%- set span = "(" ~ var('reach_full_score_ratio') ~ " - " ~ var('reach_reject_ratio') ~ ")" %}
with profiles as (select * from {{ ref('int_creator_profiles') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

stories as (select * from {{ ref('int_instagram_stories') }}),

posts as (select * from {{ ref('int_posts') }}),

benchmarks as (select * from {{ ref('reach_benchmarks') }}),

story_rates as (
    select
        profiles.account_id,
        count(*) as stories_in_window,
        median(stories.reach / profiles.followers) as story_reach_rate,
        median(stories.views / profiles.followers) as story_views_rate
    from stories
    inner join profiles on profiles.platform = 'instagram' and stories.account_id = profiles.account_id
    cross join as_of
    where
        stories.posted_date > as_of.as_of_date - {{ var('story_window_days') }}
        and stories.posted_date <= as_of.as_of_date
        and stories.reach is not null
        and profiles.followers > 0
    group by 1
),

recent_videos as (
    select
        posts.platform,
        posts.account_id,
        posts.views / posts.followers_at_post as views_per_follower,
        row_number() over (partition by posts.platform, posts.account_id order by posts.posted_at desc) as recency
    from posts
    cross join as_of
    where
        posts.is_video
        and posts.views is not null
        and posts.followers_at_post > 0
        and posts.posted_at <= cast(as_of.as_of_date as timestamp) + interval '1 day'
        - interval '{{ var("er_min_post_age_hours") }} hours'
),

video_rates as (
    select
        platform,
        account_id,
        count(*) as video_posts_in_window,
        median(views_per_follower) as video_views_rate
    from recent_videos
    where recency <= {{ var('er_posts') }}
    group by 1, 2
),

rated as (
    select
        profiles.platform,
        profiles.account_id,
        profiles.tier,
        coalesce(story_rates.stories_in_window, 0) as stories_in_window,
        case
            when story_rates.stories_in_window >= {{ var('story_min_stories') }} then story_rates.story_reach_rate
        end as story_reach_rate,
        case
            when story_rates.stories_in_window >= {{ var('story_min_stories') }} then story_rates.story_views_rate
        end as story_views_rate,
        story_benchmarks.benchmark_median as story_reach_benchmark,
        coalesce(video_rates.video_posts_in_window, 0) as video_posts_in_window,
        video_rates.video_views_rate,
        video_benchmarks.benchmark_median as video_views_benchmark
    from profiles
    left join story_rates on profiles.platform = 'instagram' and profiles.account_id = story_rates.account_id
    left join video_rates on profiles.platform = video_rates.platform and profiles.account_id = video_rates.account_id
    left join benchmarks as story_benchmarks
        on
            profiles.platform = story_benchmarks.platform and profiles.tier = story_benchmarks.tier
            and story_benchmarks.definition = 'story_reach_per_follower'
    left join benchmarks as video_benchmarks
        on
            profiles.platform = video_benchmarks.platform and profiles.tier = video_benchmarks.tier
            and video_benchmarks.definition = 'video_views_per_follower'
    where story_rates.account_id is not null or video_rates.account_id is not null
),

ratios as (
    select
        *,
        {{ safe_divide('story_reach_rate', 'story_reach_benchmark') }} as story_reach_ratio,
        {{ safe_divide('video_views_rate', 'video_views_benchmark') }} as video_views_ratio
    from rated
),

scored as (
    select
        *,
        -- greatest() skips nulls too: a missing ratio is tested first, or it would score 0.
        case
            when story_reach_ratio is not null
                then 100 * least(1, greatest(0, (story_reach_ratio - {{ var('reach_reject_ratio') }}) / {{ span }}))
        end as story_reach_score,
        case
            when video_views_ratio is not null
                then 100 * least(1, greatest(0, (video_views_ratio - {{ var('reach_reject_ratio') }}) / {{ span }}))
        end as video_views_score
    from ratios
)

select
    *,
    -- least() skips nulls: the one score present, else null (never 0 or 100 for missing data).
    least(story_reach_score, video_views_score) as reach_quality_score,
    coalesce(story_reach_ratio < {{ var('reach_reject_ratio') }}, false) as is_story_reach_fail,
    coalesce(story_reach_ratio < {{ var('reach_review_ratio') }}, false) as is_low_story_reach,
    coalesce(video_views_ratio < {{ var('reach_review_ratio') }}, false) as is_low_video_views
from scored
