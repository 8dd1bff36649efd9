{# The rate that turns an amount in `currency` into the reporting currency, from the int_fx_rates_daily rows joined
   for that currency (`from_fx`) and for the reporting currency (`to_fx`) on the amount's day: 1 for the reporting
   currency itself, and USD, the base, needs no row. NULL when a needed rate is missing (fx_rate_present stops the
   build). #}
{% macro rate_to_reporting(currency, from_fx, to_fx) -%}
    {%- set reporting = var('reporting_currency') -%}
    case
        when {{ currency }} = '{{ reporting }}' then cast(1 as decimal(18, 10))
        else {{ cross_rate(
            "case when '" ~ reporting ~ "' = 'USD' then 1 else " ~ to_fx ~ ".units_per_usd end",
            "case when " ~ currency ~ " = 'USD' then 1 else " ~ from_fx ~ ".units_per_usd end"
        ) }}
    end
{%- endmacro %}
