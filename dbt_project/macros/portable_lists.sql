{#- List, regex and select-list SQL that differs between DuckDB and Spark, dispatched by target (adapter.dispatch):
    the default is DuckDB's, spark__ Spark's. A lambda is given as its variable and body: list_where('words', 't',
    "t <> ''") is list_filter(words, lambda t: t <> '') on DuckDB, filter(words, t -> t <> '') on Spark. -#}

{% macro list_agg(expression) -%}
    {{ return(adapter.dispatch('list_agg')(expression)) }}
{%- endmacro %}
{% macro default__list_agg(expression) %}list({{ expression }}){% endmacro %}
{% macro spark__list_agg(expression) %}collect_list({{ expression }}){% endmacro %}

{% macro list_where(list, var, predicate) -%}
    {{ return(adapter.dispatch('list_where')(list, var, predicate)) }}
{%- endmacro %}
{% macro default__list_where(list, var, predicate) %}list_filter({{ list }}, lambda {{ var }}: {{ predicate }}){% endmacro %}
{% macro spark__list_where(list, var, predicate) %}filter({{ list }}, {{ var }} -> {{ predicate }}){% endmacro %}

{# Elements of a list as BIGINT (DuckDB's len); null for a null list (Spark: spark.sql.legacy.sizeOfNull off). #}
{% macro list_length(list) -%}
    {{ return(adapter.dispatch('list_length')(list)) }}
{%- endmacro %}
{% macro default__list_length(list) %}len({{ list }}){% endmacro %}
{% macro spark__list_length(list) %}cast(size({{ list }}) as bigint){% endmacro %}

{% macro list_has(list, element) -%}
    {{ return(adapter.dispatch('list_has')(list, element)) }}
{%- endmacro %}
{% macro default__list_has(list, element) %}list_contains({{ list }}, {{ element }}){% endmacro %}
{% macro spark__list_has(list, element) %}array_contains({{ list }}, {{ element }}){% endmacro %}

{# Text split at every occurrence of a separator (empty parts kept); Spark's split takes a regex: quoted. #}
{% macro split_text(text, separator) -%}
    {{ return(adapter.dispatch('split_text')(text, separator)) }}
{%- endmacro %}
{% macro default__split_text(text, separator) %}string_split({{ text }}, '{{ separator }}'){% endmacro %}
{% macro spark__split_text(text, separator) %}split({{ text }}, '\\Q{{ separator }}\\E', -1){% endmacro %}

{# Regular expressions are written for DuckDB (RE2, POSIX classes like [[:alnum:]]); on Spark (Java) the classes
   are translated: Java reads [[:alnum:]] as the set of the characters `[:alnum`, without an error. #}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal')(pattern)) }}
{%- endmacro %}
{% macro default__regex_literal(pattern) %}'{{ pattern }}'{% endmacro %}
{% macro spark__regex_literal(pattern) -%}
    {%- set java = namespace(pattern=pattern) %}
    {%- for posix, class in {'[:alnum:]': '\\p{Alnum}', '[:alpha:]': '\\p{Alpha}', '[:digit:]': '\\d',
                             '[:space:]': '\\s', '[:punct:]': '\\p{Punct}', '[:upper:]': '\\p{Upper}',
                             '[:lower:]': '\\p{Lower}'}.items() %}
        {%- set java.pattern = java.pattern | replace(posix, class) %}
    {%- endfor -%}
    '{{ java.pattern | replace('\\', '\\\\') | replace("'", "\\'") }}'
{%- endmacro %}

{% macro regex_matches(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(text, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(text, pattern) %}regexp_matches({{ text }}, {{ regex_literal(pattern) }}){% endmacro %}
{% macro spark__regex_matches(text, pattern) %}({{ text }} rlike {{ regex_literal(pattern) }}){% endmacro %}

{% macro regex_full_match(text, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match')(text, pattern)) }}
{%- endmacro %}
{% macro default__regex_full_match(text, pattern) %}regexp_full_match({{ text }}, {{ regex_literal(pattern) }}){% endmacro %}
{% macro spark__regex_full_match(text, pattern) %}({{ text }} rlike {{ regex_literal('^(?:' ~ pattern ~ ')$') }}){% endmacro %}

{# Every match replaced. #}
{% macro regex_replace_all(text, pattern, replacement) -%}
    {{ return(adapter.dispatch('regex_replace_all')(text, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ regex_literal(pattern) }}, '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__regex_replace_all(text, pattern, replacement) -%}
    regexp_replace({{ text }}, {{ regex_literal(pattern) }}, '{{ replacement }}')
{%- endmacro %}

{# Every column of the relation but these: `* exclude (a, b)` on DuckDB, `* except (a, b)` on Spark. #}
{% macro star_except(columns, relation=none) -%}
    {{ return(adapter.dispatch('star_except')(columns, relation)) }}
{%- endmacro %}
{% macro default__star_except(columns, relation) -%}
    {{ relation ~ '.' if relation }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(columns, relation) -%}
    {{ relation ~ '.' if relation }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{# The last non-null value of the window frame. #}
{% macro last_value_ignore_nulls(expression) -%}
    {{ return(adapter.dispatch('last_value_ignore_nulls')(expression)) }}
{%- endmacro %}
{% macro default__last_value_ignore_nulls(expression) %}last_value({{ expression }} ignore nulls){% endmacro %}
{% macro spark__last_value_ignore_nulls(expression) %}last_value({{ expression }}, true){% endmacro %}

{# The file name of a path (after the last /). #}
{% macro file_name(path) -%}
    {{ return(adapter.dispatch('file_name')(path)) }}
{%- endmacro %}
{% macro default__file_name(path) %}parse_filename({{ path }}){% endmacro %}
{% macro spark__file_name(path) %}regexp_extract({{ path }}, '[^/]*$', 0){% endmacro %}

{# The value of the row with the largest `by` (rows whose `by` is NULL left out). Of equal ones, the value whose text
   sorts last: arg_max/max_by alone pick any one, so two breaches of one post under two contracts named a different
   contract on each engine (and could on each run). #}
{% macro value_at_max(value, by) -%}
    {%- set ordering = 'case when (' ~ by ~ ') is not null then '
        ~ struct_of({'by': by, 'value': 'coalesce(cast(' ~ value ~ ' as ' ~ dbt.type_string() ~ "), '')"}) ~ ' end' -%}
    {{ return(adapter.dispatch('value_at_max')(value, ordering)) }}
{%- endmacro %}
{% macro default__value_at_max(value, ordering) %}arg_max({{ value }}, {{ ordering }}){% endmacro %}
{% macro spark__value_at_max(value, ordering) %}max_by({{ value }}, {{ ordering }}){% endmacro %}

{% macro list_map(list, var, expression) -%}
    {{ return(adapter.dispatch('list_map')(list, var, expression)) }}
{%- endmacro %}
{% macro default__list_map(list, var, expression) %}list_transform({{ list }}, lambda {{ var }}: {{ expression }}){% endmacro %}
{% macro spark__list_map(list, var, expression) %}transform({{ list }}, {{ var }} -> {{ expression }}){% endmacro %}

{# Sum of a list's numbers (nulls skipped); on Spark a fold starting from 0 of the given type (the sum's type).
   Callers coalesce the result to 0: DuckDB's sum of an empty list is null, Spark's fold gives 0. #}
{% macro list_total(list, sql_type='decimal(38, 2)') -%}
    {{ return(adapter.dispatch('list_total')(list, sql_type)) }}
{%- endmacro %}
{% macro default__list_total(list, sql_type) %}list_sum({{ list }}){% endmacro %}
{% macro spark__list_total(list, sql_type) -%}
    aggregate({{ list }}, cast(0 as {{ sql_type }}), (total, x) -> total + coalesce(x, 0))
{%- endmacro %}

{% macro empty_list() -%}
    {{ return(adapter.dispatch('empty_list')()) }}
{%- endmacro %}
{% macro default__empty_list() %}[]{% endmacro %}
{% macro spark__empty_list() %}array(){% endmacro %}

{# Matches against a pattern held in a column (written for both engines: see whole_word_pattern). #}
{% macro regex_matches_column(text, pattern) -%}
    {{ return(adapter.dispatch('regex_matches_column')(text, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches_column(text, pattern) %}regexp_matches({{ text }}, {{ pattern }}){% endmacro %}
{% macro spark__regex_matches_column(text, pattern) %}({{ text }} rlike {{ pattern }}){% endmacro %}

{# Texts joined by a separator in the given order; distinct=true joins each text once (order_by is then the text). #}
{% macro text_agg(expression, separator, order_by, distinct=false) -%}
    {{ return(adapter.dispatch('text_agg')(expression, separator, order_by, distinct)) }}
{%- endmacro %}
{% macro default__text_agg(expression, separator, order_by, distinct) -%}
    string_agg({{ 'distinct ' if distinct }}{{ expression }}, '{{ separator }}' order by {{ order_by }})
{%- endmacro %}
{# Spark 4.3's string_agg(distinct …) within group fails to plan beside other distinct aggregates
   (ClassCastException in ListAgg): the distinct texts are sorted as a set instead (order_by is the text then). #}
{% macro spark__text_agg(expression, separator, order_by, distinct) -%}
    {%- if distinct -%}
        case when size(collect_set({{ expression }})) > 0
            then array_join(array_sort(collect_set({{ expression }})), '{{ separator }}') end
    {%- else -%}
        string_agg({{ expression }}, '{{ separator }}') within group (order by {{ order_by }})
    {%- endif -%}
{%- endmacro %}

{% macro join_list(list, separator) -%}
    {{ return(adapter.dispatch('join_list')(list, separator)) }}
{%- endmacro %}
{% macro default__join_list(list, separator) %}array_to_string({{ list }}, '{{ separator }}'){% endmacro %}
{% macro spark__join_list(list, separator) %}array_join({{ list }}, '{{ separator }}'){% endmacro %}

{# One row per element of a list (a select-list expression). #}
{% macro unnest_list(list) -%}
    {{ return(adapter.dispatch('unnest_list')(list)) }}
{%- endmacro %}
{% macro default__unnest_list(list) %}unnest({{ list }}){% endmacro %}
{% macro spark__unnest_list(list) %}explode({{ list }}){% endmacro %}

{# A FROM-clause item: each row repeated for column = first .. last (no row when last < first). #}
{% macro cross_join_series(first, last, alias, column) -%}
    {{ return(adapter.dispatch('cross_join_series')(first, last, alias, column)) }}
{%- endmacro %}
{% macro default__cross_join_series(first, last, alias, column) -%}
    cross join unnest(generate_series({{ first }}, {{ last }})) as {{ alias }} ({{ column }})
{%- endmacro %}
{% macro spark__cross_join_series(first, last, alias, column) -%}
    lateral view explode(case when {{ last }} >= {{ first }} then sequence({{ first }}, {{ last }}) end) {{ alias }} as {{ column }}
{%- endmacro %}

{# The distinct texts of all the lists of a group, sorted, joined by a separator (an aggregate). #}
{% macro join_distinct_sorted(lists, separator) -%}
    {{ return(adapter.dispatch('join_distinct_sorted')(lists, separator)) }}
{%- endmacro %}
{% macro default__join_distinct_sorted(lists, separator) -%}
    array_to_string(list_sort(list_distinct(flatten(list({{ lists }})))), '{{ separator }}')
{%- endmacro %}
{% macro spark__join_distinct_sorted(lists, separator) -%}
    array_join(array_sort(array_distinct(flatten(collect_list({{ lists }})))), '{{ separator }}')
{%- endmacro %}

{# Each element of a list with its position (1 = first), as columns `value_column` and `position_column` of one row
   per element (a select-list item: Spark allows one generator per select). #}
{% macro unnest_with_position(list, value_column, position_column) -%}
    {{ return(adapter.dispatch('unnest_with_position')(list, value_column, position_column)) }}
{%- endmacro %}
{% macro default__unnest_with_position(list, value_column, position_column) -%}
    unnest({{ list }}) as {{ value_column }},
    unnest(range(1, len({{ list }}) + 1)) as {{ position_column }}
{%- endmacro %}
{% macro spark__unnest_with_position(list, value_column, position_column) -%}
    inline(transform({{ list }}, (x, i) -> struct(x as {{ value_column }}, i + 1 as {{ position_column }})))
{%- endmacro %}

{# Text without the given characters at its start (trim_leading) or end (trim_trailing). Spark's two-argument
   ltrim/rtrim take the characters FIRST (ltrim('@', handle)): the same call as DuckDB's trims the text from the
   characters instead, silently. #}
{% macro trim_leading(text, characters) -%}
    {{ return(adapter.dispatch('trim_leading')(text, characters)) }}
{%- endmacro %}
{% macro default__trim_leading(text, characters) %}ltrim({{ text }}, '{{ characters }}'){% endmacro %}
{% macro spark__trim_leading(text, characters) %}trim(leading '{{ characters }}' from {{ text }}){% endmacro %}

{% macro trim_trailing(text, characters) -%}
    {{ return(adapter.dispatch('trim_trailing')(text, characters)) }}
{%- endmacro %}
{% macro default__trim_trailing(text, characters) %}rtrim({{ text }}, '{{ characters }}'){% endmacro %}
{% macro spark__trim_trailing(text, characters) %}trim(trailing '{{ characters }}' from {{ text }}){% endmacro %}

{# A number cut to its integer part (toward zero). Spark's trunc is for dates only. #}
{% macro truncate_number(number) -%}
    {{ return(adapter.dispatch('truncate_number')(number)) }}
{%- endmacro %}
{% macro default__truncate_number(number) %}trunc({{ number }}){% endmacro %}
{% macro spark__truncate_number(number) -%}
    (case when ({{ number }}) >= 0 then floor({{ number }}) else ceil({{ number }}) end)
{%- endmacro %}

{# A struct from a dict of field name: SQL expression: DuckDB's {'f': x, …}, Spark's named_struct('f', x, …). #}
{% macro struct_of(fields) -%}
    {{ return(adapter.dispatch('struct_of')(fields)) }}
{%- endmacro %}
{% macro default__struct_of(fields) -%}
    {{ '{' }}{% for field, value in fields.items() %}'{{ field }}': {{ value }}{% if not loop.last %}, {% endif %}{% endfor %}{{ '}' }}
{%- endmacro %}
{% macro spark__struct_of(fields) -%}
    named_struct({% for field, value in fields.items() %}'{{ field }}', {{ value }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{# A list of structs (struct_of, the same fields in the same order in each): DuckDB's [{…}, …], Spark's array(…). #}
{% macro struct_list(structs) -%}
    {{ return(adapter.dispatch('struct_list')(structs)) }}
{%- endmacro %}
{% macro default__struct_list(structs) -%}
    [{% for struct in structs %}{{ struct_of(struct) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}
{% macro spark__struct_list(structs) -%}
    array({% for struct in structs %}{{ struct_of(struct) }}{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{# Position (1 = first) of a value in a list of texts given as a Jinja list; null when absent (Spark's
   array_position says 0, which would sort first). #}
{% macro text_position(texts, value) -%}
    {{ return(adapter.dispatch('text_position')(texts, value)) }}
{%- endmacro %}
{% macro default__text_position(texts, value) %}list_position({{ texts }}, {{ value }}){% endmacro %}
{% macro spark__text_position(texts, value) -%}
    nullif(array_position(array({% for text in texts %}'{{ text }}'{% if not loop.last %}, {% endif %}{% endfor %}), {{ value }}), 0)
{%- endmacro %}

{# The `count` lowest of named scores (a list of names; the score of name n is column `<prefix>n_score`), nulls
   left out, as 'name score' (the score rounded) joined by ', ', lowest first (ties by name). #}
{% macro lowest_scores(names, prefix, count) -%}
    {{ return(adapter.dispatch('lowest_scores')(names, prefix, count)) }}
{%- endmacro %}
{% macro default__lowest_scores(names, prefix, count) -%}
    array_to_string(list_transform(list_sort(list_filter([
            {%- for name in names %}
                { 'score': {{ prefix }}{{ name }}_score, 'name': '{{ name }}' }{% if not loop.last %},{% endif %}
            {%- endfor %}
        ], lambda c: c['score'] is not null))[1:{{ count }}], lambda c: c['name'] || ' ' || round(c['score'])), ', ')
{%- endmacro %}
{# Spark sorts structs field by field too: by score, then name. #}
{% macro spark__lowest_scores(names, prefix, count) -%}
    array_join(transform(slice(array_sort(filter(array(
            {%- for name in names %}
                named_struct('score', {{ prefix }}{{ name }}_score, 'name', '{{ name }}'){% if not loop.last %},{% endif %}
            {%- endfor %}
        ), c -> c.score is not null)), 1, {{ count }}), c -> c.name || ' ' || round(c.score)), ', ')
{%- endmacro %}
