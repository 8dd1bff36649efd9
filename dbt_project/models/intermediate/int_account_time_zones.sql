-- The time zone each platform account's audience mostly lives in, so posting times read as the audience's clock:
-- the main country of the account's own audience (the largest share), else of the creator's audience on another
-- platform (TikTok reports none), else the creator's home country; its time zone from seed country_time_zones.
-- An account with none of these (or a country the seed lacks) reads in UTC, and says so in time_zone_basis.
with accounts as (select * from {{ ref('int_creator_accounts') }}),

account_country as (
    select
        platform,
        account_id,
        country_code
    from {{ ref('int_account_audience') }}
    qualify row_number() over (partition by platform, account_id order by audience_share desc, country_code asc) = 1
),

creator_country as (
    select
        creator_id,
        country_code
    from {{ ref('int_creator_audience_countries') }}
    qualify row_number() over (partition by creator_id order by audience_share desc, country_code asc) = 1
),

creators as (select * from {{ ref('stg_marketing__creators') }}),

zones as (select * from {{ ref('country_time_zones') }}),

chosen as (
    select
        accounts.platform,
        accounts.account_id,
        accounts.creator_id,
        coalesce(account_country.country_code, creator_country.country_code, creators.home_country) as country_code,
        case
            when account_country.country_code is not null then 'account_audience'
            when creator_country.country_code is not null then 'creator_audience'
            when creators.home_country is not null then 'home_country'
        end as country_basis
    from accounts
    left join account_country
        on accounts.platform = account_country.platform and accounts.account_id = account_country.account_id
    left join creator_country on accounts.creator_id = creator_country.creator_id
    left join creators on accounts.creator_id = creators.creator_id
)

select
    chosen.platform,
    chosen.account_id,
    chosen.creator_id,
    chosen.country_code as audience_country_code,
    coalesce(zones.time_zone, 'UTC') as time_zone,
    case when zones.time_zone is null then 'utc_fallback' else chosen.country_basis end as time_zone_basis
from chosen
left join zones on chosen.country_code = zones.country_code
