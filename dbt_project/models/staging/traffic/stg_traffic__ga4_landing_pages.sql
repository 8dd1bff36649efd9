-- One row per GA4 landing page (with its query string), day, source / medium and campaign, as downloaded: the
-- report's totals row (no date) is kept here and left out by int_link_traffic. A re-downloaded day replaces its
-- older version.
with source as (select * from {{ source('traffic', 'ga4_landing_pages') }}),

renamed as (
    select
        landing_page,
        cast({{ try_strptime('session_date', '%Y%m%d') }} as date) as session_date,
        source_medium,
        campaign,
        sessions,
        engaged_sessions,
        -- GA4 renamed Conversions to Key events in March 2024: an older export has the former.
        coalesce(key_events, conversions) as key_events,
        total_revenue,
        _source_row,
        _loaded_at
    from source
)

select
    landing_page,
    session_date,
    source_medium,
    campaign,
    sessions,
    engaged_sessions,
    key_events,
    total_revenue,
    _loaded_at as loaded_at
from renamed
{{ newest_per_key(['session_date', 'landing_page', 'source_medium', 'campaign'], '_loaded_at desc, _source_row desc') }}
