-- Share of an account's audience in the brand's target countries (var target_countries).
-- Instagram: follower demographics by country; YouTube: views by viewer country. TikTok exposes none.
with audience as (
    select
        'instagram' as platform,
        account_id,
        country_code,
        follower_count as audience
    from {{ ref('stg_instagram__audience') }}
    union all
    select
        'youtube',
        account_id,
        country_code,
        views
    from {{ ref('stg_youtube__audience') }}
)

select
    platform,
    account_id,
    cast(sum(audience) as bigint) as audience_measured,
    {%- set in_target = 'case when country_code in ' ~ csv_var_as_sql_list('target_countries')
                        ~ ' then audience else 0 end' %}
    {{ safe_divide('sum(' ~ in_target ~ ')', 'sum(audience)') }} as geo_match
from audience
group by 1, 2
