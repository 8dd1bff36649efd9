-- Audience by country per platform account, from the platforms that report it: Instagram follower
-- demographics and YouTube views by viewer country (TikTok's Display API exposes none).
with audience as (
    select
        'instagram' as platform,
        account_id,
        country_code,
        follower_count as audience
    from {{ ref('stg_instagram__audience') }}
    union all
    select
        'youtube' as platform,
        account_id,
        country_code,
        views as audience
    from {{ ref('stg_youtube__audience') }}
)

select
    platform,
    account_id,
    country_code,
    audience,
    audience / sum(audience) over (partition by platform, account_id) as audience_share
from audience
