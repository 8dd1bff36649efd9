-- Attributed net revenue per sponsored post. Each paid order attributed to a creator's code or link (order_attribution,
-- the measure every ROI mart sums) is credited to that creator's sponsored posts published in the
-- var content_revenue_days days up to the order's date (the order's day included), split equally and rounded toward
-- zero to the cent, so the shares of an order never add up to more than the order (nor, for an order whose refund
-- exceeded its sale, to a larger loss). An order with no sponsored post of its
-- creator in that window is credited to no post: summed over posts, revenue never exceeds the creator's attributed
-- revenue in creator_roi.
{% set window_days = var('content_revenue_days', 7) %}

with orders as (
    select
        order_name,
        creator_id,
        order_date,
        net_revenue_reporting
    from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
),

posts as (
    select
        platform,
        post_id,
        creator_id,
        posted_date
    from {{ ref('int_content_posts') }}
    where is_sponsored
),

credits as (
    select
        posts.platform,
        posts.post_id,
        orders.order_name,
        orders.net_revenue_reporting,
        count(*) over (partition by orders.order_name) as posts_sharing
    from orders
    inner join posts
        on
            orders.creator_id = posts.creator_id
            and posts.posted_date between orders.order_date - {{ window_days - 1 }} and orders.order_date
)

select
    platform,
    post_id,
    count(*) as attributed_orders,
    -- In DOUBLE, as DuckDB divides a DECIMAL by an integer (Spark would keep a DECIMAL and could cut another cent).
    cast(sum(
        {{ truncate_number('cast(net_revenue_reporting * 100 as double) / posts_sharing') }} / 100
    ) as decimal(38, 2)) as attributed_net_revenue
from credits
group by 1, 2
