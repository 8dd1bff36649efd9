-- Clicks and sessions agree over any slice: per campaign, the sum over creator_roi's creators equals the campaign's
-- total in int_link_traffic (every credited click and session is in exactly one creator x campaign row). Returns
-- the campaigns that disagree, with both sides.
with roi as (
    select
        campaign_id,
        sum(clicks) as clicks,
        sum(sessions) as sessions
    from {{ ref('creator_roi') }}
    group by 1
),

traffic as (
    select
        campaign_id,
        sum(clicks) as clicks,
        sum(sessions) as sessions
    from {{ ref('int_link_traffic') }}
    group by 1
)

select
    coalesce(roi.campaign_id, traffic.campaign_id) as campaign_id,
    roi.clicks as roi_clicks,
    traffic.clicks as traffic_clicks,
    roi.sessions as roi_sessions,
    traffic.sessions as traffic_sessions
from roi
full outer join traffic on roi.campaign_id = traffic.campaign_id
where
    roi.clicks is distinct from traffic.clicks
    or roi.sessions is distinct from traffic.sessions
