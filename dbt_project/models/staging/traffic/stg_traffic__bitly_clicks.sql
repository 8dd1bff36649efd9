-- One row per Bitly short link and day; a re-delivered day replaces its older version.
with source as (select * from {{ source('traffic', 'bitly_clicks') }}),

renamed as (
    select
        bitlink,
        long_url,
        cast(coalesce(
            {{ try_strptime('click_date', '%Y-%m-%d') }},
            {{ try_strptime('click_date', '%Y-%m-%dT%H:%M:%S%z') }},
            {{ try_strptime('click_date', '%m/%d/%Y') }}
        ) as date) as click_date,
        clicks,
        _source_row,
        _loaded_at
    from source
)

select
    bitlink,
    long_url,
    click_date,
    clicks,
    _loaded_at as loaded_at
from renamed
{{ newest_per_key(['bitlink', 'click_date'], '_loaded_at desc, _source_row desc') }}
