-- A media kind seed content_formats does not know (a new Business Suite "Post type", a new API media type): its posts
-- count as format 'unmapped' in the content marts. Warns, not fails: the posts are still right everywhere else. One
-- row per platform and media kind; its message names the kind, and the pipeline logs it after the build (dbt itself
-- prints only how many rows warned).
{{ config(severity='warn', store_failures=true) }}
select
    platform,
    media_kind,
    count(*) as posts,
    'media kind ' || coalesce(media_kind, 'unknown') || ' on ' || platform || ' (' || count(*)
    || ' posts) is not in seed content_formats: its posts count as format unmapped; add a row for it to '
    || 'dbt_project/seeds/content_formats.csv' as message
from {{ ref('int_content_posts') }}
where content_format = 'unmapped'
group by platform, media_kind
