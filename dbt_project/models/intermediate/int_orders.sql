-- One row per order from the Shopify sources (the API wins where an order is in both) and WooCommerce (order
-- names prefixed WC- so they never collide with Shopify's), in order currency. Each source states its amounts as
-- the store shows them (merchandise before and after discounts, the tax inside them in tax-inclusive stores);
-- `final` turns them into ex-tax revenue with one set of rules for all sources (README "Revenue rules").
-- Money stays DECIMAL(38, 2); the pro-rata shares are computed in integer cents, never in floating point.
-- Incremental: a run rebuilds only the orders with rows loaded since the last run (late-arriving orders and
-- re-delivered versions alike), each from the full staging history, and replaces them by order_name.
{{ config(materialized='incremental', unique_key='order_name', incremental_strategy=incremental_strategy(),
          partition_by=spark_partition_by(), on_schema_change='fail') }}
{#- An API order's lines that are goods (not gift cards), and its gift-card lines. #}
{%- set goods_lines = list_where('api_orders.lines', 'l', 'not coalesce(l.gift_card, false)') %}
{%- set gift_card_lines = list_where('api_orders.lines', 'l', 'coalesce(l.gift_card, false)') %}
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
    select
        *,
        -- The export has no gift-card flag: a gift card is a line that ships nothing and is named like one.
        coalesce(not requires_shipping and lower(product_name) like '%gift card%', false) as is_gift_card,
        cast(unit_price as decimal(38, 2)) * quantity as line_amount
    from {{ ref('stg_shopify__order_lines_csv') }}
    {%- if is_incremental() %} where {{ key_changed(['order_name'], 'select order_name from changed') }}{% endif %}
),

woo_orders as (
    select * from {{ ref('stg_woocommerce__orders') }}
    {%- if is_incremental() %}
        where {{ key_changed(["'WC-' || order_number"], 'select order_name from changed') }}
    {%- endif %}
),

api_orders as (
    select
        *,
        {{ parse_json(
            'line_items',
            '[{"id": "BIGINT", "quantity": "BIGINT", "price": "DECIMAL(38,2)", "gift_card": "BOOLEAN",
               "discount_allocations": [{"amount": "DECIMAL(38,2)"}], "tax_lines": [{"price": "DECIMAL(38,2)"}]}]',
            'array<struct<id:bigint, quantity:bigint, price:decimal(38,2), gift_card:boolean,
               discount_allocations:array<struct<amount:decimal(38,2)>>, tax_lines:array<struct<price:decimal(38,2)>>>>'
        ) }} as lines,
        flatten({{ list_map(
            parse_json(
                "coalesce(refunds, '[]')",
                '[{"refund_line_items": [{"line_item_id": "BIGINT", "subtotal": "DECIMAL(38,2)",
                   "total_tax": "DECIMAL(38,2)"}]}]',
                'array<struct<refund_line_items:array<struct<line_item_id:bigint, subtotal:decimal(38,2),
                   total_tax:decimal(38,2)>>>>'
            ),
            'r', 'coalesce(r.refund_line_items, ' ~ empty_list() ~ ')'
        ) }}) as refund_lines,
        coalesce({{ list_total(list_map(
            json_path_strings('shipping_lines', '$[*].discounted_price'), 'x', 'cast(x as decimal(38, 2))'
        )) }}, 0) as shipping
    from {{ ref('stg_shopify__orders_api') }}
    {%- if is_incremental() %} where {{ key_changed(['order_name'], 'select order_name from changed') }}{% endif %}
),

csv_orders as (
    select
        order_name,
        max(order_id) as order_id,
        max(created_at) as created_at,
        max(created_at_utc_offset) as created_at_utc_offset,
        max(cancelled_at) as cancelled_at,
        max(financial_status) as financial_status,
        max(currency) as currency,
        max(customer_email_hash) as customer_email_hash,
        max(customer_phone_hash) as customer_phone_hash,
        max(shipping_country) as shipping_country,
        max(discount_codes_text) as discount_codes_text,
        max(regexp_extract(note_attributes, 'landing_site: ([^\n]*)', 1)) as landing_site,
        -- Shopify's test gateway: the export's only mark of a test order (the API has `test`)
        coalesce(bool_or(lower(trim(payment_method)) = 'bogus'), false) as is_test,
        coalesce(sum(line_amount) filter (where not is_gift_card), 0) as merch_gross,
        coalesce(sum(line_amount) filter (where is_gift_card), 0) as gift_card_sales,
        cast(coalesce(max(subtotal), 0) as decimal(38, 2)) as subtotal,
        cast(coalesce(max(shipping), 0) as decimal(38, 2)) as shipping,
        cast(coalesce(max(taxes), 0) as decimal(38, 2)) as taxes,
        cast(max(total) as decimal(38, 2)) as export_total,
        cast(max(discount_amount) as decimal(38, 2)) as export_discounts,
        cast(coalesce(max(refunded_amount), 0) as decimal(38, 2)) as refunded_amount,
        coalesce(sum(quantity) filter (where not is_gift_card), 0) as units,
        max(loaded_at) as source_loaded_at
    from csv_lines
    group by order_name
),

csv_taxed as (
    select
        *,
        -- Subtotal is after every discount, order-level ones too; gift cards are never discounted or taxed.
        subtotal - gift_card_sales as merch_subtotal,
        -- Tax-inclusive stores: Total = Subtotal + Shipping (the tax sits inside the prices); tax-exclusive
        -- stores add Taxes on top. The export says which only through that sum: take the closer one.
        coalesce(
            taxes > 0 and abs(export_total - (subtotal + shipping)) < abs(export_total - (subtotal + shipping + taxes)),
            false
        ) as is_tax_inclusive
    from csv_orders
),

csv_final as (
    select
        order_name,
        order_id,
        'shopify_csv' as order_source,
        created_at,
        created_at_utc_offset,
        cancelled_at,
        financial_status,
        currency,
        customer_email_hash,
        customer_phone_hash,
        cast(null as bigint) as customer_id,
        shipping_country,
        {{ list_map(
            list_where(split_text("coalesce(discount_codes_text, '')", ','), 'x', "trim(x) <> ''"),
            'x', 'upper(trim(x))'
        ) }} as discount_codes,
        landing_site,
        is_tax_inclusive,
        merch_gross,
        merch_subtotal,
        -- The tax inside the merchandise: Taxes split between merchandise and shipping by amount, in cents.
        case
            when is_tax_inclusive and merch_subtotal + shipping > 0
                then {{ money_share('taxes', 'merch_subtotal', 'merch_subtotal + shipping') }}
            else 0
        end as items_tax,
        -- Refunded Amount includes tax; its pre-tax share is (merchandise ex tax) / (what the customer paid
        -- for it), in cents. A full refund is handled in `final`.
        refunded_amount as refunded_with_tax,
        cast(null as decimal(38, 2)) as refunds_ex_tax,
        gift_card_sales,
        subtotal + shipping + case when is_tax_inclusive then 0 else taxes end as expected_total,
        export_total,
        export_discounts,
        taxes,
        units,
        is_test,
        source_loaded_at
    from csv_taxed
),

api_final as (
    select
        api_orders.order_name,
        api_orders.order_id,
        'shopify_api' as order_source,
        api_orders.created_at,
        api_orders.created_at_utc_offset,
        api_orders.cancelled_at,
        api_orders.financial_status,
        api_orders.currency,
        api_orders.customer_email_hash,
        api_orders.customer_phone_hash,
        api_orders.customer_id,
        api_orders.shipping_country,
        {{ list_map(json_path_strings('discount_codes', '$[*].code'), 'x', 'upper(x)') }} as discount_codes,
        api_orders.landing_site,
        coalesce(is_tax_inclusive, false) as is_tax_inclusive,
        coalesce({{ list_total(list_map(goods_lines, 'l', 'l.price * l.quantity')) }}, 0) as merch_gross,
        -- discount_allocations carry order-level discounts too (Shopify allocates them to the lines).
        merch_gross - coalesce({{ list_total(list_map(goods_lines, 'l',
            'coalesce(' ~ list_total(list_map('l.discount_allocations', 'a', 'a.amount')) ~ ', 0)'
        )) }}, 0) as merch_subtotal,
        case
            when coalesce(is_tax_inclusive, false)
                then coalesce({{ list_total(list_map(goods_lines, 'l',
                    'coalesce(' ~ list_total(list_map('l.tax_lines', 't', 't.price')) ~ ', 0)'
                )) }}, 0)
            else 0
        end as items_tax,
        cast(null as decimal(38, 2)) as refunded_with_tax,
        -- Refund line subtotals are as the store shows prices: with the tax in tax-inclusive stores.
        coalesce({{ list_total(list_map(
            list_where('api_orders.refund_lines', 'r',
                'not coalesce(' ~ list_has(list_map(gift_card_lines, 'l', 'l.id'), 'r.line_item_id') ~ ', false)'),
            'r', 'r.subtotal - case when coalesce(is_tax_inclusive, false) then coalesce(r.total_tax, 0) else 0 end'
        )) }}, 0) as refunds_ex_tax,
        coalesce({{ list_total(list_map(gift_card_lines, 'l', 'l.price * l.quantity')) }}, 0) as gift_card_sales,
        cast(coalesce(api_orders.subtotal_price, 0) as decimal(38, 2)) + api_orders.shipping
        + case when coalesce(is_tax_inclusive, false) then 0 else coalesce(api_orders.total_tax, 0) end
            as expected_total,
        cast(api_orders.total_price as decimal(38, 2)) as export_total,
        cast(api_orders.total_discounts as decimal(38, 2)) as export_discounts,
        cast(coalesce(api_orders.total_tax, 0) as decimal(38, 2)) as taxes,
        coalesce({{ list_total(list_map(goods_lines, 'l', 'l.quantity'), 'bigint') }}, 0) as units,
        api_orders.is_test,
        api_orders.loaded_at as source_loaded_at
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
        customer_phone_hash,
        nullif(customer_id, 0) as customer_id,  -- 0 is every guest: not a customer key
        shipping_country,
        {{ list_map(json_path_strings('coupon_lines', '$[*].code'), 'x', 'upper(x)') }} as discount_codes,
        null as landing_site,
        false as is_tax_inclusive,  -- WooCommerce line totals are always before tax
        {{ json_path_sum('line_items', '$[*].total') }} + coalesce(discount_total, 0) as merch_gross,
        -- Line totals are after discounts, before tax and shipping.
        {{ json_path_sum('line_items', '$[*].total') }} as merch_subtotal,
        cast(0 as decimal(38, 2)) as items_tax,
        cast(null as decimal(38, 2)) as refunded_with_tax,
        -- Refund totals are negative amounts.
        -{{ json_path_sum('refunds', '$[*].total') }} as refunds_ex_tax,
        cast(0 as decimal(38, 2)) as gift_card_sales,
        {{ json_path_sum('line_items', '$[*].total') }} + coalesce(shipping_total, 0) + coalesce(total_tax, 0)
            as expected_total,
        total as export_total,
        discount_total as export_discounts,
        coalesce(total_tax, 0) as taxes,
        {{ list_total(
            list_map(json_path_strings('line_items', '$[*].quantity'), 'x', 'cast(x as integer)'), 'bigint'
        ) }} as units,
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

ex_tax as (
    select
        *,
        cast(merch_subtotal - items_tax as decimal(38, 2)) as items_ex_tax,
        -- What the customer paid for the merchandise: with its tax, whichever way the store shows prices.
        merch_subtotal + case when is_tax_inclusive then 0 else taxes end as paid_for_items
    from unioned
),

amounts as (
    select
        *,
        -- Gross and discounts lose the same tax share as the subtotal, so gross - discounts = items_ex_tax.
        case
            when items_tax = 0 or merch_subtotal = 0 then cast(merch_gross as decimal(38, 2))
            else {{ money_share('merch_gross', 'items_ex_tax', 'merch_subtotal') }}
        end as gross_ex_tax,
        case
            -- Refunded means the whole sale is reversed: net is 0.00 exactly, whatever the rounding of the
            -- tax in the refunded amount.
            when financial_status = 'refunded' then items_ex_tax
            when refunds_ex_tax is not null then refunds_ex_tax
            when coalesce(refunded_with_tax, 0) = 0 or paid_for_items <= 0 then 0
            else {{ money_share('refunded_with_tax', 'items_ex_tax', 'paid_for_items') }}
        end as refunds_amount
    from ex_tax
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
        -- One customer per email; without one, per phone, then per store customer id; else no key (a POS or
        -- draft order is neither merged with others nor counted as a new customer).
        coalesce(
            'email:' || customer_email_hash, 'phone:' || customer_phone_hash, 'customer:' || customer_id
        ) as customer_key,
        shipping_country,
        discount_codes,
        {{ list_length('discount_codes') }} as discount_code_count,
        landing_site,
        lower({{ url_param('landing_site', 'ref') }}) as landing_ref,
        lower({{ url_param('landing_site', 'utm_source') }}) as landing_utm_source,
        is_tax_inclusive,
        cast(gross_ex_tax as decimal(38, 2)) as gross_revenue,
        cast(gross_ex_tax - items_ex_tax as decimal(38, 2)) as item_discounts,
        items_ex_tax as items_subtotal,
        cast(refunds_amount as decimal(38, 2)) as refunds_ex_tax,
        cast(items_ex_tax - refunds_amount as decimal(38, 2)) as net_revenue,
        cast(items_tax as decimal(38, 2)) as items_tax,
        cast(gift_card_sales as decimal(38, 2)) as gift_card_sales,
        cast(export_total - expected_total as decimal(38, 2)) as total_difference,
        cast(export_discounts - (merch_gross - merch_subtotal) as decimal(38, 2)) as discount_difference,
        cast(units as bigint) as units,
        is_test,
        case
            when is_test then 'test_order'
            when financial_status = 'voided' then 'voided'
            when cancelled_at is not null then 'cancelled'
        end as exclusion_reason,
        source_loaded_at
    from amounts
)

select
    {{ star_except(['source_loaded_at']) }},
    exclusion_reason is null as is_valid,
    case
        when exclusion_reason is not null then 'excluded'
        -- Not sales until paid: Shopify pending / authorized, WooCommerce pending / on-hold.
        when financial_status in ('pending', 'authorized', 'on-hold') then 'pending'
        else 'paid'
    end as sale_status,
    -- Amounts that do not add up to the export's own Total (Subtotal + Shipping [+ Taxes]) or a Discount
    -- Amount smaller than the line discounts: reported, never corrected silently.
    coalesce(total_difference <> 0, false) or coalesce(discount_difference < 0, false) as is_amount_mismatch,
    refunds_ex_tax > items_subtotal as is_refund_over_sale,
    source_loaded_at
{{ key_bucket_column(['order_name']) }}
from final
