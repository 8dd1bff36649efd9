{#- A regular expression (as SQL) that finds the lower-case text `term` as a whole word: `before` and `after` are
    character classes that may not touch it (the start and end of the text always may). The term's regex
    characters are escaped, so "velvet & oak" or "glowco.official" match literally. #}
{% macro whole_word_pattern(term, before='[^a-z0-9_]', after='[^a-z0-9_]') -%}
    {{ return(adapter.dispatch('whole_word_pattern')(term, before, after)) }}
{%- endmacro %}

{# Java quotes a literal between \Q and \E (a term holding "\E" would end the quote early: none does). #}
{% macro spark__whole_word_pattern(term, before, after) -%}
    concat('(^|{{ before }})\\Q', {{ term }}, '\\E({{ after }}|$)')
{%- endmacro %}

{% macro default__whole_word_pattern(term, before, after) -%}
    ('(^|{{ before }})' || regexp_replace({{ term }}, '([][\\^$.|?*+(){}-])', '\\\1', 'g') || '({{ after }}|$)')
{%- endmacro %}
