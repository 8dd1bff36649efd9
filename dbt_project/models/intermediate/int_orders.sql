-- One row per order from the Shopify sources (the API wins where an order is in both) and WooCommerce (order
-- names prefixed WC- so they never collide with Shopify's), in order currency.
-- Incremental: a run rebuilds only the orders with rows loaded since the last run (late-arriving orders and
-- re-delivered versions alike), each from the full staging history, and replaces them by order_name.
{{ config(materialized='incremental', unique_key='order_name', incremental_strategy='delete+insert',
          on_schema_change='fail') }}
with
{%- if is_incremental() %}
    watermark as (select max(source_loaded_at) as loaded_at from {{ this }}),

    changed as (
        select order_name from {{ ref('stg_shopify__order_lines_csv') }}
        where loaded_at > (select loaded_at from watermark)
        union
        select order_name from {{ ref('stg_shopify__orders_api') }}
        where loaded_at > (select loaded_at from watermark)
        union
        select 'WC-' || order_number from {{ ref('stg_woocommerce__orders') }}
        where loaded_at > (select loaded_at from watermark)
    ),
{%- endif %}

csv_lines as (
    select * from {{ ref('stg_shopify__order_lines_csv') }}
    {%- if is_incremental() %} where order_name in (select order_name from changed){% endif %}
),

woo_orders as (
    select * from {{ ref('stg_woocommerce__orders') }}
    {%- if is_incremental() %} where 'WC-' || order_number in (select order_name from changed){% endif %}
),

api_orders as (
    select * from {{ ref('stg_shopify__orders_api') }}
    {%- if is_incremental() %} where order_name in (select order_name from changed){% endif %}
),

csv_orders as (
    select
        order_name,
        max(order_id) as order_id,
        'shopify_csv' as order_source,
        max(created_at) as created_at,
        max(created_at_utc_offset) as created_at_utc_offset,
        max(cancelled_at) as cancelled_at,
        max(financial_status) as financial_status,
        max(currency) as currency,
        max(customer_email_hash) as customer_email_hash,
        max(shipping_country) as shipping_country,
        max(discount_codes_text) as discount_codes_text,
        max(regexp_extract(note_attributes, 'landing_site: ([^\n]*)', 1)) as landing_site,
        max(subtotal) as items_subtotal,
        -- Older exports have no per-line discount: fall back to the order's Discount Amount.
        coalesce(sum(line_discount), max(discount_amount), 0) as item_discounts,
        max(taxes) as taxes,
        max(refunded_amount) as refunded_amount,
        sum(quantity) as units,
        false as is_test,
        max(loaded_at) as source_loaded_at
    from csv_lines
    group by order_name
),

csv_final as (
    select
        order_name,
        order_id,
        order_source,
        created_at,
        created_at_utc_offset,
        cancelled_at,
        financial_status,
        currency,
        customer_email_hash,
        shipping_country,
        list_transform(
            list_filter(string_split(coalesce(discount_codes_text, ''), ','), lambda x: trim(x) <> ''),
            lambda x: upper(trim(x))
        ) as discount_codes,
        landing_site,
        items_subtotal,
        item_discounts,
        -- The CSV's Refunded Amount includes tax: keep the pre-tax share (subtotal / (subtotal + taxes)).
        case
            when coalesce(refunded_amount, 0) = 0 then cast(0 as decimal(18, 2))
            else cast(
                round(refunded_amount * items_subtotal / nullif(items_subtotal + coalesce(taxes, 0), 0), 2)
                as decimal(18, 2)
            )
        end as refunds_ex_tax,
        units,
        is_test,
        source_loaded_at
    from csv_orders
),

api_final as (
    select
        order_name,
        order_id,
        'shopify_api' as order_source,
        created_at,
        created_at_utc_offset,
        cancelled_at,
        financial_status,
        currency,
        customer_email_hash,
        shipping_country,
        list_transform({{ json_path_strings('discount_codes', '$[*].code') }}, lambda x: upper(x)) as discount_codes,
        landing_site,
        subtotal_price as items_subtotal,
        {{ json_path_sum('line_items', '$[*].discount_allocations[*].amount') }} as item_discounts,
        {{ json_path_sum('refunds', '$[*].refund_line_items[*].subtotal') }} as refunds_ex_tax,
        cast(
            list_sum(list_transform(json_extract(line_items, '$[*].quantity'), lambda x: cast(x as integer))) as bigint
        ) as units,
        is_test,
        loaded_at as source_loaded_at
    from api_orders
),

woo_final as (
    select
        'WC-' || order_number as order_name,
        order_id,
        'woocommerce' as order_source,
        created_at,
        null as created_at_utc_offset,  -- WooCommerce's *_gmt timestamps are UTC already
        case when order_status in ('cancelled', 'failed', 'trash') then coalesce(paid_at, created_at) end
            as cancelled_at,
        order_status as financial_status,
        currency,
        customer_email_hash,
        shipping_country,
        list_transform({{ json_path_strings('coupon_lines', '$[*].code') }}, lambda x: upper(x)) as discount_codes,
        null as landing_site,
        -- Line totals are after discounts, before tax and shipping.
        {{ json_path_sum('line_items', '$[*].total') }} as items_subtotal,
        coalesce(discount_total, 0) as item_discounts,
        -- Refund totals are negative amounts.
        -{{ json_path_sum('refunds', '$[*].total') }} as refunds_ex_tax,
        cast(
            list_sum(list_transform(json_extract(line_items, '$[*].quantity'), lambda x: cast(x as integer))) as bigint
        )
            as units,
        false as is_test,
        loaded_at as source_loaded_at
    from woo_orders
),

unioned as (
    select * from woo_final
    union all
    select * from api_final
    union all
    select * from csv_final
    -- Against all API orders, not only this run's: an older API version still wins over a newer CSV export.
    where order_name not in (select order_name from {{ ref('stg_shopify__orders_api') }})
),

final as (
    select
        order_name,
        order_id,
        order_source,
        created_at,
        created_at_utc_offset,
        cast({{ local_timestamp('created_at', 'created_at_utc_offset') }} as date) as order_date,
        cancelled_at,
        financial_status,
        currency,
        customer_email_hash,
        shipping_country,
        discount_codes,
        len(discount_codes) as discount_code_count,
        landing_site,
        lower({{ url_param('landing_site', 'ref') }}) as landing_ref,
        lower({{ url_param('landing_site', 'utm_source') }}) as landing_utm_source,
        cast(items_subtotal + item_discounts as decimal(18, 2)) as gross_revenue,
        cast(item_discounts as decimal(18, 2)) as item_discounts,
        cast(items_subtotal as decimal(18, 2)) as items_subtotal,
        cast(refunds_ex_tax as decimal(18, 2)) as refunds_ex_tax,
        cast(items_subtotal - refunds_ex_tax as decimal(18, 2)) as net_revenue,
        cast(units as bigint) as units,
        is_test,
        case
            when is_test then 'test_order'
            when financial_status = 'voided' then 'voided'
            when cancelled_at is not null then 'cancelled'
        end as exclusion_reason,
        source_loaded_at
    from unioned
)

select
    * exclude (source_loaded_at),
    exclusion_reason is null as is_valid,
    source_loaded_at
from final
