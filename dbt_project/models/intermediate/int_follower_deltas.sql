-- One row per platform account and day with a one-day follower delta and the median and MAD of the deltas of
-- the previous var growth_window_days days (the robust baseline the spike rule compares against).
-- Incremental: for each account with snapshots loaded since the last run, only the days from its earliest new or
-- corrected snapshot on are recomputed, from the history their deltas and baselines look back on (one day for the
-- delta, growth_window_days for the baseline). Late and corrected snapshots are handled: the earliest one decides.
{{ config(materialized='incremental', unique_key=['platform', 'account_id', 'snapshot_date'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by('snapshot_date'),
          on_schema_change='fail') }}
{%- set lookback_days = var('growth_window_days') + 1 %}
with
{%- if is_incremental() %}
{%- set loaded_since %}
    -- An empty table (no account with two consecutive days yet) has no watermark: everything is new.
    where loaded_at > (
        select coalesce(max(source_loaded_at), {{ before_any_load() }}) from {{ this }}
    )
{%- endset %}
changed as (
    {%- if target.type == 'spark' %}
    -- Spark rewrites whole days (the table's partitions): every account from the earliest changed day of any.
    select distinct
        platform,
        account_id,
        (select min(snapshot_date) from {{ ref('int_follower_snapshots') }} {{ loaded_since }}) as first_changed_date
    from {{ ref('int_follower_snapshots') }}
    {%- else %}
    select
        platform,
        account_id,
        min(snapshot_date) as first_changed_date
    from {{ ref('int_follower_snapshots') }}
    {{ loaded_since }}
    group by platform, account_id
    {%- endif %}
),
{%- endif %}

snapshots as (
    select s.*
    from {{ ref('int_follower_snapshots') }} as s
    {%- if is_incremental() %}
        inner join changed as c
            on
                s.platform = c.platform
                and s.account_id = c.account_id
                and s.snapshot_date >= c.first_changed_date - {{ lookback_days }}
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
),

with_baselines as (
    select
        {{ star_except(['source_loaded_at']) }},
        {{ trailing_median('follower_delta', 'platform, account_id', 'snapshot_date', var('growth_window_days')) }}
            as median_delta_28d,
        {{ trailing_mad('follower_delta', 'platform, account_id', 'snapshot_date', var('growth_window_days')) }}
            as mad_delta_28d,
        source_loaded_at
    from daily
)

select * from with_baselines
{%- if is_incremental() %}
    -- The look-back days only fed the windows (so this filter comes after them): their own rows are unchanged.
    where exists (
        select 1 from changed as c
        where
            c.platform = with_baselines.platform
            and c.account_id = with_baselines.account_id
            and with_baselines.snapshot_date >= c.first_changed_date
    )
{%- endif %}
