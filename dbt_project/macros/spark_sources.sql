{#- The sources on Spark (issue 17, first step). Ingest loads the raw batches into DuckDB, and dbt reads the gated
    views (schema gated: the batches the raw gate passed or a person admitted). Spark cannot read a DuckDB file, so:
    1. on DuckDB, `dbt run-operation export_sources_to_parquet --args '{dir: DIR}'` writes every source table to
       the folder DIR/<table> (Hive's metastore wants a folder, which DuckDB makes with per_thread_output), in types
       both engines have: a pseudonym (UHUGEINT, 128 bits: no Spark type holds it) as its 32 hex digits, as staging
       publishes it anyway (macro pseudonym_hex), JSON as text, TIMESTAMPTZ as a UTC instant;
    2. on Spark, the on-run-start hook register_spark_sources() declares each folder as table gated.<table>, so the
       sources' YAML and every staging model stay the same on both targets.
    The next step (issue 17, ingest part): ingest writes the raw batches as Parquet partitioned by load date, and
    both engines read those; this export then goes away. -#}

{% macro export_sources_to_parquet(dir) %}
    {%- for node in graph.sources.values() %}
        {%- set relation = source(node.source_name, node.name) %}
        {%- set columns = adapter.get_columns_in_relation(relation) %}
        {%- set select_list = [] %}
        {%- for column in columns %}
            {%- set type = column.dtype | upper %}
            {%- set name = adapter.quote(column.name) %}
            {%- if type == 'UHUGEINT' %}
                {%- do select_list.append(pseudonym_hex(name) ~ ' as ' ~ name) %}
            {%- elif type == 'JSON' %}
                {%- do select_list.append('cast(' ~ name ~ ' as varchar) as ' ~ name) %}
            {%- else %}
                {%- do select_list.append(name) %}
            {%- endif %}
        {%- endfor %}
        {%- do run_query("copy (select " ~ select_list | join(', ') ~ " from " ~ relation ~ ") to '" ~ dir ~ "/"
            ~ node.identifier ~ "' (format parquet, per_thread_output true, overwrite true)") %}
    {%- endfor %}
    {{ log("exported " ~ graph.sources | length ~ " source tables to " ~ dir, info=true) }}
{% endmacro %}

{# Spark only: each exported folder as table <schema>.<table> (re-declared every run: a new export is read at once;
   dropping such a table never deletes its file). #}
{% macro register_spark_sources() %}
    {%- if execute and target.type == 'spark' %}
        {%- set dir = env_var('PIPELINE_SPARK_SOURCES') %}
        {%- for node in graph.sources.values() %}
            {%- do run_query("create database if not exists " ~ node.schema) %}
            {%- do run_query("drop table if exists " ~ node.schema ~ "." ~ node.identifier) %}
            {%- do run_query("create table " ~ node.schema ~ "." ~ node.identifier ~ " using parquet location '"
                ~ dir ~ "/" ~ node.identifier ~ "'") %}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
