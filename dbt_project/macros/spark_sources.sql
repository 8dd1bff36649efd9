{#- The sources on Spark (issue 17). With PIPELINE_LAKE_DIR set, ingest writes every committed raw batch as Parquet
    in a Hive layout, <lake>/raw/<table>/load_date=YYYY-MM-DD/<load_id>.parquet, and the raw gate's verdicts as
    <lake>/state/batch_gate (ingest/lake.py explains the layout and types: pseudonyms as 32 hex digits, JSON as
    text, TIMESTAMPTZ as a UTC instant). On Spark, the on-run-start hook register_spark_sources() declares:
    - raw.<table> over <lake>/raw/<table>, partitioned by load_date (each table's empty.parquet gives a source with
      no batch yet its columns; mergeSchema: a batch written before a column was added lacks it);
    - raw.batch_gate over the verdicts;
    - a source dbt reads ungated (schema raw: raw.comment_scores) as that raw table alone;
    - gated.<table>, the same rule as the DuckDB views (expectations/state.py): the rows of passed and admitted
      batches, an admitted batch's _loaded_at = greatest(_loaded_at, decided_at),
    so the sources' YAML and every staging model stay the same on both targets. -#}

{# Spark only; re-declared every run (a new batch or verdict is read at once; dropping such a table never deletes
   its files). #}
{% macro register_spark_sources() %}
    {%- if execute and target.type == 'spark' %}
        {%- set lake = env_var('PIPELINE_LAKE_DIR') %}
        {%- do run_query("create database if not exists raw") %}
        {%- do run_query("drop table if exists raw.batch_gate") %}
        {%- do run_query("create table raw.batch_gate using parquet location '" ~ lake ~ "/state/batch_gate'") %}
        {%- for node in graph.sources.values() %}
            {%- set raw = api.Relation.create(schema='raw', identifier=node.identifier) %}
            {%- do run_query("create database if not exists " ~ node.schema) %}
            {%- do run_query("drop table if exists " ~ raw) %}
            {%- do run_query("create table " ~ raw ~ " using parquet options (mergeSchema 'true') location '"
                ~ lake ~ "/raw/" ~ node.identifier ~ "'") %}
            {%- if node.schema == 'gated' %}
                {#- The metastore lists a table's partitions: without this, the load_date folders are not read. #}
                {%- do run_query("msck repair table " ~ raw) %}
                {%- set select_list = [] %}
                {%- for column in adapter.get_columns_in_relation(raw)
                    if column.name not in ('load_date', '_loaded_at') %}
                    {%- do select_list.append('r.' ~ adapter.quote(column.name)) %}
                {%- endfor %}
                {%- do run_query("create or replace view gated." ~ node.identifier ~ " as select "
                    ~ select_list | join(', ') ~ ", case when g.status = 'admitted' then greatest(r._loaded_at, "
                    ~ "g.decided_at) else r._loaded_at end as _loaded_at from " ~ raw ~ " r join raw.batch_gate g "
                    ~ "on g.load_id = r._load_id and g.status in ('passed', 'admitted')") %}
            {%- endif %}
        {%- endfor %}
    {%- endif %}
{% endmacro %}
