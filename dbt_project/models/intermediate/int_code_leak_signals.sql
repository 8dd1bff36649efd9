-- Code-leakage signals per creator x campaign (code orders only):
-- share of code orders with no sponsored post by the creator in the 30 days before (from int_order_attribution),
-- share shipped outside the creator's audience countries (null without demographics), and weeks whose
-- redemptions exceed var leak_spike_multiple x the median of the previous var leak_spike_trailing_weeks weeks
-- while the creator published no sponsored post that week or the two before.
with orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule = 'code' and sale_status = 'paid'
),

audience as (select * from {{ ref('int_creator_audience_countries') }}),

has_audience as (select distinct creator_id from audience),

posts as (
    select * from {{ ref('int_posts') }}
    where is_sponsored and creator_id is not null
),

per_order as (
    select
        orders.creator_id,
        orders.campaign_id,
        orders.order_date,
        orders.is_code_order_without_recent_post,
        case
            when has_audience.creator_id is null then null
            else audience.country_code is null
        end as is_outside_audience
    from orders
    left join has_audience on orders.creator_id = has_audience.creator_id
    left join audience on orders.creator_id = audience.creator_id and orders.shipping_country = audience.country_code
),

weekly as (
    select
        creator_id,
        campaign_id,
        cast(date_trunc('week', order_date) as date) as week_start,
        count(*) as redemptions
    from per_order
    group by 1, 2, 3
),

post_weeks as (
    select distinct
        creator_id,
        cast(date_trunc('week', posted_date) as date) as week_start
    from posts
),

weekly_flagged as (
    select
        weekly.*,
        {{ trailing_median('weekly.redemptions', 'weekly.creator_id, weekly.campaign_id', 'weekly.week_start',
            var('leak_spike_trailing_weeks') * 7, until_days=7) }} as trailing_median,
        exists(
            select 1 from post_weeks
            where
                post_weeks.creator_id = weekly.creator_id
                and post_weeks.week_start between weekly.week_start - interval '14 days' and weekly.week_start
        ) as has_recent_content
    from weekly
),

-- A spiking week: a correlated count in the grouped select below reads better but Spark cannot plan it.
spike_weeks as (
    select
        creator_id,
        campaign_id,
        count(*) as redemption_spike_weeks
    from weekly_flagged
    where
        redemptions >= {{ var('leak_min_code_orders') }}
        and redemptions > {{ var('leak_spike_multiple') }} * coalesce(trailing_median, 0)
        and trailing_median is not null
        and not has_recent_content
    group by 1, 2
)

select
    per_order.creator_id,
    per_order.campaign_id,
    count(*) as code_orders,
    {{ avg_as_double('case when per_order.is_code_order_without_recent_post then 1.0 else 0.0 end') }}
        as share_without_recent_post,
    {{ avg_as_double('case when per_order.is_outside_audience then 1.0
        when per_order.is_outside_audience is not null then 0.0 end') }} as share_outside_audience,
    -- one spike_weeks row per creator and campaign: max() only takes it into the group
    coalesce(max(spike_weeks.redemption_spike_weeks), 0) as redemption_spike_weeks
from per_order
left join spike_weeks
    on per_order.creator_id = spike_weeks.creator_id and per_order.campaign_id = spike_weeks.campaign_id
group by 1, 2
