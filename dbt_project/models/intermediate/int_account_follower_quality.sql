-- One row per creator account with a follower sample: the newest sample's size, the share of each follower class,
-- the share that looks fake or mass-following with its Wilson interval, audience credibility (the rest) and the
-- follower-quality component (0-100; null when the sample is smaller than var follower_sample_min).
with classes as (select * from {{ ref('int_follower_sample_classes') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

counted as (
    select
        platform,
        account_handle,
        max(sampled_at) as sampled_at,
        count(*) as sampled_followers,
        count(*) filter (where follower_class = 'real') as real_followers,
        count(*) filter (where follower_class = 'mass') as mass_followers,
        count(*) filter (where follower_class = 'suspicious') as suspicious_followers,
        count(*) filter (where follower_class = 'inactive') as inactive_followers
    from classes
    group by 1, 2
),

shares as (
    select
        accounts.platform,
        accounts.account_id,
        counted.sampled_at,
        counted.sampled_followers,
        counted.real_followers / counted.sampled_followers as real_share,
        counted.mass_followers / counted.sampled_followers as mass_share,
        counted.suspicious_followers / counted.sampled_followers as suspicious_share,
        counted.inactive_followers / counted.sampled_followers as inactive_share,
        counted.mass_followers + counted.suspicious_followers as fake_or_mass_followers
    from counted
    inner join accounts
        on
            counted.platform = accounts.platform
            and counted.account_handle = lower({{ trim_leading('accounts.handle', '@') }})
)

select
    platform,
    account_id,
    sampled_at,
    sampled_followers,
    real_share,
    mass_share,
    suspicious_share,
    inactive_share,
    fake_or_mass_followers / sampled_followers as fake_or_mass_share,
    {{ wilson_bound('fake_or_mass_followers', 'sampled_followers', 'low') }} as fake_or_mass_share_low,
    {{ wilson_bound('fake_or_mass_followers', 'sampled_followers', 'high') }} as fake_or_mass_share_high,
    1 - fake_or_mass_followers / sampled_followers as audience_credibility,
    case when sampled_followers >= {{ var('follower_sample_min') }} then 100 * (1 - least(1, greatest(
        0,
        (fake_or_mass_followers / sampled_followers - {{ var('follower_fake_floor') }})
        / {{ var('follower_fake_span') }}
    ))) end as follower_quality_score
from shares
