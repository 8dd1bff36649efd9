{#- A regular expression (as SQL) that finds the lower-case text `term` as a whole word: `before` and `after` are
    character classes that may not touch it (the start and end of the text always may). The term's regex
    characters are escaped, so "velvet & oak" or "glowco.official" match literally. #}
{% macro whole_word_pattern(term, before='[^a-z0-9_]', after='[^a-z0-9_]') -%}
    ('(^|{{ before }})' || regexp_replace({{ term }}, '([][\\^$.|?*+(){}-])', '\\\1', 'g') || '({{ after }}|$)')
{%- endmacro %}
