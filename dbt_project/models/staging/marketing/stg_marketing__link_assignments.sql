with source as (select * from {{ source('marketing', 'link_assignments') }})

select
    lower(link_id) as link_id,
    creator_id,
    campaign_id,
    valid_from,
    valid_to,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['lower(link_id)'], '_loaded_at desc, _source_row desc') }}
