with source as (select * from {{ source('tracking', 'follower_snapshots') }})

select
    platform,
    account_id,
    snapshot_date,
    lower(handle) as handle,
    followers,
    following,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['platform', 'account_id', 'snapshot_date'], '_loaded_at desc, _source_row desc') }}
