with source as (select * from {{ source('marketing', 'campaigns') }})

select
    campaign_id,
    campaign_name,
    start_date as campaign_start_date,
    end_date as campaign_end_date,
    upper(replace(target_countries, ' ', '')) as target_countries,
    budget,
    budget_currency,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['campaign_id'], '_loaded_at desc, _source_row desc') }}
