-- The follower history of each creator's accounts, one row per platform account and day with a snapshot: the
-- count, the one-day change, and the vetting's flag on the days it counted a jump or drop (the follower rows of
-- creator_vetting_evidence, so the chart and the verdict's reasons always agree).
with snapshots as (select * from {{ ref('int_follower_snapshots') }}),

deltas as (select * from {{ ref('int_follower_deltas') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

flags as (
    select * from {{ ref('creator_vetting_evidence') }}
    where reason_code like 'follower%'
)

select
    accounts.creator_id,
    snapshots.platform,
    snapshots.account_id,
    snapshots.snapshot_date,
    cast(snapshots.followers as bigint) as followers,
    cast(deltas.follower_delta as bigint) as follower_delta,
    snapshots.snapshot_source,
    flags.reason_code is not null as is_flagged,
    flags.reason_code as flag_reason_code,
    flags.detail as flag_detail
from snapshots
inner join accounts on snapshots.platform = accounts.platform and snapshots.account_id = accounts.account_id
left join deltas
    on
        snapshots.platform = deltas.platform
        and snapshots.account_id = deltas.account_id
        and snapshots.snapshot_date = deltas.snapshot_date
left join flags
    on
        accounts.creator_id = flags.creator_id
        and snapshots.platform = flags.platform
        and snapshots.snapshot_date = flags.observed_on
