-- One row per follower in each account's newest follower sample, with the signs of a fake account it shows and its
-- class (real, mass, suspicious, inactive) by the rule in macros/follower_quality.sql.
with followers as (select * from {{ ref('stg_follower_samples__followers') }}),

newest_samples as (
    select
        platform,
        account_handle,
        max(sampled_at) as sampled_at
    from followers
    group by 1, 2
),

sampled as (
    select
        followers.*,
        count(*) over (partition by followers.platform, followers.account_handle) as sample_size,
        -- Bought accounts are made in batches: how many of the sample were created in the same week.
        case when followers.created_at is not null then count(*) over (
            partition by followers.platform, followers.account_handle, date_trunc('week', followers.created_at)
        ) end as created_same_week
    from followers
    inner join newest_samples
        on
            followers.platform = newest_samples.platform
            and followers.account_handle = newest_samples.account_handle
            and followers.sampled_at = newest_samples.sampled_at
),

features as (
    select
        {{ star_except(['created_same_week']) }},
        coalesce(
            created_same_week >= {{ var('follower_burst_min_followers') }}
            and created_same_week >= {{ var('follower_burst_min_share') }} * sample_size,
            false
        ) as is_burst_created,
        {{ days_between('last_post_at', 'sampled_at') }} as days_since_last_post
    from sampled
)

select
    {{ star_except(['sample_size', 'sample_file', 'loaded_at']) }},
    {{ follower_fake_signs(follower_thresholds()) }} as fake_signs,
    {{ follower_class() }} as follower_class
from features
