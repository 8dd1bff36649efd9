{#- Seeds on Spark: dbt-spark 1.11's own spark__load_csv_rows binds each value as '<python str(value)>' in session
    mode, without escaping: a quote in a seed (Instagram's paid-partnership label) breaks the INSERT, and an empty
    cell is loaded as the text 'None'. This one writes each value as an escaped SQL literal (null for an empty cell),
    in batches of dbt's seed batch size. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) %}
    {%- set types = [] %}
    {%- for col_name in agate_table.column_names %}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
    {%- endfor %}
    {%- set statements = [] %}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) %}
        {%- set sql %}
            insert into {{ this.render() }} values
            {%- for row in chunk %}
            ({%- for value in row -%}
                cast({{ spark_literal(value) }} as {{ types[loop.index0] }}){% if not loop.last %}, {% endif %}
            {%- endfor -%}){% if not loop.last %},{% endif %}
            {%- endfor %}
        {%- endset %}
        {%- do adapter.add_query(sql, abridge_sql_log=True) %}
        {%- do statements.append(sql) if loop.first %}
    {%- endfor %}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}

{# A CSV value as a Spark SQL string literal (Spark's literals take backslash escapes); null for an empty cell. #}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
