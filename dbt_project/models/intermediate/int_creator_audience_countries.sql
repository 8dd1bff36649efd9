-- The countries that make up a creator's audience: at least var geo_audience_min_share of the audience on a
-- platform that reports demographics (Instagram followers, YouTube views).
with audience as (select * from {{ ref('int_account_audience') }}),

shares as (
    select
        accounts.creator_id,
        audience.country_code,
        audience.audience_share
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
