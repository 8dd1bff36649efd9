{# A ratio as reasons write a multiple: one decimal and an x, e.g. 3.1x; never "-0.0x". #}
{% macro multiple_words(column) -%}
    printf('%.1fx', case when abs({{ column }}) < 0.05 then 0.0 else {{ column }} end)
{%- endmacro %}
