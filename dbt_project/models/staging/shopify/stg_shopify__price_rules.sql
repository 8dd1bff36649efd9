with source as (select * from {{ source('shopify', 'shopify_price_rules') }})

select
    price_rule_id,
    title,
    value_type,
    value as discount_value,
    starts_at,
    ends_at,
    usage_limit,
    coalesce(once_per_customer, false) as is_once_per_customer,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['price_rule_id'], '_loaded_at desc') }}
