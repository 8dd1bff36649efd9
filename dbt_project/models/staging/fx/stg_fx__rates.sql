with source as (select * from {{ source('fx', 'fx_rates') }})

select
    rate_date,
    upper(base_currency) as base_currency,
    upper(quote_currency) as quote_currency,
    rate,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['rate_date', 'upper(base_currency)', 'upper(quote_currency)'], '_loaded_at desc') }}
