-- One row per post: whether it is a touch of the attribution rules (a sponsored post credited to a creator), with
-- the load after which that last changed. int_order_attribution reads its touches here, and rebuilds the orders
-- after a post whose row changed since its own last run: a post int_posts rewrote with the same creator, day and
-- sponsorship (at scale L every daily run rewrites 280,000 posts whose follower count follows the account's current
-- one) changes no order, so it keeps its row and its load time.
{{ config(materialized='table' if target.type == 'spark' else 'incremental', unique_key=['platform', 'post_id'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}
with posts as (
    select
        platform,
        post_id,
        creator_id,
        posted_date,
        coalesce(is_sponsored, false) and creator_id is not null as is_touch
    from {{ ref('int_posts') }}
    {%- if is_incremental() %}
    where source_loaded_at > (select coalesce(max(source_loaded_at), {{ before_any_load() }}) from {{ this }})
    {%- endif %}
)

select
    posts.platform,
    posts.post_id,
    posts.creator_id,
    posts.posted_date,
    posts.is_touch,
    (select max(source_loaded_at) from {{ ref('int_posts') }}) as source_loaded_at
from posts
{%- if is_incremental() %}
left join {{ this }} as built on posts.platform = built.platform and posts.post_id = built.post_id
where
    built.post_id is null
    or posts.is_touch <> built.is_touch
    or posts.creator_id is distinct from built.creator_id
    or posts.posted_date is distinct from built.posted_date
{%- endif %}
