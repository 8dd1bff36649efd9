-- Clicks (Bitly) and sessions (GA4) per creator x campaign x link x day. A row of either export belongs to the
-- creator link whose link_id is its URL's ref= value (ignoring case, like an order's landing page) on a day inside
-- the assignment's valid_from..valid_to; traffic on other days, or with no known ref, credits nobody. GA4's totals
-- row (no date) is never counted.
with link_assignments as (select * from {{ ref('stg_marketing__link_assignments') }}),

clicks as (
    select
        lower({{ url_param('long_url', 'ref') }}) as link_ref,
        click_date as traffic_date,
        sum(clicks) as clicks
    from {{ ref('stg_traffic__bitly_clicks') }}
    group by 1, 2
),

-- A landing page's sessions are split by source / medium and campaign (and their spelling, e.g. Instagram vs
-- instagram): summed per link and day.
sessions as (
    select
        lower({{ url_param('landing_page', 'ref') }}) as link_ref,
        session_date as traffic_date,
        sum(sessions) as sessions,
        sum(engaged_sessions) as engaged_sessions,
        sum(key_events) as key_events
    from {{ ref('stg_traffic__ga4_landing_pages') }}
    where session_date is not null
    group by 1, 2
),

traffic as (
    select
        coalesce(clicks.link_ref, sessions.link_ref) as link_ref,
        coalesce(clicks.traffic_date, sessions.traffic_date) as traffic_date,
        clicks.clicks,
        sessions.sessions,
        sessions.engaged_sessions,
        sessions.key_events
    from clicks
    full outer join sessions on clicks.link_ref = sessions.link_ref and clicks.traffic_date = sessions.traffic_date
)

select
    link_assignments.creator_id,
    link_assignments.campaign_id,
    link_assignments.link_id,
    traffic.traffic_date,
    cast(traffic.clicks as bigint) as clicks,
    cast(traffic.sessions as bigint) as sessions,
    cast(traffic.engaged_sessions as bigint) as engaged_sessions,
    cast(traffic.key_events as bigint) as key_events
from traffic
inner join link_assignments
    on
        traffic.link_ref = link_assignments.link_id
        and traffic.traffic_date between link_assignments.valid_from and link_assignments.valid_to
