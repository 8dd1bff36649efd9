with source as (select * from {{ source('affiliate', 'affiliate_redemptions') }})

select
    upper(code) as discount_code,
    order_id,
    order_name,
    redeemed_at,
    redeemed_at_utc_offset,
    order_amount,
    upper(currency) as currency,
    commission,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['upper(code)', 'order_id', 'order_name'], '_loaded_at desc, _source_row desc') }}
