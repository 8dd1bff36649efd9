with source as (select * from {{ source('shopify', 'shopify_discount_codes') }})

select
    discount_code_id,
    price_rule_id,
    upper(code) as discount_code,
    usage_count,
    created_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['discount_code_id'], '_loaded_at desc') }}
