-- Per creator x campaign: what the creator brought in (last-touch attribution) against what they cost.
-- Sales measures are sums of order_attribution's per-order measures (defined there, once); campaign_performance
-- and creator_weekly_performance sum the same ones, so every mart agrees on any slice.
with contract_costs as (select * from {{ ref('int_contract_costs') }}),

-- One row per creator x campaign: a second contract for the same pair adds its cost, never doubles the sales.
costs as (
    select
        creator_id,
        campaign_id,
        min(contract_id) as contract_id,
        count(*) as contracts,
        min(campaign_start_date) as campaign_start_date,
        max(campaign_end_date) as campaign_end_date,
        bool_or(is_gift_cost_missing) as is_gift_cost_missing,
        sum(fee_cost) as fee_cost,
        sum(gifting_cogs) as gifting_cogs,
        sum(gift_shipping_cost) as gift_shipping_cost,
        sum(commission_cost) as commission_cost,
        sum(bonus_cost) as bonus_cost,
        sum(amplification_cost) as amplification_cost,
        sum(creator_cost) as creator_cost
    from contract_costs
    group by 1, 2
),

orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link')
),

posts as (
    select * from {{ ref('int_posts') }}
    where is_sponsored
),

creators as (select * from {{ ref('stg_marketing__creators') }}),

leak as (select * from {{ ref('int_code_leak_signals') }}),

incremental as (select * from {{ ref('int_incremental_revenue') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

-- Clicks and sessions through the creator's links on their assigned days (null when no export has any).
traffic as (
    select
        creator_id,
        campaign_id,
        sum(clicks) as clicks,
        sum(sessions) as sessions
    from {{ ref('int_link_traffic') }}
    group by 1, 2
),

order_totals as (
    select
        creator_id,
        campaign_id,
        count(*) filter (where sale_status = 'paid') as orders,
        count(*) filter (where sale_status = 'paid' and attribution_rule = 'code') as code_orders,
        count(*) filter (where sale_status = 'paid' and attribution_rule = 'link') as link_orders,
        count(*) filter (where is_first_order_of_customer) as new_customers,
        sum(gross_revenue_reporting) as gross_revenue,
        sum(item_discounts_reporting) as discounts,
        sum(refunds_reporting) as refunds,
        sum(net_revenue_reporting) as net_revenue,
        count(*) filter (where sale_status = 'pending') as pending_orders,
        sum(pending_revenue_reporting) as pending_revenue,
        count(*) filter (where sale_status = 'paid' and has_two_creator_codes) as two_code_orders,
        count(*) filter (where sale_status = 'paid' and is_code_order_without_recent_post)
            as code_orders_without_recent_post
    from orders
    group by 1, 2
),

-- Every creator x campaign with a contract, attributed orders or link traffic (an assignment without a contract
-- still shows its sales and clicks, with no cost).
pairs as (
    select
        creator_id,
        campaign_id
    from costs
    union
    select
        creator_id,
        campaign_id
    from order_totals
    union
    select
        creator_id,
        campaign_id
    from traffic
),

content as (
    select
        costs.creator_id,
        costs.campaign_id,
        count(posts.post_id) as sponsored_posts,
        cast(sum(posts.views) as bigint) as views,
        cast(sum({{ engagements('posts.') }}) as bigint) as engagements
    from costs
    left join posts
        on
            costs.creator_id = posts.creator_id
            and posts.posted_date between costs.campaign_start_date and costs.campaign_end_date
    group by 1, 2
),

combined as (
    select
        pairs.creator_id,
        creators.creator_name,
        pairs.campaign_id,
        campaigns.campaign_name,
        costs.contract_id,
        coalesce(costs.campaign_start_date, campaigns.campaign_start_date) as campaign_start_date,
        coalesce(costs.campaign_end_date, campaigns.campaign_end_date) as campaign_end_date,
        coalesce(order_totals.orders, 0) as orders,
        coalesce(order_totals.code_orders, 0) as code_orders,
        coalesce(order_totals.link_orders, 0) as link_orders,
        coalesce(order_totals.new_customers, 0) as new_customers,
        cast(coalesce(order_totals.gross_revenue, 0) as decimal(38, 2)) as gross_revenue,
        cast(coalesce(order_totals.discounts, 0) as decimal(38, 2)) as discounts,
        cast(coalesce(order_totals.refunds, 0) as decimal(38, 2)) as refunds,
        cast(coalesce(order_totals.net_revenue, 0) as decimal(38, 2)) as net_revenue,
        coalesce(order_totals.pending_orders, 0) as pending_orders,
        cast(coalesce(order_totals.pending_revenue, 0) as decimal(38, 2)) as pending_revenue,
        cast(coalesce(costs.fee_cost, 0) as decimal(38, 2)) as fee_cost,
        cast(coalesce(costs.gifting_cogs, 0) as decimal(38, 2)) as gifting_cogs,
        cast(coalesce(costs.gift_shipping_cost, 0) as decimal(38, 2)) as gift_shipping_cost,
        cast(coalesce(costs.commission_cost, 0) as decimal(38, 2)) as commission_cost,
        cast(coalesce(costs.bonus_cost, 0) as decimal(38, 2)) as bonus_cost,
        cast(coalesce(costs.amplification_cost, 0) as decimal(38, 2)) as amplification_cost,
        cast(coalesce(costs.creator_cost, 0) as decimal(38, 2)) as creator_cost,
        costs.contract_id is null as has_no_contract,
        coalesce(costs.is_gift_cost_missing, false) as is_gift_cost_missing,
        coalesce(content.sponsored_posts, 0) as sponsored_posts,
        content.views,
        content.engagements,
        cast(traffic.clicks as bigint) as clicks,
        cast(traffic.sessions as bigint) as sessions,
        coalesce(order_totals.two_code_orders, 0) as two_code_orders,
        coalesce(order_totals.code_orders_without_recent_post, 0) as code_orders_without_recent_post,
        leak.share_without_recent_post,
        leak.share_outside_audience,
        coalesce(leak.redemption_spike_weeks, 0) as redemption_spike_weeks,
        incremental.first_post_date,
        incremental.window_net_revenue,
        incremental.baseline_net_revenue,
        incremental.incremental_net_revenue
    from pairs
    inner join creators on pairs.creator_id = creators.creator_id
    inner join campaigns on pairs.campaign_id = campaigns.campaign_id
    left join costs on pairs.creator_id = costs.creator_id and pairs.campaign_id = costs.campaign_id
    left join order_totals
        on pairs.creator_id = order_totals.creator_id and pairs.campaign_id = order_totals.campaign_id
    left join content on pairs.creator_id = content.creator_id and pairs.campaign_id = content.campaign_id
    left join leak on pairs.creator_id = leak.creator_id and pairs.campaign_id = leak.campaign_id
    left join incremental on costs.contract_id = incremental.contract_id
    left join traffic on pairs.creator_id = traffic.creator_id and pairs.campaign_id = traffic.campaign_id
),

metrics as (
    select
        *,
        {{ round_double(safe_divide('net_revenue - creator_cost', 'creator_cost'), 4) }} as roi,
        {{ round_double(safe_divide('net_revenue', 'creator_cost'), 4) }} as roas,
        {{ round_double(safe_divide('net_revenue * ' ~ var('gross_margin') ~ ' - creator_cost', 'creator_cost'), 4) }}
            as gross_profit_roi,
        -- Money per unit in cents (null when the count is 0). Cost metrics are null, not 0.00, when the cost is 0
        -- (roi_null_reason says why).
        case when creator_cost > 0 then {{ money_share('creator_cost', 1, 'new_customers') }} end as cpa,
        case when creator_cost > 0 then {{ money_share('creator_cost', 1, 'orders') }} end as cost_per_order,
        {{ money_share('net_revenue', 1, 'orders') }} as aov,
        {{ round_double(safe_divide('nullif(creator_cost, 0)', 'engagements'), 4) }} as cpe,
        case when creator_cost > 0 then {{ money_share('creator_cost * 1000', 1, 'views') }} end as cpm,
        case
            when has_no_contract then 'no_contract'
            when creator_cost = 0 and is_gift_cost_missing then 'zero_cost_gift_cogs_not_recorded'
            when creator_cost = 0 then 'zero_cost'
        end as roi_null_reason,
        code_orders >= {{ var('leak_min_code_orders') }} and (
            coalesce(share_without_recent_post > 0.5, false)
            or coalesce(share_outside_audience > {{ var('leak_outside_audience_share') }}, false)
            or redemption_spike_weeks > 0
        ) as is_code_leak_suspected
    from combined
),

ranked as (
    select
        *,
        case
            when creator_cost >= {{ var('top_performer_min_cost') }} and roi is not null
                then percent_rank() over (
                    partition by creator_cost >= {{ var('top_performer_min_cost') }} and roi is not null
                    order by roi desc
                )
        end as roi_percent_rank
    from metrics
)

select
    creator_id,
    creator_name,
    campaign_id,
    campaign_name,
    contract_id,
    campaign_start_date,
    campaign_end_date,
    '{{ var("reporting_currency") }}' as reporting_currency,
    orders,
    code_orders,
    link_orders,
    new_customers,
    gross_revenue,
    discounts,
    refunds,
    net_revenue,
    pending_orders,
    pending_revenue,
    fee_cost,
    gifting_cogs,
    gift_shipping_cost,
    commission_cost,
    bonus_cost,
    amplification_cost,
    creator_cost,
    roi,
    {{ round_double('roi * 100', 2) }} as roi_pct,
    roas,
    gross_profit_roi,
    roi_null_reason,
    cast(cpa as decimal(38, 2)) as cpa,
    cast(cost_per_order as decimal(38, 2)) as cost_per_order,
    cast(aov as decimal(38, 2)) as aov,
    -- Null, never 0, when a count is missing or its denominator is 0 (no traffic export is not 0% conversion).
    -- CVR: a code order needs no visit through the link, so only link orders are set against link sessions.
    {{ round_double(safe_divide('cast(link_orders as double)', 'sessions'), 4) }} as cvr,
    {{ round_double(safe_divide('cast(clicks as double)', 'views'), 4) }} as ctr,
    clicks,
    sessions,
    cpe,
    cast(cpm as decimal(38, 2)) as cpm,
    sponsored_posts,
    views,
    engagements,
    coalesce(roi_percent_rank < {{ var('top_performer_share') }}, false) as is_top_performer,
    two_code_orders,
    code_orders_without_recent_post,
    {{ round_double('share_without_recent_post', 4) }} as share_code_orders_without_recent_post,
    {{ round_double('share_outside_audience', 4) }} as share_code_orders_outside_audience,
    redemption_spike_weeks,
    is_code_leak_suspected,
    first_post_date,
    window_net_revenue,
    baseline_net_revenue,
    incremental_net_revenue
from ranked
