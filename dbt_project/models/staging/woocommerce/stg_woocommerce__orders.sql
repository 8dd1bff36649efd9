with source as (select * from {{ source('woocommerce', 'woocommerce_orders') }})

select
    order_id,
    order_number,
    status as order_status,
    upper(currency) as currency,
    created_at,
    paid_at,
    total,
    discount_total,
    shipping_total,
    total_tax,
    customer_id,
    {{ pseudonym_hex("email_hash") }} as customer_email_hash,
    {{ pseudonym_hex("phone_hash") }} as customer_phone_hash,
    upper(shipping_country) as shipping_country,
    coupon_lines,
    line_items,
    refunds,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['order_id'], '_loaded_at desc') }}
