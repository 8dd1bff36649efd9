-- One row per creator account: its sponsored posts for competitors in the last competitor_lookback_days (365) days
-- and its breaches of our exclusivity clauses, each with the posts checked. Null is not 0: an account with no post in
-- the lookback has no competitor finding (competitor_sponsored_posts null), and one with no post inside an
-- exclusivity window of its creator's contracts has no breach finding (exclusivity_breach_posts null). A post that
-- breaches a clause is counted as a breach, not again as a competing partnership.
with accounts as (select * from {{ ref('int_creator_accounts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

posts as (
    select posts.*
    from {{ ref('int_posts') }} as posts
    cross join as_of
    where posts.posted_date <= as_of.as_of_date
),

competitor_posts as (select * from {{ ref('int_competitor_sponsored_posts') }}),

windows as (select * from {{ ref('int_contract_exclusivity_windows') }}),

breaches as (select * from {{ ref('int_contract_exclusivity_breaches') }}),

lookback_posts as (
    select
        posts.platform,
        posts.account_id,
        count(*) as checked_posts
    from posts
    cross join as_of
    where posts.posted_date > as_of.as_of_date - {{ var('competitor_lookback_days') }}
    group by 1, 2
),

partnerships as (
    -- One row per post: a post can promote two competitors.
    select
        competitor_posts.platform,
        competitor_posts.account_id,
        competitor_posts.post_id,
        competitor_posts.posted_date,
        {{ text_agg('competitor_posts.competitor_brand', ', ', 'competitor_posts.competitor_brand') }} as brands,
        {{ text_agg('competitor_posts.matched_terms', ', ', 'competitor_posts.competitor_brand') }} as matched_terms
    from competitor_posts
    cross join as_of
    where
        competitor_posts.posted_date > as_of.as_of_date - {{ var('competitor_lookback_days') }}
        and competitor_posts.posted_date <= as_of.as_of_date
        and not exists (
            select 1 from breaches
            where breaches.platform = competitor_posts.platform and breaches.post_id = competitor_posts.post_id
        )
    group by 1, 2, 3, 4
),

partnership_summary as (
    select
        platform,
        account_id,
        count(*) as partnership_posts,
        {{ join_distinct_sorted(split_text('brands', ', '), ', ') }} as brands,
        max(posted_date) as last_posted_on,
        {{ text_agg('post_id', ', ', 'posted_date, post_id') }} as post_ids,
        {{ value_at_max(
            "brands || ' on ' || " ~ format_date('posted_date', '%-d %b %Y') ~ " || ' (post ' || post_id || ': '
            || matched_terms || ')'",
            'posted_date'
        ) }} as latest
    from partnerships
    group by 1, 2
),

window_posts as (
    -- Posts dated inside an exclusivity window of the creator's contracts: the posts the breach check covers.
    select
        posts.platform,
        posts.account_id,
        count(distinct posts.post_id) as checked_posts
    from posts
    inner join windows
        on
            posts.creator_id = windows.creator_id
            and posts.posted_date between windows.window_start and windows.window_end
    group by 1, 2
),

breach_summary as (
    select
        platform,
        account_id,
        count(distinct post_id) as breach_posts,
        {{ text_agg('contract_id', ', ', 'contract_id', distinct=true) }} as contract_ids,
        max(posted_date) as last_posted_on,
        {{ text_agg('post_id', ', ', 'post_id', distinct=true) }} as post_ids,
        {{ value_at_max('detail', 'posted_date') }} as latest
    from breaches
    group by 1, 2
)

select
    accounts.platform,
    accounts.account_id,
    accounts.creator_id,
    coalesce(lookback_posts.checked_posts, 0) as competitor_checked_posts,
    case when lookback_posts.checked_posts > 0 then coalesce(partnership_summary.partnership_posts, 0) end
        as competitor_sponsored_posts,
    partnership_summary.brands as competitor_brands,
    partnership_summary.last_posted_on as last_competitor_post_on,
    partnership_summary.post_ids as competitor_post_ids,
    partnership_summary.latest as latest_competitor_post,
    coalesce(window_posts.checked_posts, 0) as exclusivity_checked_posts,
    case when window_posts.checked_posts > 0 then coalesce(breach_summary.breach_posts, 0) end
        as exclusivity_breach_posts,
    breach_summary.contract_ids as breached_contract_ids,
    breach_summary.last_posted_on as last_breach_on,
    breach_summary.post_ids as breach_post_ids,
    breach_summary.latest as latest_breach
from accounts
left join lookback_posts
    on accounts.platform = lookback_posts.platform and accounts.account_id = lookback_posts.account_id
left join partnership_summary
    on accounts.platform = partnership_summary.platform and accounts.account_id = partnership_summary.account_id
left join window_posts on accounts.platform = window_posts.platform and accounts.account_id = window_posts.account_id
left join breach_summary
    on accounts.platform = breach_summary.platform and accounts.account_id = breach_summary.account_id
