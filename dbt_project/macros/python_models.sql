{% macro drop_python_model_batches() %}
    {#- dbt-duckdb 1.11.1 writes an incremental run's batch of a Python model to a real table
        main.<model>__dbt_tmp<timestamp> (py_write_table ignores `temporary`) and never drops it: a post-hook of the
        model drops it, and any left by a run that failed. -#}
    {%- set batches = run_query(
        "select table_name from information_schema.tables where table_catalog = '" ~ this.database
        ~ "' and table_schema = 'main' and starts_with(table_name, '" ~ this.identifier ~ "__dbt_tmp')"
    ) if execute else [] %}
    {%- for batch in batches %}
        drop table if exists "{{ this.database }}"."main"."{{ batch[0] }}";
    {%- endfor %}
{% endmacro %}
