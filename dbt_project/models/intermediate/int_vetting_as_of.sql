-- The date vetting windows end on: the as_of_date var, else the newest follower snapshot (tracking or scrape), else,
-- for a site that delivers no follower snapshots at all, the newest post's day (the windows would otherwise end on
-- NULL, and every post-based mart would be empty). Always one row: an aggregate, also when the var is set.
with newest as (
    select
        (select max(snapshot_date) from {{ ref('int_follower_snapshots') }}) as snapshot_date,
        (select max(posted_date) from {{ ref('int_posts') }}) as post_date
)

select
    {% if var('as_of_date') %}coalesce(cast('{{ var("as_of_date") }}' as date), snapshot_date, post_date)
    {% else %}coalesce(snapshot_date, post_date){% endif %} as as_of_date
from newest
