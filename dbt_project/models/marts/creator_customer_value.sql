-- Customer value of creator-acquired customers: per creator, the new customers whose first paid order came
-- through the creator's code or link, how many of them ordered again within var customer_value_window_days (90)
-- days, their revenue over those days against the CPA, and a rank: a creator whose customers come back ranks
-- above one whose customers buy once with the discount and leave.
-- A customer's window runs from the first order's day through day window_days - 1 after it; it is complete when
-- that day is on or before as_of_date (the newest paid order, or var customer_value_as_of_date). A customer whose
-- window is still open is counted apart, never as a non-repeater. Revenue is order_attribution's
-- net_revenue_reporting (every paid order of the customer in the window, through any channel); cost and new
-- customers are those of creator_roi.
{% set window_days = var('customer_value_window_days', 90) %}
{% set min_customers = var('customer_value_min_customers', 10) %}
{% set as_of_date = var('customer_value_as_of_date', '') %}

with orders as (
    select * from {{ ref('order_attribution') }}
    where sale_status = 'paid' and customer_key is not null
),

as_of as (
    select
        coalesce(
            cast(nullif('{{ as_of_date }}', '') as date),
            max(order_date)
        ) as as_of_date
    from orders
),

-- The creator who brought each customer: the one credited with the customer's first paid order.
acquired as (
    select
        creator_id,
        customer_key,
        order_date as first_order_date,
        net_revenue_reporting as first_order_revenue,
        order_date + {{ window_days - 1 }} as window_end_date
    from orders
    where is_first_order_of_customer and attribution_rule in ('code', 'link')
),

customer_windows as (
    select
        acquired.creator_id,
        acquired.customer_key,
        acquired.first_order_revenue,
        acquired.window_end_date <= as_of.as_of_date as is_window_complete,
        count(orders.order_name) as orders_in_window,
        sum(orders.net_revenue_reporting) as revenue_in_window
    from acquired
    cross join as_of
    inner join orders
        on
            acquired.customer_key = orders.customer_key
            and orders.order_date between acquired.first_order_date and acquired.window_end_date
    group by 1, 2, 3, 4
),

per_creator as (
    select
        creator_id,
        count(*) as new_customers,
        count(*) filter (where is_window_complete) as complete_window_customers,
        count(*) filter (where is_window_complete and orders_in_window > 1) as repeat_customers,
        sum(revenue_in_window) filter (where is_window_complete) as window_revenue,
        sum(first_order_revenue) filter (where is_window_complete) as first_order_revenue
    from customer_windows
    group by 1
),

-- The cost creator_roi reports, summed over the creator's campaigns (so both marts give the same CPA inputs).
costs as (
    select
        creator_id,
        min(creator_name) as creator_name,
        sum(creator_cost) as creator_cost
    from {{ ref('creator_roi') }}
    group by 1
),

measured as (
    select
        costs.creator_id,
        costs.creator_name,
        cast(costs.creator_cost as decimal(38, 2)) as creator_cost,
        coalesce(per_creator.new_customers, 0) as new_customers,
        coalesce(per_creator.complete_window_customers, 0) as complete_window_customers,
        coalesce(per_creator.new_customers - per_creator.complete_window_customers, 0) as open_window_customers,
        coalesce(per_creator.repeat_customers, 0) as repeat_customers,
        cast(coalesce(per_creator.window_revenue, 0) as decimal(38, 2)) as window_revenue,
        -- Money per customer in cents (null without a customer whose window is complete).
        {{ money_share('per_creator.window_revenue', 1, 'per_creator.complete_window_customers') }}
            as revenue_per_customer,
        {{ money_share('per_creator.first_order_revenue', 1, 'per_creator.complete_window_customers') }}
            as first_order_revenue_per_customer,
        -- Null, never 0.00, when the cost is 0 (nothing recorded) or no customer was acquired.
        case
            when costs.creator_cost > 0 then {{ money_share('costs.creator_cost', 1, 'per_creator.new_customers') }}
        end as cpa
    from costs
    left join per_creator on costs.creator_id = per_creator.creator_id
),

rated as (
    select
        *,
        {{ round_double(safe_divide('cast(repeat_customers as double)', 'complete_window_customers'), 4) }}
            as repeat_rate,
        {{ round_double(safe_divide('cast(revenue_per_customer as double)', 'cpa'), 4) }} as value_to_cpa,
        case
            when new_customers = 0 then 'no_new_customers'
            when creator_cost = 0 then 'zero_cost'
            when complete_window_customers < {{ min_customers }} then 'too_few_complete_windows'
        end as unranked_reason
    from measured
),

ranked as (
    select
        *,
        case
            when unranked_reason is null
                -- BIGINT on both engines (Spark's rank() is an INT)
                then cast(rank() over (
                    partition by unranked_reason is null
                    order by value_to_cpa desc, repeat_rate desc
                ) as bigint)
        end as customer_value_rank
    from rated
)

select
    ranked.creator_id,
    ranked.creator_name,
    '{{ var("reporting_currency") }}' as reporting_currency,
    as_of.as_of_date,
    {{ window_days }} as window_days,
    ranked.new_customers,
    ranked.complete_window_customers,
    ranked.open_window_customers,
    ranked.repeat_customers,
    ranked.repeat_rate,
    ranked.window_revenue,
    ranked.revenue_per_customer,
    ranked.first_order_revenue_per_customer,
    ranked.creator_cost,
    ranked.cpa,
    ranked.value_to_cpa,
    ranked.customer_value_rank,
    ranked.unranked_reason,
    case ranked.unranked_reason
        when 'no_new_customers' then 'No new customers through the creator''s code or link yet.'
        when 'zero_cost'
            then
                ranked.new_customers || ' new customers but no cost recorded: CPA undefined, so not ranked; record the'
                || ' cost to rank this creator.'
        when 'too_few_complete_windows'
            then
                'Only ' || ranked.complete_window_customers || ' of ' || ranked.new_customers
                || ' new customers have had ' || {{ window_days }} || ' days to come back (at least '
                || {{ min_customers }} || ' needed): too early to rank.'
        else
            ranked.complete_window_customers || ' new customers with a full ' || {{ window_days }} || ' days: '
            || {{ number_text('ranked.repeat_rate * 100', 0, thousands=false) }} || '% ordered again; '
            || '{{ var("reporting_currency") }} ' || {{ number_text('ranked.revenue_per_customer', 0) }}
            || ' each in ' || {{ window_days }} || ' days against a CPA of '
            || '{{ var("reporting_currency") }} ' || {{ number_text('ranked.cpa', 0) }} || ' ('
            || {{ multiple_words('ranked.value_to_cpa') }} || ').'
    end as summary
from ranked
cross join as_of
