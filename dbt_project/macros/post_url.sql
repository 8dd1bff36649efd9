{#
  A post's public link: Instagram's permalink (from the Graph API or the content export), TikTok's and YouTube's built
  from the handle and id the way the apps link them.
#}
{% macro post_url(platform, post_id, permalink, handle) -%}
    case {{ platform }}
        when 'instagram' then {{ permalink }}
        when 'tiktok' then 'https://www.tiktok.com/@' || {{ trim_leading(handle, '@') }} || '/video/' || {{ post_id }}
        when 'youtube' then 'https://www.youtube.com/watch?v=' || {{ post_id }}
    end
{%- endmacro %}
