with source as (select * from {{ source('marketing', 'contracts') }})

select
    contract_id,
    creator_id,
    campaign_id,
    upper(currency) as currency,
    flat_fee,
    coalesce(gifted_units, 0) as gifted_units,
    unit_cost as gift_unit_cost,
    coalesce(gift_shipping_cost, 0) as gift_shipping_cost,
    coalesce(commission_rate, 0) as commission_rate,
    bonus_threshold_net_revenue,
    bonus_amount,
    coalesce(paid_amplification, 0) as paid_amplification,
    coalesce(lower(usage_rights) = 'yes', false) as has_usage_rights,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['contract_id'], '_loaded_at desc, _source_row desc') }}
