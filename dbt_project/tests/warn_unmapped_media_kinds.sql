-- A media kind seed content_formats does not know (a new Business Suite "Post type", a new API media type): its posts
-- count as format 'unmapped' in the content marts. Warns, not fails: the posts are still right everywhere else. One
-- row per platform and media kind, with how many posts it holds: add the kind to the seed.
{{ config(severity='warn') }}
select
    platform,
    media_kind,
    count(*) as posts
from {{ ref('int_content_posts') }}
where content_format = 'unmapped'
group by platform, media_kind
