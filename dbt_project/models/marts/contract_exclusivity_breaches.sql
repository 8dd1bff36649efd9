-- One row per exclusivity breach: a contract and a sponsored post of its creator, on any of their accounts, for a
-- competitor of the clause's category, dated inside the contract's exclusivity window (the rule and its evidence:
-- int_contract_exclusivity_breaches). The post is the evidence: its id, a link to it where one can be given, its
-- date, the competitor and the words that matched, and the window it fell in.
with breaches as (select * from {{ ref('int_contract_exclusivity_breaches') }}),

creators as (select * from {{ ref('stg_marketing__creators') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

ig_media as (select * from {{ ref('stg_instagram__media') }}),

ig_exports as (select * from {{ ref('stg_instagram__post_exports') }})

select
    breaches.contract_id,
    breaches.creator_id,
    creators.creator_name,
    breaches.campaign_id,
    campaigns.campaign_name,
    breaches.exclusivity_category,
    breaches.window_start,
    breaches.window_end,
    breaches.platform,
    breaches.account_id,
    accounts.handle as account_handle,
    breaches.post_id,
    {{ post_url(
        'breaches.platform', 'breaches.post_id', 'coalesce(ig_media.permalink, ig_exports.permalink)', 'accounts.handle'
    ) }} as post_url,
    breaches.posted_date,
    breaches.competitor_brands,
    breaches.matched_terms,
    breaches.detail,
    as_of.as_of_date
from breaches
inner join creators on breaches.creator_id = creators.creator_id
inner join campaigns on breaches.campaign_id = campaigns.campaign_id
cross join as_of
left join accounts
    on breaches.platform = accounts.platform and breaches.account_id = accounts.account_id
left join ig_media on breaches.platform = 'instagram' and breaches.post_id = ig_media.media_id
left join ig_exports on breaches.platform = 'instagram' and breaches.post_id = ig_exports.post_id
