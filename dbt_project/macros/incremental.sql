{#- Helpers of the incremental models (docs/decisions.md, "Incremental staging"). -#}

{# The newest load time an incremental model has taken in (column loaded_at of its own table); -infinity while the
   table is empty, so that a first delivery after an empty one is still new. #}
{% macro incremental_watermark() -%}
    (select coalesce(max(loaded_at), cast('-infinity' as timestamptz)) from {{ this }})
{%- endmacro %}

{# In an incremental run, a WHERE clause keeping the rows of the source `relation` whose key has a row loaded
   (_loaded_at) since the model's watermark: each changed key is then rebuilt from all its rows (its newest version
   wins again), every other key is left as it is. Outside an incremental run, nothing (every row). #}
{% macro where_key_changed(relation, key_columns) -%}
    {%- if is_incremental() %}
    where ({{ key_columns | join(', ') }}) in (
        select {{ key_columns | join(', ') }} from {{ relation }}
        where _loaded_at > {{ incremental_watermark() }}
    )
    {%- endif %}
{%- endmacro %}

{# Hooks of the models filtered by where_key_changed. DuckDB's planner reads the source view twice into one
   materialized copy and builds its hash table on the whole history instead of the few changed keys (35 s instead of
   1 s for the Shopify lines at scale M): these two optimizer rules are off while such a model runs. An optimizer rule
   never changes a result; the setting is global, so a model running beside it meanwhile is only planned without them. #}
{% macro changed_keys_plan_begin() -%}
    {%- if is_incremental() %}set disabled_optimizers = 'common_subplan,build_side_probe_side'{% endif -%}
{%- endmacro %}

{% macro changed_keys_plan_end() -%}
    {%- if is_incremental() %}reset disabled_optimizers{% endif -%}
{%- endmacro %}

{# The materialization of the incremental models: incremental on DuckDB (delete+insert of the changed keys); on
   Spark a table rebuilt whole by every run. dbt-spark has no delete+insert, `merge` needs Delta or Iceberg (not
   installable here), and insert_overwrite replaces whole partitions while where_key_changed selects changed keys
   only: a partition would lose its unchanged rows. Spark goes incremental once the batch is cut by partition. #}
{% macro incremental_materialization() -%}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{%- endmacro %}
