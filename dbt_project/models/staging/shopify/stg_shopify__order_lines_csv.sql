-- One row per CSV line item. A re-delivered export (same order in a newer file) replaces the older rows.
-- Incremental (the newest version per order is a window over all history, too slow to recompute daily): a run
-- rebuilds the orders with lines loaded since the last one, from all their loads, and replaces them by order_name.
{{ config(materialized='incremental', unique_key='order_name', incremental_strategy=incremental_strategy(),
          partition_by=spark_partition_by(), on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
with source as (
    select * from {{ source('shopify', 'shopify_order_lines_csv') }}
    {{ where_key_changed(source('shopify', 'shopify_order_lines_csv'), ['order_name']) }}
),

versioned as (
    select
        *,
        row_number() over (partition by _load_id, order_name order by _source_row) as line_number,
        first_value(_load_id) over (
            partition by order_name order by _loaded_at desc, _load_id desc
        ) as newest_load_id
    from source
)

select
    order_name,
    line_number,
    order_id,
    {{ pseudonym_hex("email_hash") }} as customer_email_hash,
    {{ pseudonym_hex("coalesce(phone_hash, billing_phone_hash)") }} as customer_phone_hash,
    financial_status,
    paid_at,
    fulfillment_status,
    currency,
    subtotal,
    shipping,
    taxes,
    total,
    discount_code as discount_codes_text,
    discount_amount,
    created_at,
    created_at_utc_offset,
    cancelled_at,
    refunded_amount,
    lineitem_quantity as quantity,
    lineitem_name as product_name,
    lineitem_sku as sku,
    lineitem_price as unit_price,
    lineitem_discount as line_discount,
    lineitem_requires_shipping as requires_shipping,
    lineitem_taxable as is_taxable,
    billing_country,
    shipping_country,
    note_attributes,
    payment_method,
    tags,
    source_name,
    _source_file as source_file,
    _loaded_at as loaded_at
{{ key_bucket_column(['order_name']) }}
from versioned
where _load_id = newest_load_id
