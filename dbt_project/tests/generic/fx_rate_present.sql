{# Fails for every currency and day whose amounts have no rate to the reporting currency (column_name is NULL), with
   a `message` naming the currency, the day and the newest earlier rate, so the operator knows which rate to add:
   amounts are never left NULL silently. Configure `where` to the rows that need a rate and store_failures: true
   (pipeline/dbt.py prints the stored messages when the build fails). #}
{% test fx_rate_present(model, column_name, currency_column, date_column, rows_are='rows') %}
{%- set reporting = var('reporting_currency') -%}
with missing as (
    select
        {{ currency_column }} as currency,
        {{ date_column }} as rate_date,
        count(*) as rows_without_rate
    from {{ model }}
    where {{ column_name }} is null
    group by 1, 2
),

-- Each units-per-USD rate the conversion needs and lacks: the amount's currency's, the reporting currency's, or both
-- (each leg once: a union, not a list literal, which the two engines spell differently).
missing_legs as (
    select
        missing.currency,
        missing.rate_date,
        missing.rows_without_rate,
        legs.leg_currency,
        fx.rate_from_date
    from missing
    inner join (
        select currency, currency as leg_currency from missing
        union
        select currency, '{{ reporting }}' as leg_currency from missing
    ) as legs on missing.currency = legs.currency
    left join {{ ref('int_fx_rates_daily') }} as fx
        on legs.leg_currency = fx.currency and missing.rate_date = fx.rate_date
    where legs.leg_currency <> 'USD' and fx.units_per_usd is null
)

select
    currency,
    rate_date,
    rows_without_rate,
    'no ' || currency || '→{{ reporting }} rate on ' || {{ format_date('rate_date', '%Y-%m-%d') }} || ' for '
    || rows_without_rate || ' {{ rows_are }}: '
    || {{ text_agg("case
            when rate_from_date is null
                then 'fx_rates*.csv has no USD→' || leg_currency || ' rate on or before that day'
            else 'the newest USD→' || leg_currency || ' rate is from ' || " ~ format_date('rate_from_date', '%Y-%m-%d') ~ "
                || ', more than " ~ var('fx_max_rate_age_days') ~ " days before (var fx_max_rate_age_days)'
        end", '; ', 'leg_currency') }}
    || '. Add the rate to fx/fx_rates*.csv in the landing folder and run again.' as message
from missing_legs
group by currency, rate_date, rows_without_rate
{% endtest %}
