{#- Date and time SQL that differs between DuckDB and Spark, dispatched by target (adapter.dispatch): the default is
    DuckDB's, spark__ Spark's. Spark's session time zone is UTC (profiles.yml). -#}

{# Text parsed with a strptime format ('%Y-%m-%d'), null when it does not match. Spark takes a Java pattern: the
   strptime fields used here are translated (%m, %d, %H as one- or two-digit fields, as strptime reads them, except
   in a format without separators, where the width is fixed). #}
{% macro try_strptime(text, format) -%}
    {{ return(adapter.dispatch('try_strptime')(text, format)) }}
{%- endmacro %}

{% macro default__try_strptime(text, format) -%}
    try_strptime({{ text }}, '{{ format }}')
{%- endmacro %}

{% macro spark__try_strptime(text, format) -%}
    {%- set fixed_width = format in ('%Y%m%d',) %}
    {%- set fields = {'%Y': 'yyyy', '%m': 'MM' if fixed_width else 'M', '%d': 'dd' if fixed_width else 'd',
                      '%H': 'H', '%M': 'mm', '%S': 'ss', '%z': 'Z', 'T': "'T'"} %}
    {%- set pattern = namespace(text=format) %}
    {%- for field, java in fields.items() %}
        {%- set pattern.text = pattern.text | replace(field, java) %}
    {%- endfor %}
    try_to_timestamp({{ text }}, "{{ pattern.text }}")
{%- endmacro %}

{# An ISO 8601 text with an offset as the UTC wall-clock TIMESTAMP; null when it is not one. #}
{% macro try_utc_timestamp(text) -%}
    {{ return(adapter.dispatch('try_utc_timestamp')(text)) }}
{%- endmacro %}

{% macro default__try_utc_timestamp(text) -%}
    timezone('UTC', try_cast({{ text }} as timestamptz))
{%- endmacro %}

{% macro spark__try_utc_timestamp(text) -%}
    try_cast({{ text }} as timestamp)
{%- endmacro %}

{# A TIMESTAMPTZ as the UTC wall clock (TIMESTAMP). Spark's timestamps are instants shown in the session's UTC. #}
{% macro utc_wall_clock(timestamp) -%}
    {{ return(adapter.dispatch('utc_wall_clock')(timestamp)) }}
{%- endmacro %}
{% macro default__utc_wall_clock(timestamp) %}timezone('UTC', {{ timestamp }}){% endmacro %}
{% macro spark__utc_wall_clock(timestamp) %}{{ timestamp }}{% endmacro %}

{# Day boundaries crossed from start to end (end - start in days for dates), as DuckDB's date_diff('day', …): a
   BIGINT on both (Spark's datediff is an INT). #}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between')(start, end)) }}
{%- endmacro %}
{% macro default__days_between(start, end) %}date_diff('day', {{ start }}, {{ end }}){% endmacro %}
{% macro spark__days_between(start, end) %}cast(datediff({{ end }}, {{ start }}) as bigint){% endmacro %}

{# A UTC wall-clock TIMESTAMP as the wall clock of an IANA time zone. #}
{% macro local_wall_clock(time_zone, utc_timestamp) -%}
    {{ return(adapter.dispatch('local_wall_clock')(time_zone, utc_timestamp)) }}
{%- endmacro %}
{% macro default__local_wall_clock(time_zone, utc_timestamp) %}timezone({{ time_zone }}, timezone('UTC', {{ utc_timestamp }})){% endmacro %}
{% macro spark__local_wall_clock(time_zone, utc_timestamp) %}from_utc_timestamp({{ utc_timestamp }}, {{ time_zone }}){% endmacro %}

{# ISO day of the week: Monday 1 .. Sunday 7. #}
{% macro iso_weekday(timestamp) -%}
    {{ return(adapter.dispatch('iso_weekday')(timestamp)) }}
{%- endmacro %}
{% macro default__iso_weekday(timestamp) %}isodow({{ timestamp }}){% endmacro %}
{% macro spark__iso_weekday(timestamp) %}(weekday({{ timestamp }}) + 1){% endmacro %}

{# The English name of the day of the week ('Monday'; Spark's dayname() says 'Mon'). #}
{% macro weekday_name(timestamp) -%}
    {{ return(adapter.dispatch('weekday_name')(timestamp)) }}
{%- endmacro %}
{% macro default__weekday_name(timestamp) %}dayname({{ timestamp }}){% endmacro %}
{% macro spark__weekday_name(timestamp) %}date_format({{ timestamp }}, 'EEEE'){% endmacro %}

{# A date as text, with a strptime format. Spark has no ISO week-year pattern: '%G-W%V' is built from extract();
   the other formats used are translated (a new one must be added here). #}
{% macro format_date(date, format) -%}
    {{ return(adapter.dispatch('format_date')(date, format)) }}
{%- endmacro %}
{% macro default__format_date(date, format) %}strftime({{ date }}, '{{ format }}'){% endmacro %}
{% macro spark__format_date(date, format) -%}
    {%- if format == '%G-W%V' -%}
        concat(extract(yearofweek from {{ date }}), '-W', lpad(cast(extract(week from {{ date }}) as string), 2, '0'))
    {%- elif format == '%-d %b %Y' -%}
        date_format({{ date }}, 'd MMM yyyy')
    {%- elif format == '%Y-%m-%d' -%}
        date_format({{ date }}, 'yyyy-MM-dd')
    {%- else -%}
        {{ exceptions.raise_compiler_error("format_date: no Spark pattern for '" ~ format ~ "' (macros/portable_dates.sql)") }}
    {%- endif -%}
{%- endmacro %}
