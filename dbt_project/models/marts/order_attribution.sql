-- One row per order: who gets the credit (code > link > none), and revenue in order and reporting currency.
-- Every measure of every ROI mart is defined here, once per order: the *_reporting amounts count sales only
-- (paid orders; 0.00 for pending and excluded ones), so any sum of them over any slice is a sum of sales, and
-- pending_revenue_reporting holds what pending orders would add once paid.
-- Incremental: a run rebuilds the orders int_order_attribution rewrote since the last run (every order int_orders
-- rewrote is among them), every order of their customers (who is a customer's first order may move), and the
-- orders whose rate to the reporting currency is no longer the one stored (a late FX rate replaces a carried one).
-- On Spark it stays a table: a partition column (macros/incremental.sql) is not a column of the mart's contract.
{{ config(materialized='table' if target.type == 'spark' else 'incremental', unique_key='order_name',
          incremental_strategy='delete+insert', on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
with
{%- if is_incremental() %}
    changed as (
        -- the mart keeps the watermark as a UTC timestamp (its contract is the same on both engines); an empty mart
        -- has none, so everything is new
        select order_name from {{ ref('int_order_attribution') }}
        where {{ utc_wall_clock('source_loaded_at') }} > (
            select coalesce(max(source_loaded_at), cast('0001-01-01 00:00:00' as timestamp)) from {{ this }}
        )
    ),

    changed_customers as (
        -- the customer the order belongs to now, and the one it belonged to when last built
        select customer_key from {{ ref('int_orders') }}
        where order_name in (select order_name from changed) and customer_key is not null
        union
        select customer_key from {{ this }}
        where order_name in (select order_name from changed) and customer_key is not null
    ),

    stale_rates as (
        -- the currencies and days whose stored rate is no longer today's, compared once per stored rate rather than
        -- once per order (the rate is a function of the currency and the day)
        select built.currency, built.order_date
        from (select distinct currency, order_date, fx_rate_to_reporting from {{ this }}) as built
        left join {{ ref('int_fx_rates_daily') }} as order_fx
            on built.currency = order_fx.currency and built.order_date = order_fx.rate_date
        left join {{ ref('int_fx_rates_daily') }} as reporting_fx
            on reporting_fx.currency = '{{ var("reporting_currency") }}' and built.order_date = reporting_fx.rate_date
        where built.fx_rate_to_reporting is distinct from
            {{ rate_to_reporting('built.currency', 'order_fx', 'reporting_fx') }}
    ),

    changed_keys as (
        select order_name from changed
        union
        select order_name from {{ ref('int_orders') }}
        where customer_key in (select customer_key from changed_customers)
        union
        select built.order_name
        from {{ this }} as built
        inner join stale_rates on built.currency = stale_rates.currency and built.order_date = stale_rates.order_date
    ),

    orders_to_build as (
        select * from {{ ref('int_orders') }}
        where order_name in (select order_name from changed_keys)
    ),
{%- else %}
    orders_to_build as (select * from {{ ref('int_orders') }}),
{%- endif %}

first_orders as (
    -- Over each customer's whole order history, so a late-arriving earlier order moves the "first" flag. Orders
    -- without a customer key (no email, phone or customer id) are never a customer's first order. Numbered on these
    -- four columns and joined back: the same window over whole order rows sorted every column (46 s instead of 25 s
    -- for the mart at scale L).
    select
        order_name,
        row_number() over (partition by customer_key order by created_at, order_name) = 1 as is_first
    from {{ ref('int_orders') }}
    where sale_status = 'paid' and customer_key is not null
    {%- if is_incremental() %} and customer_key in (select customer_key from orders_to_build){% endif %}
),

orders as (
    select
        orders_to_build.*,
        coalesce(first_orders.is_first, false) as is_first_order_of_customer
    from orders_to_build
    left join first_orders on orders_to_build.order_name = first_orders.order_name
),

attribution as (select * from {{ ref('int_order_attribution') }}),

fx as (select * from {{ ref('int_fx_rates_daily') }}),

joined as (
    select
        orders.*,
        attribution.attribution_rule,
        attribution.creator_id,
        attribution.campaign_id,
        attribution.attributed_code,
        attribution.attributed_link_id,
        attribution.link_last_touch_date,
        attribution.has_two_creator_codes,
        attribution.is_code_order_without_recent_post,
        {{ rate_to_reporting('orders.currency', 'order_fx', 'reporting_fx') }} as fx_rate_to_reporting
    from orders
    inner join attribution on orders.order_name = attribution.order_name
    left join fx as order_fx on orders.currency = order_fx.currency and orders.order_date = order_fx.rate_date
    left join fx as reporting_fx
        on reporting_fx.currency = '{{ var("reporting_currency") }}' and orders.order_date = reporting_fx.rate_date
)

select
    order_name,
    order_id,
    order_source,
    created_at,
    order_date,
    currency,
    '{{ var("reporting_currency") }}' as reporting_currency,
    is_valid,
    exclusion_reason,
    sale_status,
    case when is_valid then attribution_rule else 'excluded' end as attribution_rule,
    case when is_valid then creator_id end as creator_id,
    case when is_valid then campaign_id end as campaign_id,
    case when is_valid then attributed_code end as attributed_code,
    case when is_valid then attributed_link_id end as attributed_link_id,
    case when is_valid and attribution_rule = 'link' then link_last_touch_date end as link_window_start_date,
    case
        when is_valid and attribution_rule = 'link'
            then link_last_touch_date + cast({{ var('attribution_window_days') }} as integer)
    end as link_window_end_date,
    {{ join_list('discount_codes', ', ') }} as discount_codes,
    discount_code_count,
    landing_ref,
    shipping_country,
    customer_email_hash,
    customer_key,
    is_first_order_of_customer,
    units,
    is_tax_inclusive,
    gross_revenue,
    item_discounts,
    refunds_ex_tax,
    net_revenue,
    items_tax,
    gift_card_sales,
    total_difference,
    discount_difference,
    is_amount_mismatch,
    is_refund_over_sale,
    fx_rate_to_reporting,
    -- DECIMAL(38, 2) throughout (to_money): a KRW or IDR order in the billions converts without overflow.
    case when sale_status = 'paid' then {{ to_money('gross_revenue', 'fx_rate_to_reporting') }} else 0 end
        as gross_revenue_reporting,
    -- Derived, not converted on its own: gross - discounts - refunds = net holds to the cent after conversion.
    case
        when sale_status = 'paid'
            then
                {{ to_money('gross_revenue', 'fx_rate_to_reporting') }}
                - {{ to_money('refunds_ex_tax', 'fx_rate_to_reporting') }}
                - {{ to_money('net_revenue', 'fx_rate_to_reporting') }}
        else 0
    end as item_discounts_reporting,
    case when sale_status = 'paid' then {{ to_money('refunds_ex_tax', 'fx_rate_to_reporting') }} else 0 end
        as refunds_reporting,
    case when sale_status = 'paid' then {{ to_money('net_revenue', 'fx_rate_to_reporting') }} else 0 end
        as net_revenue_reporting,
    case when sale_status = 'pending' then {{ to_money('net_revenue', 'fx_rate_to_reporting') }} else 0 end
        as pending_revenue_reporting,
    coalesce(has_two_creator_codes, false) and is_valid as has_two_creator_codes,
    coalesce(is_code_order_without_recent_post, false) and is_valid as is_code_order_without_recent_post,
    (select {{ utc_wall_clock('max(source_loaded_at)') }} from {{ ref('int_order_attribution') }}) as source_loaded_at
from joined
