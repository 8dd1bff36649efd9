-- One row per Instagram story with its insights. Stories come from the stories pages, and from media pages that
-- delivered STORY media. reach = accounts that saw the story (what the app calls viewers); views = plays, replays
-- included (impressions before 2025, renamed by seed instagram_metric_names); navigation = taps forward and back,
-- exits and swipes (null where an older connector asked for taps_forward, taps_back and exits instead).
with stories as (
    select
        media_id,
        account_id,
        posted_at
    from {{ ref('stg_instagram__stories') }}
    union all
    select
        media_id,
        account_id,
        posted_at
    from {{ ref('stg_instagram__media') }}
    where
        media_product_type = 'STORY'
        and media_id not in (select media_id from {{ ref('stg_instagram__stories') }})
),

insights as (
    select
        media_id,
        max(case when metric_name = 'reach' then metric_value end) as reach,
        max(case when metric_name = 'views' then metric_value end) as views,
        max(case when metric_name = 'replies' then metric_value end) as replies,
        max(case when metric_name = 'shares' then metric_value end) as shares,
        max(case when metric_name = 'follows' then metric_value end) as follows,
        max(case when metric_name = 'profile_visits' then metric_value end) as profile_visits,
        max(case when metric_name = 'navigation' then metric_value end) as navigation
    from {{ ref('stg_instagram__media_insights') }}
    where media_id in (select media_id from stories)
    group by media_id
)

select
    stories.media_id,
    stories.account_id,
    stories.posted_at,
    cast(stories.posted_at as date) as posted_date,
    insights.reach,
    insights.views,
    insights.replies,
    insights.shares,
    insights.follows,
    insights.profile_visits,
    insights.navigation
from stories
left join insights on stories.media_id = insights.media_id
