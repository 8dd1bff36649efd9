-- One row per creator account listed by a discovery tool; a handle on a newer list replaces its older values.
with source as (select * from {{ source('discovery', 'discovery_creators') }}),

renamed as (
    select
        lower(platform) as platform,
        lower({{ trim_leading('username', '@') }}) as handle,
        full_name,
        followers,
        -- "2.3%" (ingest accepted only this shape) as a fraction, like every rate in the marts; rounded so that
        -- 0.9% is 0.009, not 0.009000000000000001.
        round(cast(trim({{ trim_trailing('engagement_rate', '%') }}) as double) / 100, 8) as engagement_rate,
        country as reported_country,
        category,
        profile_url,
        regexp_extract(_source_file, '[^/]+$') as list_file,
        _source_row,
        _loaded_at
    from source
)

select
    platform,
    handle,
    full_name,
    followers,
    engagement_rate,
    reported_country,
    category,
    profile_url,
    list_file,
    _loaded_at as loaded_at
from renamed
{{ newest_per_key(['platform', 'handle'], '_loaded_at desc, _source_row desc') }}
