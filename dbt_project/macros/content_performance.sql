{#
  Cells of content_post_performance by the given columns (format, or weekday x hour), per platform and tier, per
  platform over all tiers ('all') and over the whole programme ('all', 'all'). A cell has enough posts from
  var content_min_posts posts with an engagement rate (stories have none, so a story cell is never ranked); in each
  (platform, tier) group the cell with the highest median engagement index (a post's engagement rate / its account's
  median: fair across platforms and creators) among those with enough posts is the best one (is_best), so a thin
  cell is never named best.
#}
{% macro content_performance_cells(dimensions) %}
{% set min_posts = var('content_min_posts', 20) %}
with posts as (select * from {{ ref('content_post_performance') }}),

cells as (
    select
        case when grouping(platform) = 1 then 'all' else platform end as platform,
        case when grouping(tier) = 1 then 'all' else coalesce(tier, 'unknown') end as tier,
        {% for column in dimensions %}{{ column }},
        {% endfor -%}
        count(*) as posts,
        count(engagement_index) as posts_with_engagement_rate,
        count(distinct creator_id) as creators,
        count(*) filter (where is_sponsored) as sponsored_posts,
        median(engagement_rate) as median_engagement_rate,
        median(engagement_index) as median_engagement_index,
        median(reach_per_follower) as median_reach_per_follower,
        median(views_per_follower) as median_views_per_follower,
        any_value(reporting_currency) as reporting_currency,
        cast(sum(attributed_net_revenue) as decimal(38, 2)) as attributed_net_revenue,
        {{ safe_divide('sum(attributed_net_revenue)', 'count(*) filter (where is_sponsored)') }}
            as attributed_net_revenue_per_sponsored_post
    from posts
    -- rollup (platform, tier): each platform and tier, each platform over all tiers, and the whole programme
    group by rollup (platform, tier), {{ dimensions | join(', ') }}
),

ranked as (
    select
        *,
        posts_with_engagement_rate >= {{ min_posts }} as has_enough_posts,
        case
            when posts_with_engagement_rate >= {{ min_posts }}
                -- BIGINT on both engines (Spark's row_number() is an INT)
                then cast(row_number() over (
                    partition by platform, tier, posts_with_engagement_rate >= {{ min_posts }}
                    order by median_engagement_index desc, posts desc, {{ dimensions | join(' asc, ') }} asc
                ) as bigint)
        end as engagement_rank
    from cells
)

select
    *,
    coalesce(engagement_rank = 1, false) as is_best
from ranked
{% endmacro %}
