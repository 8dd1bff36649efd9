-- One row per creator account on a discovery-tool list (the shortlist), with what is known about it. An account
-- already in creators.csv (matched by platform and handle) gets its creator_id and the follower count the platform
-- API reported; one not yet signed up appears with creator_id null and the tool's figures, so a marketer can vet a
-- shortlist before adding anyone to the templates.
with listed as (select * from {{ ref('stg_discovery__creators') }}),

profiles as (select * from {{ ref('int_creator_profiles') }}),

countries as (select * from {{ ref('country_names') }}),

tiers as (select * from {{ ref('follower_tiers') }}),

benchmarks as (
    select * from {{ ref('engagement_benchmarks') }}
    where definition = 'er_followers'
),

matched as (
    select
        listed.*,
        profiles.creator_id,
        profiles.account_id,
        profiles.followers as api_followers,
        -- The platform's own count when the account is known: a tool's figure can be weeks old.
        coalesce(profiles.followers, listed.followers) as best_followers
    from listed
    left join profiles
        on listed.platform = profiles.platform and listed.handle = {{ trim_leading('profiles.handle', '@') }}
)

select
    matched.platform,
    matched.handle,
    matched.full_name,
    matched.creator_id,
    matched.account_id,
    matched.creator_id is not null as is_known_creator,
    matched.followers as listed_followers,
    matched.api_followers,
    matched.best_followers as followers,
    tiers.tier,
    matched.engagement_rate as listed_engagement_rate,
    benchmarks.benchmark_median as benchmark_engagement_rate,
    countries.country_code,
    matched.reported_country,
    matched.category,
    matched.list_file,
    matched.loaded_at
from matched
left join tiers
    on
        matched.best_followers >= tiers.min_followers
        and (tiers.max_followers_exclusive is null or matched.best_followers < tiers.max_followers_exclusive)
left join benchmarks on matched.platform = benchmarks.platform and tiers.tier = benchmarks.tier
left join countries on lower(trim(matched.reported_country)) = countries.country_name
