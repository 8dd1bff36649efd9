-- The marts' key columns are `not_null` constraints of their contracts (models/marts/_marts__models.yml). DuckDB
-- enforces them on write, so there this test is disabled and costs nothing; Spark's Parquet tables do not (dbt-spark
-- enforces them on Delta only), so on Spark this one query checks every declared key once the marts are built.
-- Returns a row per mart and column holding NULLs. Every mart is named below so the test runs after all of them
-- (tests/unit/test_published_marts.py checks the list against the YAML).
{{ config(enabled=target.type != 'duckdb') }}
-- depends_on: {{ ref('budget_recommendations') }}, {{ ref('campaign_performance') }}
-- depends_on: {{ ref('content_format_performance') }}, {{ ref('content_post_performance') }}
-- depends_on: {{ ref('contract_deliverables') }}, {{ ref('contract_exclusivity_breaches') }}
-- depends_on: {{ ref('creator_customer_value') }}, {{ ref('creator_follower_history') }}
-- depends_on: {{ ref('creator_roi') }}, {{ ref('creator_vetting') }}, {{ ref('creator_vetting_evidence') }}
-- depends_on: {{ ref('creator_vetting_reasons') }}, {{ ref('creator_weekly_performance') }}
-- depends_on: {{ ref('order_attribution') }}, {{ ref('posting_time_performance') }}, {{ ref('rate_fairness') }}
-- depends_on: {{ ref('rate_review') }}, {{ ref('seeding_performance') }}, {{ ref('seeding_programme') }}
{%- set checks = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.config.contract.enforced -%}
        {%- for column in node.columns.values()
            if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
            {%- do checks.append(
                "select '" ~ node.name ~ "' as mart, '" ~ column.name ~ "' as column_name, count(*) as null_rows"
                ~ " from " ~ node.relation_name ~ " where " ~ adapter.quote(column.name) ~ " is null"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

select
    mart,
    column_name,
    null_rows
from (
    {{ checks | join('\n    union all\n    ') if checks else "select '' as mart, '' as column_name, 0 as null_rows" }}
) as keys_checked
where null_rows > 0
