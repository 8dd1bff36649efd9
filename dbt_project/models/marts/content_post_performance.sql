-- One row per post and Instagram story: its format, posting time on the audience's clock, engagement rate, reach per
-- follower and attributed revenue (int_post_attributed_revenue), and whether it is an organic winner worth
-- repurposing as an ad. engagement_index = the post's engagement rate / the median engagement rate of its own
-- account's posts (from at least var organic_winner_min_account_posts of them): 2.0 is twice the account's usual,
-- whatever the platform, tier or creator, so formats and times compare fairly across them. An organic winner is
-- published in the var organic_winner_days days up to the as-of date, with an engagement_index of at least
-- var organic_winner_er_multiple and reach (views where the platform reports no reach) of at least
-- var organic_winner_min_reach. Sponsored or not: a sponsored post that outperformed is as good an ad.
{% set window_days = var('organic_winner_days', 90) %}
{% set er_multiple = var('organic_winner_er_multiple', 3.0) %}
{% set min_account_posts = var('organic_winner_min_account_posts', 5) %}
{% set min_reach = var('organic_winner_min_reach', 1000) %}

with posts as (select * from {{ ref('int_content_posts') }}),

revenue as (select * from {{ ref('int_post_attributed_revenue') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

creators as (select * from {{ ref('stg_marketing__creators') }}),

windowed as (
    select
        posts.*,
        posts.posted_date > as_of.as_of_date - {{ window_days }} as is_in_winner_window
    from posts
    cross join as_of
),

account_medians as (
    select
        platform,
        account_id,
        median(engagement_rate) as account_median_engagement_rate
    from windowed
    where engagement_rate is not null
    group by 1, 2
    having count(*) >= {{ min_account_posts }}
),

scored as (
    select
        windowed.*,
        account_medians.account_median_engagement_rate,
        {{ safe_divide('windowed.engagement_rate', 'account_medians.account_median_engagement_rate') }}
            as engagement_index
    from windowed
    left join account_medians
        on windowed.platform = account_medians.platform and windowed.account_id = account_medians.account_id
),

flagged as (
    select
        *,
        coalesce(
            is_in_winner_window
            and engagement_index >= {{ er_multiple }}
            and coalesce(reach, views) >= {{ min_reach }},
            false
        ) as is_organic_winner
    from scored
),

winner_ranks as (
    -- Ranked among the winners only and joined back: numbering every post's whole row in one window took twice as
    -- long (33 s against 16 s for the mart at scale L).
    select
        platform,
        post_id,
        -- BIGINT on both engines (Spark's row_number() is an INT)
        cast(row_number() over (order by engagement_index desc, platform asc, post_id asc) as bigint)
            as organic_winner_rank
    from flagged
    where is_organic_winner
)

select
    flagged.platform,
    flagged.post_id,
    flagged.account_id,
    flagged.creator_id,
    creators.creator_name,
    flagged.tier,
    flagged.content_format,
    flagged.format_label,
    flagged.is_sponsored,
    flagged.post_url,
    flagged.posted_at,
    flagged.posted_date,
    flagged.audience_country_code,
    flagged.audience_time_zone,
    flagged.time_zone_basis,
    flagged.posted_at_local,
    flagged.local_weekday,
    flagged.local_weekday_name,
    flagged.local_hour,
    flagged.followers_at_post,
    flagged.likes,
    flagged.comments,
    flagged.reach,
    flagged.views,
    flagged.engagement_rate,
    flagged.reach_per_follower,
    flagged.views_per_follower,
    '{{ var("reporting_currency") }}' as reporting_currency,
    -- Null for a post not known to be sponsored (no code or link of ours to credit); 0 for a sponsored one no order
    -- followed.
    case when flagged.is_sponsored then coalesce(revenue.attributed_orders, 0) end as attributed_orders,
    case when flagged.is_sponsored then coalesce(revenue.attributed_net_revenue, 0) end as attributed_net_revenue,
    flagged.account_median_engagement_rate,
    flagged.engagement_index,
    flagged.is_organic_winner,
    winner_ranks.organic_winner_rank
from flagged
left join winner_ranks on flagged.platform = winner_ranks.platform and flagged.post_id = winner_ranks.post_id
left join revenue on flagged.platform = revenue.platform and flagged.post_id = revenue.post_id
left join creators on flagged.creator_id = creators.creator_id
