-- One row per API order; a re-fetched order (newer updated_at) replaces the older version.
with source as (select * from {{ source('shopify', 'shopify_orders_api') }})

select
    order_id,
    order_name,
    created_at,
    created_at_utc_offset,
    updated_at,
    cancelled_at,
    financial_status,
    upper(currency) as currency,
    subtotal_price,
    total_discounts,
    total_tax,
    total_price,
    taxes_included as is_tax_inclusive,
    coalesce(is_test, false) as is_test,
    source_name,
    landing_site,
    landing_site_ref,
    referring_site,
    customer_id,
    {{ pseudonym_hex("email_hash") }} as customer_email_hash,
    {{ pseudonym_hex("phone_hash") }} as customer_phone_hash,
    shipping_country,
    discount_codes,
    discount_applications,
    line_items,
    refunds,
    shipping_lines,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['order_id'], 'updated_at desc nulls last, _loaded_at desc') }}
