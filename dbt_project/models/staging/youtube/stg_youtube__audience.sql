with source as (select * from {{ source('youtube', 'youtube_audience') }})

select
    account_id,
    upper(country) as country_code,
    views,
    period_start,
    period_end,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['account_id', 'upper(country)'], 'fetched_at desc, _loaded_at desc') }}
