-- The follower history: one row per platform account and day. Daily tracking snapshots, plus the follower count
-- TikTok scraper exports carry for each video's author (authorMeta.fans) on the day of the scrape, on days the
-- tracking file has no snapshot of that account. Of several scrapes in a day the newest counts.
-- Incremental: a run recomputes the account days with tracking snapshots loaded since the last one, and every
-- scraped day (few, and the account a scraped author maps to follows the creators template, which may have changed):
-- the scraped rows are deleted first, so a day whose author now maps to another account leaves no stale row.
{{ config(materialized='incremental', unique_key=['platform', 'account_id', 'snapshot_date'],
          incremental_strategy=incremental_strategy(), partition_by=spark_partition_by('snapshot_date'),
          on_schema_change='fail',
          pre_hook="{% if is_incremental() and target.type != 'spark' %}
                    delete from {{ this }} where snapshot_source = 'tiktok_scraper'{% endif %}")
}}
with
{%- if is_incremental() %}
    changed as (
        select
            platform,
            account_id,
            snapshot_date
        from {{ ref('stg_tracking__follower_snapshots') }}
        where loaded_at > {{ incremental_watermark() }}
        union
        select
            'tiktok' as platform,
            account_id,
            cast(scraped_at as date) as snapshot_date
        from {{ ref('int_tiktok_scraper_videos') }}
        where follower_count is not null
    ),
{%- endif %}

tracking as (select * from {{ ref('stg_tracking__follower_snapshots') }}),

scraped as (select * from {{ ref('int_tiktok_scraper_videos') }}),

candidates as (
    select
        platform,
        account_id,
        snapshot_date,
        followers,
        'tracking' as snapshot_source,
        loaded_at,
        1 as priority,
        cast(null as timestamp) as scraped_at,
        cast(null as bigint) as source_row
    from tracking
    union all
    select
        'tiktok',
        account_id,
        cast(scraped_at as date),
        follower_count,
        'tiktok_scraper',
        loaded_at,
        2,
        scraped_at,
        source_row
    from scraped
    where follower_count is not null
)

select
    platform,
    account_id,
    snapshot_date,
    followers,
    snapshot_source,
    loaded_at
from candidates
{%- if is_incremental() %}
    {%- if target.type == 'spark' %}
    -- Spark rewrites whole days (the table's partitions), so every account of a changed day is recomputed; the
    -- scraped days are among them, so no stale scraped row is left either.
    where snapshot_date in (select changed.snapshot_date from changed)
    {%- else %}
    where (platform, account_id, snapshot_date) in (
        select
            changed.platform,
            changed.account_id,
            changed.snapshot_date
        from changed
    )
    {%- endif %}
{%- endif %}
qualify row_number() over (
    partition by platform, account_id, snapshot_date
    order by priority asc, scraped_at desc, loaded_at desc, source_row desc
) = 1
