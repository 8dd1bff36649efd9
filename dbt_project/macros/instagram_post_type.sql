{#
  Whether a Meta Business Suite export's "Post type" is a Reel. Meta has written it as "IG reel", "Reel" and, for a
  feed video (every video posted since July 2022 is shared as a Reel), "IG video" or "Video"; case varies by export.
  The format itself comes from seed content_formats; this is for the models that only need the video flag
  (int_posts.is_video, int_contract_deliverable_units).
#}
{% macro instagram_export_is_reel(post_type) -%}
    (lower({{ post_type }}) like '%reel%' or lower({{ post_type }}) like '%video%')
{%- endmacro %}
