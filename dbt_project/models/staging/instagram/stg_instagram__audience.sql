with source as (select * from {{ source('instagram', 'instagram_audience') }})

select
    account_id,
    breakdown,
    upper(dimension_value) as country_code,
    follower_count,
    fetched_at,
    _loaded_at as loaded_at
from source
where breakdown = 'country'
{{ newest_per_key(['account_id', 'upper(dimension_value)'], 'fetched_at desc, _loaded_at desc') }}
