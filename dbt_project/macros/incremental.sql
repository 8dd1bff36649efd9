{#- Helpers of the incremental models (docs/decisions.md, "Incremental staging"). -#}

{# The newest load time an incremental model has taken in (column loaded_at of its own table); -infinity while the
   table is empty, so that a first delivery after an empty one is still new. #}
{% macro incremental_watermark() -%}
    (select coalesce(max(loaded_at), {{ before_any_load() }}) from {{ this }})
{%- endmacro %}

{# A timestamp before every load, for the watermark of an empty table. #}
{% macro before_any_load() -%}
    {{ return(adapter.dispatch('before_any_load')()) }}
{%- endmacro %}
{% macro default__before_any_load() %}cast('-infinity' as timestamptz){% endmacro %}
{% macro spark__before_any_load() %}timestamp'0001-01-01 00:00:00'{% endmacro %}

{# In an incremental run, a WHERE clause keeping the rows of the source `relation` whose key has a row loaded
   (_loaded_at) since the model's watermark: each changed key is then rebuilt from all its rows (its newest version
   wins again), every other key is left as it is. On Spark, the rows of every key in the same partition as a changed
   one (`partition_column` where the model is partitioned by a key column, else the key's bucket): see
   incremental_strategy(). Outside an incremental run, nothing (every row). #}
{% macro where_key_changed(relation, key_columns, partition_column=none) -%}
    {%- if is_incremental() %}
    {%- set loaded_since %}from {{ relation }} where _loaded_at > {{ incremental_watermark() }}{% endset %}
    {%- if target.type == 'spark' and partition_column %}
    where {{ partition_column }} in (select {{ partition_column }} {{ loaded_since }})
    {%- else %}
    where {{ key_changed(key_columns, 'select ' ~ key_columns | join(', ') ~ ' ' ~ loaded_since) }}
    {%- endif %}
    {%- endif %}
{%- endmacro %}

{# A predicate of an incremental run: the row's key (`key_columns`, SQL expressions) is one of `changed_keys` (a
   query selecting as many columns, in the same order). On Spark: the row's key is in the same bucket as a changed
   key, so that each bucket written is recomputed whole. #}
{% macro key_changed(key_columns, changed_keys) -%}
    {%- if target.type == 'spark' -%}
        {%- set names = [] %}{% for _ in key_columns %}{% do names.append('key_' ~ loop.index) %}{% endfor -%}
        {{ key_bucket(key_columns) }} in (
            select {{ key_bucket(names) }} from ({{ changed_keys }}) as changed_keys ({{ names | join(', ') }})
        )
    {%- else -%}
        ({{ key_columns | join(', ') }}) in ({{ changed_keys }})
    {%- endif -%}
{%- endmacro %}

{# Hooks of the models filtered by where_key_changed, and of the order attribution's two incremental models. DuckDB's
   planner reads the source view twice into one materialized copy and builds its hash table on the whole history
   instead of the few changed keys (35 s instead of 1 s for the Shopify lines at scale M; at L the mart's changed
   customers alone ran out of 1 GB): these two optimizer rules are off while such a model runs. An optimizer rule
   never changes a result; the setting is global, so a model running beside it meanwhile is only planned without them. #}
{% macro changed_keys_plan_begin() -%}
    {%- if is_incremental() and target.type == 'duckdb' %}set disabled_optimizers = 'common_subplan,build_side_probe_side'{% endif -%}
{%- endmacro %}

{% macro changed_keys_plan_end() -%}
    {%- if is_incremental() and target.type == 'duckdb' %}reset disabled_optimizers{% endif -%}
{%- endmacro %}

{# The strategy of the incremental models. DuckDB: delete+insert of the changed keys. Spark: insert_overwrite of the
   partitions holding them (dbt-spark has no delete+insert, and merge needs Delta or Iceberg, whose jars are not
   installable here). A model is partitioned by a day where its key has one (snapshot_date), else by `key_bucket`, a
   hash of its key into var spark_key_buckets buckets (a column on Spark only). A key never changes partition and
   always yields a row, so writing the partitions of the changed keys, each recomputed whole, leaves no stale row and
   every other partition as it was. #}
{% macro incremental_strategy() -%}
    {{ return('insert_overwrite' if target.type == 'spark' else 'delete+insert') }}
{%- endmacro %}

{% macro spark_partition_by(column='key_bucket') -%}
    {{ return([column] if target.type == 'spark' else none) }}
{%- endmacro %}

{% macro key_bucket(key_columns) -%}
    pmod(hash({{ key_columns | join(', ') }}), {{ var('spark_key_buckets') }})
{%- endmacro %}

{# The partition column of a model partitioned by key bucket, appended to its select list on Spark only. Called on a
   line of its own at the margin, after the last column: sqlfluff lints the DuckDB rendering, an empty line. #}
{% macro key_bucket_column(key_columns) -%}
    {%- if target.type == 'spark' %},
    {{ key_bucket(key_columns) }} as key_bucket{% endif -%}
{%- endmacro %}

{# A post-hook of every model (dbt_project.yml). dbt-duckdb runs an incremental model into a temporary table, then
   deletes and inserts from it, and never drops it on a local file; this drops the model's own. It did not by itself
   keep the daily run at scale L from running out of 1 GB in int_posts (docs/decisions.md, 2026-11-27, corrected in
   session 16). No test at scale S reaches that memory pressure; the L daily run of docs/benchmarks.md is the check. #}
{% macro drop_incremental_temp_tables() -%}
    {%- if execute and target.type == 'duckdb' and model.config.materialized == 'incremental' -%}
        {%- set found = run_query("select table_name from duckdb_tables() where temporary and table_name like '"
                                  ~ this.identifier ~ "__dbt_tmp%'") -%}
        {%- for row in found.rows %}drop table if exists temp.main."{{ row[0] }}";{% endfor -%}
    {%- endif -%}
{%- endmacro %}
