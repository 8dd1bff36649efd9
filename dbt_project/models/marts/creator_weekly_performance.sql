-- Creator x ISO week: attributed orders and revenue, content and reach, with week-over-week change for complete weeks
-- only (the newest week is still running until its Sunday's orders are loaded: part of a week against a whole one is
-- not a fall).
-- Sales are the same per-order measures creator_roi sums, so a creator's weeks add up to their creator_roi rows.
with orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
),

posts as (
    select * from {{ ref('int_posts') }}
    where creator_id is not null
),

-- Creators with a contract or with attributed orders (an assignment without a contract still has sales).
creators as (
    select distinct
        creators.creator_id,
        creators.creator_name
    from {{ ref('stg_marketing__creators') }} as creators
    where
        creators.creator_id in (select contracts.creator_id from {{ ref('stg_marketing__contracts') }} as contracts)
        or creators.creator_id in (select orders.creator_id from orders)
),

data_end as (
    select max(order_date) as orders_through from {{ ref('order_attribution') }}
),

weeks as (
    select distinct
        cast(date_trunc('week', spine.date_day) as date) as week_start,
        cast(date_trunc('week', spine.date_day) as date) + 6 <= data_end.orders_through as is_complete_week
    from ({{ date_spine('(select min(order_date) from ' ~ ref('order_attribution') ~ ')',
                        '(select max(order_date) from ' ~ ref('order_attribution') ~ ')') }}) as spine
    cross join data_end
),

weekly_orders as (
    select
        creator_id,
        cast(date_trunc('week', order_date) as date) as week_start,
        count(*) as orders,
        count(*) filter (where is_first_order_of_customer) as new_customers,
        sum(net_revenue_reporting) as net_revenue
    from orders
    group by 1, 2
),

weekly_posts as (
    select
        creator_id,
        cast(date_trunc('week', posted_date) as date) as week_start,
        count(*) as posts,
        count(*) filter (where is_sponsored) as sponsored_posts,
        cast(sum(views) as bigint) as views,
        cast(sum({{ engagements() }}) as bigint) as engagements
    from posts
    group by 1, 2
),

grid as (
    select
        creators.creator_id,
        creators.creator_name,
        weeks.week_start,
        weeks.is_complete_week,
        coalesce(weekly_orders.orders, 0) as orders,
        coalesce(weekly_orders.new_customers, 0) as new_customers,
        cast(coalesce(weekly_orders.net_revenue, 0) as decimal(38, 2)) as net_revenue,
        coalesce(weekly_posts.posts, 0) as posts,
        coalesce(weekly_posts.sponsored_posts, 0) as sponsored_posts,
        coalesce(weekly_posts.views, 0) as views,
        coalesce(weekly_posts.engagements, 0) as engagements
    from creators
    cross join weeks
    left join weekly_orders
        on creators.creator_id = weekly_orders.creator_id and weeks.week_start = weekly_orders.week_start
    left join weekly_posts
        on creators.creator_id = weekly_posts.creator_id and weeks.week_start = weekly_posts.week_start
),

with_previous as (
    select
        *,
        lag(net_revenue) over (partition by creator_id order by week_start) as previous_net_revenue,
        lag(orders) over (partition by creator_id order by week_start) as previous_orders
    from grid
)

select
    creator_id,
    creator_name,
    week_start,
    cast({{ format_date('week_start', '%G-W%V') }} as {{ dbt.type_string() }}) as iso_week,
    is_complete_week,
    '{{ var("reporting_currency") }}' as reporting_currency,
    orders,
    new_customers,
    net_revenue,
    posts,
    sponsored_posts,
    views,
    engagements,
    {{ week_over_week_columns() }}
from with_previous
