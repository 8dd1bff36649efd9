-- One row per platform account and day with a one-day follower delta and the median and MAD of the deltas of
-- the previous var growth_window_days days (the robust baseline the spike rule compares against).
-- Incremental: accounts with snapshots loaded since the last run are recomputed whole (their windows need the
-- history), so late-arriving and corrected snapshots are handled.
{{ config(materialized='incremental', unique_key=['platform', 'account_id', 'snapshot_date'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}
with snapshots as (
    select * from {{ ref('stg_tracking__follower_snapshots') }}
    {%- if is_incremental() %}
        where (platform, account_id) in (
            select
                platform,
                account_id
            from {{ ref('stg_tracking__follower_snapshots') }}
            where loaded_at > (select max(source_loaded_at) from {{ this }})
        )
    {%- endif %}
),

deltas as (
    select
        platform,
        account_id,
        snapshot_date,
        followers,
        lag(followers) over (partition by platform, account_id order by snapshot_date) as previous_followers,
        lag(snapshot_date) over (partition by platform, account_id order by snapshot_date) as previous_date,
        max(loaded_at) over () as source_loaded_at
    from snapshots
),

daily as (
    select
        platform,
        account_id,
        snapshot_date,
        followers,
        previous_followers,
        followers - previous_followers as follower_delta,
        source_loaded_at
    from deltas
    -- A delta is a one-day change: skip pairs around a missing day.
    where previous_date = snapshot_date - 1
)

select
    platform,
    account_id,
    snapshot_date,
    followers,
    previous_followers,
    follower_delta,
    {{ trailing_median('follower_delta', 'platform, account_id', 'snapshot_date', var('growth_window_days')) }}
        as median_delta_28d,
    {{ trailing_mad('follower_delta', 'platform, account_id', 'snapshot_date', var('growth_window_days')) }}
        as mad_delta_28d,
    source_loaded_at
from daily
