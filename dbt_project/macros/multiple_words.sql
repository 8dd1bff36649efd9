{# A ratio (ROAS, value to CPA) as reasons write a multiple: one decimal and a ×, e.g. 3.1×; never "-0.0×". #}
{% macro multiple_words(column) -%}
    {%- set shown = 'case when abs(' ~ column ~ ') < 0.05 then 0.0 else ' ~ column ~ ' end' %}
    {{ number_text(shown, 1, thousands=false) }} || '×'
{%- endmacro %}

{# A return as reasons write a percentage (ROI is always a percentage, ROAS a multiple): no decimals, thousands
   separated, e.g. 1,120%; never "-0%". #}
{% macro percent_words(column) -%}
    {{ number_text('case when abs(' ~ column ~ ') < 0.005 then 0.0 else ' ~ column ~ ' * 100 end', 0) }} || '%'
{%- endmacro %}

{# A count and its noun as reasons write them: "1 order", "3 orders", "1 day" (never "1 days"). #}
{% macro count_words(column, noun) -%}
    {{ column }} || case when {{ column }} = 1 then ' {{ noun }}' else ' {{ noun }}s' end
{%- endmacro %}
