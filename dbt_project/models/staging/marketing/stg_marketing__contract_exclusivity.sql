-- One row per contract with its exclusivity clause: the optional exclusivity columns of the contracts template (the
-- newest delivery of a contract wins, as in stg_marketing__contracts; a contract without a clause has a null
-- category).
with source as (select * from {{ source('marketing', 'contracts') }})

select
    contract_id,
    creator_id,
    campaign_id,
    lower(trim(exclusivity_category)) as exclusivity_category,
    cast(coalesce(exclusivity_days_before, 0) as integer) as exclusivity_days_before,
    cast(coalesce(exclusivity_days_after, 0) as integer) as exclusivity_days_after,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['contract_id'], '_loaded_at desc, _source_row desc') }}
