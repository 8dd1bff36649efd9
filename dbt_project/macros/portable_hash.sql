{#- The key of a comment text in raw.comment_scores: the sha256 of the text as lower-case hex, a missing text as the
    empty one (ingest/comment_scores.py computes the same key with DuckDB's sha256 when it scores the text). -#}
{% macro text_sha256(text) -%}
    {{ return(adapter.dispatch('text_sha256')(text)) }}
{%- endmacro %}

{% macro default__text_sha256(text) -%}
    sha256(coalesce({{ text }}, ''))
{%- endmacro %}

{% macro spark__text_sha256(text) -%}
    sha2(coalesce({{ text }}, ''), 256)
{%- endmacro %}
