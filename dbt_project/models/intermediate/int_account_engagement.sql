-- Engagement per platform account: the median of each rate over the last N posts older than the insights lag.
-- er_followers = (likes + comments) / followers at post time
-- er_reach     = (likes + comments + shares + saves) / reach          (where reach is known)
-- er_views     = (likes + comments + shares + saves) / views          (video posts)
with posts as (
    select * from {{ ref('int_posts') }}
    where creator_id is not null
),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

recent as (
    select
        posts.*,
        row_number() over (partition by posts.platform, posts.account_id order by posts.posted_at desc) as recency
    from posts
    cross join as_of
    where
        posts.posted_at <= cast(as_of.as_of_date as timestamp) + interval '1 day'
        - interval '{{ var("er_min_post_age_hours") }} hours'
),

rates as (
    select
        platform,
        account_id,
        creator_id,
        post_id,
        {{ safe_divide('likes + comments', 'followers_at_post') }} as er_followers,
        {{ safe_divide('likes + comments + coalesce(shares, 0) + coalesce(saves, 0)', 'reach') }} as er_reach,
        case
            when is_video then {{ safe_divide('likes + comments + coalesce(shares, 0) + coalesce(saves, 0)', 'views') }}
        end as er_views
    from recent
    where recency <= {{ var('er_posts') }}
)

select
    platform,
    account_id,
    creator_id,
    count(*) as posts_in_window,
    median(er_followers) as er_followers,
    median(er_reach) as er_reach,
    median(er_views) as er_views
from rates
group by 1, 2, 3
