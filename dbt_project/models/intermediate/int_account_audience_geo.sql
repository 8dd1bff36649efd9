-- Share of an account's audience in the brand's target countries (var target_countries).
with audience as (select * from {{ ref('int_account_audience') }})

select
    platform,
    account_id,
    cast(sum(audience) as bigint) as audience_measured,
    {%- set in_target = 'case when country_code in ' ~ csv_var_as_sql_list('target_countries')
                        ~ ' then audience else 0 end' %}
    {{ safe_divide('sum(' ~ in_target ~ ')', 'sum(audience)') }} as geo_match
from audience
group by 1, 2
