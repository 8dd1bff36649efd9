-- One row per contract and post that breaches its exclusivity clause: a sponsored post by the contract's creator
-- (on any of their accounts) for a competitor of the clause's category, dated inside the exclusivity window and
-- not after the vetting date. The post is the evidence; detail says it in plain words.
with windows as (select * from {{ ref('int_contract_exclusivity_windows') }}),

competitor_posts as (select * from {{ ref('int_competitor_sponsored_posts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

breaches as (
    select
        windows.contract_id,
        windows.creator_id,
        windows.campaign_id,
        windows.exclusivity_category,
        windows.window_start,
        windows.window_end,
        competitor_posts.platform,
        competitor_posts.account_id,
        competitor_posts.post_id,
        competitor_posts.posted_date,
        -- A post can promote two competitors of the category.
        {{ text_agg('competitor_posts.competitor_brand', ', ', 'competitor_posts.competitor_brand') }}
            as competitor_brands,
        {{ text_agg('competitor_posts.matched_terms', ', ', 'competitor_posts.competitor_brand') }} as matched_terms
    from windows
    inner join competitor_posts
        on
            windows.creator_id = competitor_posts.creator_id
            and windows.exclusivity_category = competitor_posts.competitor_category
            and competitor_posts.posted_date between windows.window_start and windows.window_end
    cross join as_of
    where competitor_posts.posted_date <= as_of.as_of_date
    group by all
)

select
    *,
    'sponsored post ' || post_id || ' on ' || platform || ' for ' || competitor_brands || ' (' || matched_terms
    || ') on ' || {{ format_date('posted_date', '%-d %b %Y') }} || ', inside the ' || exclusivity_category
    || ' exclusivity of contract ' || contract_id || ' (campaign ' || campaign_id || ', '
    || {{ format_date('window_start', '%-d %b %Y') }} || ' to '
    || {{ format_date('window_end', '%-d %b %Y') }} || ')' as detail
from breaches
