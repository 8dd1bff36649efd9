{#- JSON SQL that differs between DuckDB and Spark (the default is DuckDB's). On Spark a JSON column is text
    (macros/spark_sources.sql). -#}

{# One row per element of a JSON array (a select-list expression: the element as JSON). #}
{% macro unnest_json_array(json_column) -%}
    {{ return(adapter.dispatch('unnest_json_array')(json_column)) }}
{%- endmacro %}

{% macro default__unnest_json_array(json_column) -%}
    unnest(json_extract({{ json_column }}, '$[*]'))
{%- endmacro %}

{% macro spark__unnest_json_array(json_column) -%}
    explode(from_json({{ json_column }}, 'array<string>'))
{%- endmacro %}

{# The text at a JSON path ('$.field'), null when absent. #}
{% macro json_text(json, path) -%}
    {{ return(adapter.dispatch('json_text')(json, path)) }}
{%- endmacro %}

{% macro default__json_text(json, path) -%}
    {{ json }} ->> '{{ path }}'
{%- endmacro %}

{% macro spark__json_text(json, path) -%}
    get_json_object({{ json }}, '{{ path }}')
{%- endmacro %}

{# A JSON column parsed into lists and structs: DuckDB's json_transform structure and the same shape as Spark DDL
   (both written out: the two engines name the types differently). #}
{% macro parse_json(json, duckdb_structure, spark_schema) -%}
    {{ return(adapter.dispatch('parse_json')(json, duckdb_structure, spark_schema)) }}
{%- endmacro %}
{% macro default__parse_json(json, duckdb_structure, spark_schema) %}json_transform({{ json }}, '{{ duckdb_structure }}'){% endmacro %}
{% macro spark__parse_json(json, duckdb_structure, spark_schema) %}from_json({{ json }}, '{{ spark_schema }}'){% endmacro %}
