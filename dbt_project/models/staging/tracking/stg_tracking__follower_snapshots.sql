-- Incremental (the newest version per day is a window over all history): a run rebuilds the account days with
-- snapshots loaded since the last one, from all their deliveries, and replaces them.
{{ config(materialized='incremental', unique_key=['platform', 'account_id', 'snapshot_date'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by('snapshot_date'),
          on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
with source as (
    select * from {{ source('tracking', 'follower_snapshots') }}
    {{ where_key_changed(source('tracking', 'follower_snapshots'), ['platform', 'account_id', 'snapshot_date'],
                      'snapshot_date') }}
)

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
