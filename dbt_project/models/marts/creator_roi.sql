-- Per creator x campaign: what the creator brought in (last-touch attribution) against what they cost.
with costs as (select * from {{ ref('int_contract_costs') }}),

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

order_totals as (
    select
        creator_id,
        campaign_id,
        count(*) as orders,
        count(*) filter (where attribution_rule = 'code') as code_orders,
        count(*) filter (where attribution_rule = 'link') as link_orders,
        count(*) filter (where is_first_order_of_customer) as new_customers,
        cast(sum(gross_revenue_reporting) as decimal(18, 2)) as gross_revenue,
        cast(sum(item_discounts_reporting) as decimal(18, 2)) as discounts,
        cast(sum(refunds_reporting) as decimal(18, 2)) as refunds,
        cast(sum(net_revenue_reporting) as decimal(18, 2)) as net_revenue,
        count(*) filter (where has_two_creator_codes) as two_code_orders,
        count(*) filter (where is_code_order_without_recent_post) as code_orders_without_recent_post
    from orders
    group by 1, 2
),

content as (
    select
        costs.contract_id,
        count(posts.post_id) as sponsored_posts,
        cast(sum(posts.views) as bigint) as views,
        cast(sum({{ engagements('posts.') }}) as bigint) as engagements
    from costs
    left join posts
        on
            costs.creator_id = posts.creator_id
            and posts.posted_date between costs.campaign_start_date and costs.campaign_end_date
    group by 1
),

combined as (
    select
        costs.creator_id,
        creators.creator_name,
        costs.campaign_id,
        campaigns.campaign_name,
        costs.contract_id,
        costs.campaign_start_date,
        costs.campaign_end_date,
        coalesce(order_totals.orders, 0) as orders,
        coalesce(order_totals.code_orders, 0) as code_orders,
        coalesce(order_totals.link_orders, 0) as link_orders,
        coalesce(order_totals.new_customers, 0) as new_customers,
        coalesce(order_totals.gross_revenue, cast(0 as decimal(18, 2))) as gross_revenue,
        coalesce(order_totals.discounts, cast(0 as decimal(18, 2))) as discounts,
        coalesce(order_totals.refunds, cast(0 as decimal(18, 2))) as refunds,
        coalesce(order_totals.net_revenue, cast(0 as decimal(18, 2))) as net_revenue,
        costs.fee_cost,
        costs.gifting_cogs,
        costs.gift_shipping_cost,
        costs.commission_cost,
        costs.bonus_cost,
        costs.amplification_cost,
        costs.creator_cost,
        costs.is_gift_cost_missing,
        coalesce(content.sponsored_posts, 0) as sponsored_posts,
        content.views,
        content.engagements,
        coalesce(order_totals.two_code_orders, 0) as two_code_orders,
        coalesce(order_totals.code_orders_without_recent_post, 0) as code_orders_without_recent_post,
        leak.share_without_recent_post,
        leak.share_outside_audience,
        coalesce(leak.redemption_spike_weeks, 0) as redemption_spike_weeks,
        incremental.first_post_date,
        incremental.window_net_revenue,
        incremental.baseline_net_revenue,
        incremental.incremental_net_revenue
    from costs
    inner join creators on costs.creator_id = creators.creator_id
    inner join campaigns on costs.campaign_id = campaigns.campaign_id
    left join order_totals
        on costs.creator_id = order_totals.creator_id and costs.campaign_id = order_totals.campaign_id
    left join content on costs.contract_id = content.contract_id
    left join leak on costs.creator_id = leak.creator_id and costs.campaign_id = leak.campaign_id
    left join incremental on costs.contract_id = incremental.contract_id
),

metrics as (
    select
        *,
        round({{ safe_divide('net_revenue - creator_cost', 'creator_cost') }}, 4) as roi,
        round({{ safe_divide('net_revenue', 'creator_cost') }}, 4) as roas,
        round({{ safe_divide('net_revenue * ' ~ var('gross_margin') ~ ' - creator_cost', 'creator_cost') }}, 4)
            as gross_profit_roi,
        cast(round({{ safe_divide('creator_cost', 'new_customers') }}, 2) as decimal(18, 2)) as cpa,
        cast(round({{ safe_divide('creator_cost', 'orders') }}, 2) as decimal(18, 2)) as cost_per_order,
        cast(round({{ safe_divide('net_revenue', 'orders') }}, 2) as decimal(18, 2)) as aov,
        round({{ safe_divide('creator_cost', 'engagements') }}, 4) as cpe,
        cast(round({{ safe_divide('creator_cost * 1000', 'views') }}, 2) as decimal(18, 2)) as cpm,
        case
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
    fee_cost,
    gifting_cogs,
    gift_shipping_cost,
    commission_cost,
    bonus_cost,
    amplification_cost,
    creator_cost,
    roi,
    round(roi * 100, 2) as roi_pct,
    roas,
    gross_profit_roi,
    roi_null_reason,
    cpa,
    cost_per_order,
    aov,
    cast(null as double) as cvr,
    cast(null as double) as ctr,
    cpe,
    cpm,
    sponsored_posts,
    views,
    engagements,
    coalesce(roi_percent_rank < {{ var('top_performer_share') }}, false) as is_top_performer,
    two_code_orders,
    code_orders_without_recent_post,
    round(share_without_recent_post, 4) as share_code_orders_without_recent_post,
    round(share_outside_audience, 4) as share_code_orders_outside_audience,
    redemption_spike_weeks,
    is_code_leak_suspected,
    first_post_date,
    window_net_revenue,
    baseline_net_revenue,
    incremental_net_revenue
from ranked
