-- One row per platform account: the inputs and the 0-100 score of every vetting component except engagement
-- and geography (int_account_engagement, int_account_audience_geo). A score is null when its data is missing.
with accounts as (select * from {{ ref('int_creator_accounts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

growth as (select * from {{ ref('int_follower_events') }}),

snapshots as (select * from {{ ref('int_follower_snapshots') }}),

posts as (select * from {{ ref('int_posts') }}),

comments as (select * from {{ ref('int_comment_authenticity') }}),

disclosure as (select * from {{ ref('int_post_disclosure') }}),

cadence as (select * from {{ ref('posting_cadence') }}),

delivery as (select * from {{ ref('int_account_delivery_record') }}),

history as (
    select
        platform,
        account_id,
        count(*) as snapshot_days
    from snapshots
    group by 1, 2
),

growth_events as (
    select
        growth.platform,
        growth.account_id,
        count(*) filter (where is_spike and not is_explained_spike) as unexplained_spikes_90d,
        count(*) filter (where is_explained_spike) as explained_spikes_90d,
        count(*) filter (where is_dump) as dumps_90d
    from growth
    cross join as_of
    where
        growth.snapshot_date > as_of.as_of_date - {{ var('growth_lookback_days') }}
        and growth.snapshot_date <= as_of.as_of_date
    group by 1, 2
),

comment_shares as (
    select
        posts.platform,
        posts.account_id,
        count(*) as posts_with_comment_samples,
        cast(sum(comments.sampled_comments) as bigint) as sampled_comments,
        median(comments.generic_share) as median_generic_share,
        sum(comments.generic_comments) / sum(comments.sampled_comments) as pooled_generic_share,
        count(*) filter (where comments.generic_share >= {{ var('comment_post_flag_share') }}) as generic_posts
    from comments
    inner join posts on comments.platform = posts.platform and comments.post_id = posts.post_id
    group by 1, 2
),

disclosures as (
    select
        disclosure.platform,
        disclosure.account_id,
        count(*) as sponsored_posts,
        count(*) filter (where is_prominently_disclosed) as prominently_disclosed_posts
    from disclosure
    cross join as_of
    where
        disclosure.posted_date > as_of.as_of_date - {{ var('disclosure_lookback_days') }}
        and disclosure.posted_date <= as_of.as_of_date
    group by 1, 2
),

posts_to_date as (
    select
        posts.platform,
        posts.account_id,
        count(*) as posts_to_date
    from posts
    cross join as_of
    where posts.posted_date <= as_of.as_of_date
    group by 1, 2
),

recent_posts as (
    select
        posts.platform,
        posts.account_id,
        posts.posted_date
    from posts
    cross join as_of
    where
        posts.posted_date > as_of.as_of_date - 7 * {{ var('activity_weeks') }}
        and posts.posted_date <= as_of.as_of_date
),

gaps as (
    -- Days between consecutive posts, plus the days since the last post, within the activity window.
    select
        platform,
        account_id,
        count(*) as posts_in_window,
        max(gap_days) as longest_gap_days
    from (
        select
            recent_posts.platform,
            recent_posts.account_id,
            {{ days_between('recent_posts.posted_date', 'coalesce(
                lead(recent_posts.posted_date) over (
                    partition by recent_posts.platform, recent_posts.account_id order by recent_posts.posted_date
                ),
                as_of.as_of_date
            )') }} as gap_days
        from recent_posts
        cross join as_of
    ) as post_gaps
    group by 1, 2
),

combined as (
    select
        accounts.platform,
        accounts.account_id,
        coalesce(history.snapshot_days, 0) as snapshot_days,
        coalesce(growth_events.unexplained_spikes_90d, 0) as unexplained_spikes_90d,
        coalesce(growth_events.explained_spikes_90d, 0) as explained_spikes_90d,
        coalesce(growth_events.dumps_90d, 0) as dumps_90d,
        comment_shares.posts_with_comment_samples,
        comment_shares.sampled_comments,
        comment_shares.median_generic_share,
        comment_shares.pooled_generic_share,
        coalesce(comment_shares.generic_posts, 0) as generic_comment_posts,
        coalesce(disclosures.sponsored_posts, 0) as sponsored_posts,
        coalesce(disclosures.prominently_disclosed_posts, 0) as prominently_disclosed_posts,
        coalesce(posts_to_date.posts_to_date, 0) as posts_to_date,
        coalesce(gaps.posts_in_window, 0) as posts_in_activity_window,
        coalesce(gaps.posts_in_window, 0) / {{ var('activity_weeks') }} as posts_per_week,
        coalesce(gaps.longest_gap_days, 7 * {{ var('activity_weeks') }}) as longest_gap_days,
        cadence.min_posts_per_week,
        cadence.max_posts_per_week,
        -- The contract delivery record (null: no contract post due in the window), a review flag in creator_vetting.
        delivery.deliverable_posts_due,
        delivery.deliverable_posts_late,
        delivery.deliverable_posts_missing,
        delivery.last_failed_due_date,
        delivery.failed_contract_ids
    from accounts
    left join history on accounts.platform = history.platform and accounts.account_id = history.account_id
    left join growth_events
        on accounts.platform = growth_events.platform and accounts.account_id = growth_events.account_id
    left join comment_shares
        on accounts.platform = comment_shares.platform and accounts.account_id = comment_shares.account_id
    left join disclosures
        on accounts.platform = disclosures.platform and accounts.account_id = disclosures.account_id
    left join posts_to_date
        on accounts.platform = posts_to_date.platform and accounts.account_id = posts_to_date.account_id
    left join gaps on accounts.platform = gaps.platform and accounts.account_id = gaps.account_id
    left join cadence on accounts.platform = cadence.platform
    left join delivery on accounts.platform = delivery.platform and accounts.account_id = delivery.account_id
)

select
    *,
    case
        when snapshot_days >= {{ var('growth_min_snapshots') }}
            then greatest(0, 100 - {{ var('growth_penalty_per_event') }} * (unexplained_spikes_90d + dumps_90d))
    end as growth_score,
    case
        when median_generic_share is not null then 100 * (1 - least(1, greatest(
            0,
            (median_generic_share - {{ var('comment_generic_floor') }}) / {{ var('comment_generic_span') }}
        )))
    end as comment_score,
    case
        when sponsored_posts > 0 then {{ safe_divide('100.0 * prominently_disclosed_posts', 'sponsored_posts') }}
    end as disclosure_score,
    -- No post at all means the account's posts were not delivered, not that it is idle; an unknown cadence cannot
    -- be judged either. least() and greatest() skip nulls, so both cases are tested first.
    case when posts_to_date > 0 and min_posts_per_week > 0 then greatest(
        0,
        100 * least(1, posts_per_week / min_posts_per_week)
        - least({{ var('activity_gap_max_penalty') }}, greatest(
            0,
            {{ var('activity_gap_max_penalty') }} * (longest_gap_days - {{ var('activity_gap_days') }})
            / {{ var('activity_gap_days') }}
        ))
    ) end as activity_score
from combined
