-- Every creator sent to review or rejected has at least one key reason, and nobody has more than three.
-- Returns the offending creator x platform rows.
with vetting as (select * from {{ ref('creator_vetting') }}),

reasons as (select * from {{ ref('creator_vetting_reasons') }}),

key_reasons as (
    select
        creator_id,
        platform,
        count(*) as key_reasons
    from reasons
    where is_key_reason
    group by 1, 2
)

select
    vetting.creator_id,
    vetting.platform,
    vetting.verdict,
    coalesce(key_reasons.key_reasons, 0) as key_reasons
from vetting
left join key_reasons on vetting.creator_id = key_reasons.creator_id and vetting.platform = key_reasons.platform
where
    coalesce(key_reasons.key_reasons, 0) > 3
    or (vetting.verdict in ('review', 'reject') and coalesce(key_reasons.key_reasons, 0) = 0)
