with source as (select * from {{ source('marketing', 'code_assignments') }})

select
    upper(code) as discount_code,
    creator_id,
    campaign_id,
    discount_percent,
    valid_from,
    valid_to,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['upper(code)', 'valid_from'], '_loaded_at desc, _source_row desc') }}
