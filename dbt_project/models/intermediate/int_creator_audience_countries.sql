-- The countries that make up a creator's audience: at least var geo_audience_min_share of the audience on a
-- platform that reports demographics (Instagram followers, YouTube views).
with audience as (
    select
        'instagram' as platform,
        account_id,
        country_code,
        follower_count as audience
    from {{ ref('stg_instagram__audience') }}
    union all
    select
        'youtube',
        account_id,
        country_code,
        views
    from {{ ref('stg_youtube__audience') }}
),

shares as (
    select
        accounts.creator_id,
        audience.country_code,
        audience.audience / sum(audience.audience) over (partition by audience.platform, audience.account_id)
            as audience_share
    from audience
    inner join {{ ref('int_creator_accounts') }} as accounts
        on audience.platform = accounts.platform and audience.account_id = accounts.account_id
)

select
    creator_id,
    country_code,
    max(audience_share) as audience_share
from shares
where audience_share >= {{ var('geo_audience_min_share') }}
group by 1, 2
