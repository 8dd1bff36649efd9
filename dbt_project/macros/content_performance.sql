{#
  Cells of content_post_performance by the given columns (format, or weekday x hour), per platform and tier, per
  platform over all tiers ('all') and over the whole programme ('all', 'all'). A cell has enough posts from
  var content_min_posts posts with an engagement rate (stories have none, so a story cell is never ranked); in each
  (platform, tier) group the cell with the highest median engagement index (a post's engagement rate / its account's
  median: fair across platforms and creators) among those with enough posts is the best one (is_best) when it leads
  the next one at the two decimals the report and dashboard show: a thin cell is never named best, nor one of level
  cells (medians of 1.00 and 1.00), nor a group's only cell with enough posts (best of one says nothing).
#}
{% macro content_performance_cells(dimensions) %}
{% set min_posts = var('content_min_posts', 20) %}
{% set keys = ['platform', 'tier'] + dimensions %}
{% set measures = ['engagement_rate', 'engagement_index', 'reach_per_follower', 'views_per_follower'] %}
{% set columns = dimensions + ['creator_id', 'is_sponsored', 'reporting_currency', 'attributed_net_revenue'] + measures %}
with posts as (select * from {{ ref('content_post_performance') }}),

-- Each post once in every group it counts in: its platform and tier, its platform over all tiers, the whole programme
-- (a rollup of platform and tier, spelled out so the medians below can partition by each group).
grouped as (
    select platform, coalesce(tier, 'unknown') as tier, {{ columns | join(', ') }} from posts
    union all
    select platform, 'all' as tier, {{ columns | join(', ') }} from posts
    union all
    select 'all' as platform, 'all' as tier, {{ columns | join(', ') }} from posts
),

-- Medians as window functions over each group: the aggregate median() keeps every value of every group in memory and
-- cannot spill (at scale L, four of them over 4M posts in three groups each ran out of dbt's 1 GB cap), where the
-- window operator partitions its input and spills it to disk. Same values as median() (the middle value, or the mean
-- of the two middle ones), in seconds where sorting each group by each measure took minutes at L.
with_medians as (
    select
        *,
        {%- for measure in measures %}
        median({{ measure }}) over (partition by {{ keys | join(', ') }}) as median_{{ measure }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from grouped
),

cells as (
    select
        {{ keys | join(', ') }},
        count(*) as posts,
        count(engagement_index) as posts_with_engagement_rate,
        count(distinct creator_id) as creators,
        count(*) filter (where is_sponsored) as sponsored_posts,
        {% for measure in measures -%}
        any_value(median_{{ measure }}) as median_{{ measure }},
        {% endfor -%}
        any_value(reporting_currency) as reporting_currency,
        cast(sum(attributed_net_revenue) as decimal(38, 2)) as attributed_net_revenue,
        {{ safe_divide('sum(attributed_net_revenue)', 'count(*) filter (where is_sponsored)') }}
            as attributed_net_revenue_per_sponsored_post
    from with_medians
    group by {{ keys | join(', ') }}
),

ranked as (
    select
        *,
        posts_with_engagement_rate >= {{ min_posts }} as has_enough_posts,
        case
            when posts_with_engagement_rate >= {{ min_posts }}
                -- BIGINT on both engines (Spark's row_number() is an INT)
                then cast(row_number() over ranking as bigint)
        end as engagement_rank,
        -- The first cell with enough posts, ahead of the second: no second (lead() is null), or level with it, is
        -- no best.
        coalesce(
            posts_with_engagement_rate >= {{ min_posts }}
            and row_number() over ranking = 1
            and round(median_engagement_index, 2) > lead(round(median_engagement_index, 2)) over ranking,
            false
        ) as is_best
    from cells
    window ranking as (
        partition by platform, tier, posts_with_engagement_rate >= {{ min_posts }}
        order by median_engagement_index desc, posts desc, {{ dimensions | join(' asc, ') }} asc
    )
)

select * from ranked
{% endmacro %}
