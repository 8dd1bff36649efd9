{#- Text SQL that differs between DuckDB and Spark (the default is DuckDB's). -#}

{# A number as reasons write it: `decimals` digits after the point (none: an integer, as it is), thousands separated
   by commas unless thousands=false. DuckDB's format() rounds the exact binary value of a DOUBLE half to even (a
   DECIMAL is formatted as its DOUBLE). Spark's format_number does the same on a DOUBLE, but rounds a DECIMAL's own
   digits, and its printf/format_string rounds half up (0.25 -> '0.3', DuckDB '0.2'): a DOUBLE through format_number
   here, commas removed when not wanted. #}
{% macro number_text(value, decimals=none, thousands=true) -%}
    {{ return(adapter.dispatch('number_text')(value, decimals, thousands)) }}
{%- endmacro %}

{% macro default__number_text(value, decimals, thousands) -%}
    {%- set spec = ':' ~ (',' if thousands else '') ~ ('.' ~ decimals ~ 'f' if decimals is not none else '') -%}
    format('{{ '{' ~ spec ~ '}' }}', {{ value }})
{%- endmacro %}

{% macro spark__number_text(value, decimals, thousands) -%}
    {%- set grouped -%}
        {%- if decimals is none -%}
            format_number({{ value }}, 0)
        {%- else -%}
            format_number(cast({{ value }} as double), {{ decimals }})
        {%- endif -%}
    {%- endset -%}
    {{ grouped if thousands else 'replace(' ~ grouped ~ ", ',', '')" }}
{%- endmacro %}
