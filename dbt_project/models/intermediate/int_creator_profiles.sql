-- One row per creator and platform account: handle, current followers (from the platform API) and tier.
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
        subscriber_count
    from {{ ref('stg_youtube__channels') }}
)

select
    accounts.creator_id,
    accounts.platform,
    accounts.account_id,
    accounts.handle,
    followers.followers,
    tiers.tier
from accounts
left join followers on accounts.platform = followers.platform and accounts.account_id = followers.account_id
left join tiers
    on
        followers.followers >= tiers.min_followers
        and (tiers.max_followers_exclusive is null or followers.followers < tiers.max_followers_exclusive)
