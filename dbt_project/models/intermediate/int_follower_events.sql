-- Follower growth events: one row per spike or dump day of a platform account.
-- robust z = (d_t - median_28d(d)) / (1.4826 * MAD_28d(d)); a spike needs z > 5, d_t / followers_{t-1} > 2% and
-- d_t > 500; a dump is a one-day drop > 1% of followers within 14 days after a spike. A spike on a day with a
-- post whose views exceed 3x the account's median views is "explained" (viral): reported, not penalised.
with deltas as (select * from {{ ref('int_follower_deltas') }}),

posts as (select * from {{ ref('int_posts') }}),

median_views as (
    select
        platform,
        account_id,
        median(views) as median_views
    from posts
    group by 1, 2
),

viral_days as (
    select
        posts.platform,
        posts.account_id,
        posts.posted_date,
        posts.post_id
    from posts
    inner join median_views on posts.platform = median_views.platform and posts.account_id = median_views.account_id
    where posts.views > {{ var('viral_views_multiple') }} * median_views.median_views
    qualify row_number() over (
        partition by posts.platform, posts.account_id, posts.posted_date
        order by posts.views desc
    ) = 1
),

scored as (
    select
        deltas.*,
        -- A MAD of 0 (perfectly steady growth) would hide every spike: floor it at one follower.
        (follower_delta - median_delta_28d) / (1.4826 * greatest(mad_delta_28d, 1)) as robust_z,
        {{ safe_divide('follower_delta', 'previous_followers') }} as delta_share,
        viral_days.post_id as viral_post_id
    from deltas
    left join viral_days
        on
            deltas.platform = viral_days.platform and deltas.account_id = viral_days.account_id
            and deltas.snapshot_date = viral_days.posted_date
),

flagged as (
    select
        *,
        median_delta_28d is not null
        and robust_z > {{ var('spike_min_z') }}
        and delta_share > {{ var('spike_min_share') }}
        and follower_delta > {{ var('spike_min_followers') }} as is_spike
    from scored
)

select
    platform,
    account_id,
    snapshot_date,
    followers,
    previous_followers,
    follower_delta,
    median_delta_28d,
    mad_delta_28d,
    robust_z,
    delta_share,
    is_spike,
    is_spike and viral_post_id is not null as is_explained_spike,
    case when is_spike then viral_post_id end as explaining_post_id,
    follower_delta < -{{ var('dump_min_share') }} * previous_followers
    and count(*) filter (where is_spike) over (
        partition by platform, account_id order by snapshot_date
        range between interval '{{ var("dump_within_days") }} days' preceding and interval '1 day' preceding
    ) > 0 as is_dump
from flagged
qualify is_spike or is_dump
