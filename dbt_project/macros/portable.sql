{#- Small cross-database helpers, so the DuckDB-only syntax stays in one place (see docs/decisions.md). -#}

{# Newest version of each record wins: re-delivered rows (a corrected file, a re-fetched page). #}
{% macro newest_per_key(key_columns, order_by) -%}
    qualify row_number() over (partition by {{ key_columns | join(', ') }} order by {{ order_by }}) = 1
{%- endmacro %}

{# Shift a UTC timestamp by an offset string like -0400 / +05:30 / Z into the local wall clock. #}
{% macro local_timestamp(utc_ts, offset) -%}
    ({{ utc_ts }} + (case when {{ offset }} is null or {{ offset }} = 'Z' then 0
        else (case when left({{ offset }}, 1) = '-' then -1 else 1 end)
             * (cast(substr({{ offset }}, 2, 2) as integer) * 60 + cast(right({{ offset }}, 2) as integer))
        end) * interval '1 minute')
{%- endmacro %}

{# A comma-separated var as a SQL list of quoted, upper-cased strings. #}
{% macro csv_var_as_sql_list(var_name) -%}
    ({% for item in var(var_name).split(',') %}'{{ item | trim | upper }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{# A list var as a SQL list of quoted strings. #}
{% macro list_var_as_sql_list(var_name, lower=false) -%}
    ({% for item in var(var_name) %}'{{ item | lower if lower else item }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{# Engagements of a post: likes + comments + shares + saves (a count a platform does not report counts as 0). #}
{% macro engagements(prefix='') -%}
    (coalesce({{ prefix }}likes, 0) + coalesce({{ prefix }}comments, 0) + coalesce({{ prefix }}shares, 0)
        + coalesce({{ prefix }}saves, 0))
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{# DuckDB divides DECIMALs as DOUBLE; Spark keeps a DECIMAL (another type, other digits): as DOUBLE here too. #}
{% macro spark__safe_divide(numerator, denominator) -%}
    cast(({{ numerator }}) as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{# The mean as a DOUBLE, as DuckDB's avg of a DECIMAL (e.g. of 1.0 / 0.0 flags) is; Spark's is a DECIMAL rounded to
   its scale plus 4 digits (a share of 1 in 3 would be 0.33333). #}
{% macro avg_as_double(expression) -%}
    {{ return(adapter.dispatch('avg_as_double')(expression)) }}
{%- endmacro %}
{% macro default__avg_as_double(expression) %}avg({{ expression }}){% endmacro %}
{% macro spark__avg_as_double(expression) %}avg(cast({{ expression }} as double)){% endmacro %}

{# round(x, digits) as DuckDB computes it on a DOUBLE: round(x * 10^digits) / 10^digits in binary floating point, half
   away from zero. Spark's round of a DOUBLE rounds the double's shortest decimal form half up instead, so a money ratio
   at an exact half cent differs: 16684.51 / 2 is 8342.25 on DuckDB (the double is 8342.25499...), 8342.26 on Spark.
   On a DECIMAL both are exact and agree. #}
{% macro round_double(value, digits) -%}
    {{ return(adapter.dispatch('round_double')(value, digits)) }}
{%- endmacro %}
{% macro default__round_double(value, digits) %}round({{ value }}, {{ digits }}){% endmacro %}
{% macro spark__round_double(value, digits) -%}
    (round(({{ value }}) * {{ 10 ** digits }}, 0) / {{ 10 ** digits }})
{%- endmacro %}

{# Sum of a decimal field over every element a JSON path matches (e.g. all refund line subtotals). #}
{% macro json_path_sum(json_column, path) -%}
    {{ return(adapter.dispatch('json_path_sum')(json_column, path)) }}
{%- endmacro %}

{% macro spark__json_path_sum(json_column, path) -%}
    coalesce({{ list_total(list_map(json_path_strings(json_column, path), 'x', 'cast(x as decimal(18, 2))')) }}, 0)
{%- endmacro %}

{% macro default__json_path_sum(json_column, path) -%}
    {#- json_extract_string, not json_extract: a JSON string cast to varchar keeps its quotes and fails the cast. #}
    coalesce(list_sum(list_transform(json_extract_string({{ json_column }}, '{{ path }}'),
        lambda x: cast(x as decimal(18, 2)))), 0)
{%- endmacro %}

{# JSON array of objects -> list of one string field, in array order. #}
{% macro json_path_strings(json_column, path) -%}
    {{ return(adapter.dispatch('json_path_strings')(json_column, path)) }}
{%- endmacro %}

{# Spark: the paths used are '$[*].<field>' (a field of each object of an array). #}
{% macro spark__json_path_strings(json_column, path) -%}
    {%- set field = path | replace('$[*].', '') %}
    coalesce(transform(from_json({{ json_column }}, 'array<struct<`{{ field }}`:string>>'), x -> x.`{{ field }}`), array())
{%- endmacro %}

{% macro default__json_path_strings(json_column, path) -%}
    coalesce(json_extract_string({{ json_column }}, '{{ path }}'), [])
{%- endmacro %}

{# Every day from start to end inclusive, as column date_day. #}
{% macro date_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine')(start_date, end_date)) }}
{%- endmacro %}

{% macro spark__date_spine(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
{%- endmacro %}

{% macro default__date_spine(start_date, end_date) -%}
    select cast(range as date) as date_day
    from range(cast({{ start_date }} as timestamp), cast({{ end_date }} as timestamp) + interval '1 day', interval '1 day')
{%- endmacro %}

{# Value of a query parameter in a URL or path (null when absent). #}
{% macro url_param(url, name) -%}
    nullif(regexp_extract({{ url }}, {{ regex_literal('[?&]' ~ name ~ '=([^&#\\s]+)') }}, 1), '')
{%- endmacro %}

{# Money times a rate (an FX rate, a commission rate), rounded to the cent and kept DECIMAL (never float).
   DECIMAL(38, 2) x DECIMAL(38, 10) is DECIMAL(38, 12) in DuckDB: 26 integer digits, so a KRW or JPY amount in the
   billions fits (DECIMAL(18, 2) x DECIMAL(18, 10) overflowed at 1,000,000). #}
{% macro to_money(amount, rate='1') -%}
    {{ return(adapter.dispatch('to_money')(amount, rate)) }}
{%- endmacro %}
{% macro default__to_money(amount, rate) -%}
    cast(round(cast({{ amount }} as decimal(38, 2)) * cast({{ rate }} as decimal(38, 10)), 2) as decimal(38, 2))
{%- endmacro %}
{# Spark caps a product's precision at 38 by cutting its scale to 6 digits, rounding it once before the cent is
   rounded: 0.0049999999 became 0.005000, then 0.01 (DuckDB: 0.00), so a cent differed on many orders at scale M.
   DECIMAL(17, 2) x DECIMAL(20, 10) is an exact DECIMAL(38, 12): amounts up to 10^15, rates up to 10^10. #}
{% macro spark__to_money(amount, rate) -%}
    cast(round(cast({{ amount }} as decimal(17, 2)) * cast({{ rate }} as decimal(20, 10)), 2) as decimal(38, 2))
{%- endmacro %}

{# amount x part / whole rounded half away from zero to the cent, as DECIMAL(38, 2); null when whole is 0. Worked in
   integer cents (HUGEINT), because DECIMAL division in DuckDB goes through DOUBLE. whole must not be negative;
   part and whole only matter as a ratio (money or counts alike). #}
{% macro money_share(amount, part, whole) -%}
    {{ return(adapter.dispatch('money_share')(amount, part, whole)) }}
{%- endmacro %}

{# Spark: integer cents as DECIMAL(38, 0) (no 128-bit integer), `div` for the floor; sign by case, as Spark's sign()
   is a DOUBLE. #}
{% macro spark__money_share(amount, part, whole) -%}
    {%- set product = 'cast((' ~ amount ~ ') * 100 as decimal(38, 0)) * cast((' ~ part ~ ') * 100 as decimal(38, 0))' %}
    {%- set whole_cents = 'cast((' ~ whole ~ ') * 100 as decimal(38, 0))' %}
    cast(cast(
        case when {{ product }} < 0 then -1 else 1 end
        * ((2 * abs({{ product }}) + {{ whole_cents }}) div (2 * nullif({{ whole_cents }}, 0))) as decimal(38, 2)
    ) * 0.01 as decimal(38, 2))
{%- endmacro %}

{% macro default__money_share(amount, part, whole) -%}
    cast(cast(
        sign(cast(({{ amount }}) * 100 as hugeint) * cast(({{ part }}) * 100 as hugeint))
        * (
            (2 * abs(cast(({{ amount }}) * 100 as hugeint) * cast(({{ part }}) * 100 as hugeint))
                + cast(({{ whole }}) * 100 as hugeint))
            // (2 * nullif(cast(({{ whole }}) * 100 as hugeint), 0))
        ) as decimal(38, 2)
    ) * 0.01 as decimal(38, 2))
{%- endmacro %}

{# The rate that turns an amount in currency A into currency B, from two units-per-USD rates. #}
{% macro cross_rate(units_per_usd_to, units_per_usd_from) -%}
    cast(cast({{ units_per_usd_to }} as decimal(18, 8)) / cast({{ units_per_usd_from }} as decimal(18, 8)) as decimal(18, 10))
{%- endmacro %}

{# Median and median absolute deviation over a trailing date window: the rows from `days` to `until_days` days
   before the row's (DuckDB: holistic window aggregates). #}
{% macro trailing_median(value, partition_by, order_by, days, until_days=1) -%}
    {{ return(adapter.dispatch('trailing_median')(value, partition_by, order_by, days, until_days)) }}
{%- endmacro %}

{% macro trailing_mad(value, partition_by, order_by, days) -%}
    {{ return(adapter.dispatch('trailing_mad')(value, partition_by, order_by, days)) }}
{%- endmacro %}

{# Spark has no MAD and no holistic window aggregate over a date range: the window's values are collected, sorted,
   and the median read from the middle (element_at is 1-based: for n values the (n+1) div 2-th and n div 2 + 1-th,
   one element when n is odd). Spark computes an identical window expression once. #}
{% macro spark__trailing_values(value, partition_by, order_by, days, until_days=1) -%}
    array_sort(collect_list({{ value }}) over (partition by {{ partition_by }} order by {{ order_by }}
        range between interval {{ days }} days preceding and interval {{ until_days }} days preceding))
{%- endmacro %}

{% macro spark__array_median(sorted) -%}
    case when size({{ sorted }}) > 0 then (element_at({{ sorted }}, cast((size({{ sorted }}) + 1) div 2 as int))
        + element_at({{ sorted }}, cast(size({{ sorted }}) div 2 + 1 as int))) / 2 end
{%- endmacro %}

{% macro spark__trailing_median(value, partition_by, order_by, days, until_days) -%}
    {{ spark__array_median(spark__trailing_values(value, partition_by, order_by, days, until_days)) }}
{%- endmacro %}

{% macro spark__trailing_mad(value, partition_by, order_by, days) -%}
    {%- set values = spark__trailing_values(value, partition_by, order_by, days) %}
    {{ spark__array_median('array_sort(transform(' ~ values ~ ', v -> abs(v - ' ~ spark__array_median(values) ~ ')))') }}
{%- endmacro %}

{% macro default__trailing_median(value, partition_by, order_by, days, until_days) -%}
    median({{ value }}) over (partition by {{ partition_by }} order by {{ order_by }}
        range between interval '{{ days }} days' preceding and interval '{{ until_days }} days' preceding)
{%- endmacro %}

{% macro default__trailing_mad(value, partition_by, order_by, days) -%}
    mad({{ value }}) over (partition by {{ partition_by }} order by {{ order_by }}
        range between interval '{{ days }} days' preceding and interval '1 day' preceding)
{%- endmacro %}

{# A pseudonym as the warehouse stores it (the first 128 bits of the keyed SHA-256, a number) as 32 hex digits:
   the same text as left(sha256(key || ':' || value), 32), and safe in Parquet and BI tools. #}
{% macro pseudonym_hex(column) -%}
    {{ return(adapter.dispatch('pseudonym_hex')(column)) }}
{%- endmacro %}

{% macro default__pseudonym_hex(column) -%}
    lower(lpad(to_hex({{ column }}), 32, '0'))
{%- endmacro %}

{# Spark's sources hold the pseudonyms as these 32 hex digits already (macros/spark_sources.sql). #}
{% macro spark__pseudonym_hex(column) -%}
    {{ column }}
{%- endmacro %}
