{# Week-over-week change of a weekly mart (creator_weekly_performance, campaign_performance: one rule for both): null
   for the first week (no previous_* value) and for a week not complete (is_complete_week false: the week still
   running, whose orders so far are not a fall against a whole week). #}
{% macro week_over_week_columns() -%}
    case when is_complete_week then cast(net_revenue - previous_net_revenue as decimal(38, 2)) end
        as net_revenue_wow_change,
    case
        when is_complete_week
            then {{ round_double(safe_divide('net_revenue - previous_net_revenue', 'previous_net_revenue'), 4) }}
    end as net_revenue_wow_pct,
    case when is_complete_week then orders - previous_orders end as orders_wow_change
{%- endmacro %}
