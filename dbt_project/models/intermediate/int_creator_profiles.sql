-- One row per creator and platform account: handle, current followers and tier. Followers come from the platform
-- API; an account the API does not deliver (a TikTok creator vetted from scraper exports), or a YouTube channel
-- that hides its subscriber count, takes its newest follower snapshot, else has none (and no tier).
-- The snapshot creator_profiles_snapshot keeps the history of this model (tier and handle changes).
with accounts as (select * from {{ ref('int_creator_accounts') }}),

tiers as (select * from {{ ref('follower_tiers') }}),

followers as (
    select
        'instagram' as platform,
        account_id,
        followers_count as followers
    from {{ ref('stg_instagram__users') }}
    union all
    select
        'tiktok',
        account_id,
        follower_count
    from {{ ref('stg_tiktok__users') }}
    union all
    select
        'youtube',
        account_id,
        -- A channel that hides its subscriber count reports 0: unknown, not a nano creator.
        case when not is_subscriber_count_hidden then subscriber_count end
    from {{ ref('stg_youtube__channels') }}
),

newest_snapshot as (
    select
        platform,
        account_id,
        {{ value_at_max('followers', 'snapshot_date') }} as followers
    from {{ ref('int_follower_snapshots') }}
    group by platform, account_id
)

select
    accounts.creator_id,
    accounts.platform,
    accounts.account_id,
    accounts.handle,
    coalesce(followers.followers, newest_snapshot.followers) as followers,
    tiers.tier
from accounts
left join followers on accounts.platform = followers.platform and accounts.account_id = followers.account_id
left join newest_snapshot
    on accounts.platform = newest_snapshot.platform and accounts.account_id = newest_snapshot.account_id
left join tiers
    on
        coalesce(followers.followers, newest_snapshot.followers) >= tiers.min_followers
        and (
            tiers.max_followers_exclusive is null
            or coalesce(followers.followers, newest_snapshot.followers) < tiers.max_followers_exclusive
        )
