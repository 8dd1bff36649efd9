-- The attribution rules of the metric contract, one row per order:
-- 1. a creator code valid on the order date (first code applied wins; two creator codes are flagged);
-- 2. else a creator link (ref), valid on the order date, within the attribution window after the creator's
--    last touch (a sponsored post or the start of one of the creator's link campaigns);
-- 3. else unattributed. Sitewide codes never block link attribution.
-- Incremental: a run rebuilds the orders int_orders rewrote since the last run, and the orders a newer load of
-- something else may change: an order looks back at most `lookback` days for a sponsored post (the attribution
-- window, and the no-recent-post window of the leak flag), so a post whose touch changed since (int_post_touches: new,
-- or another creator, day or sponsorship) changes the orders of its day and the `lookback` days after it, whoever the
-- post was or is credited to; a code or link assignment or a campaign loaded since changes any order. On Spark it
-- stays a table, like order_attribution: a changed post would rewrite the key buckets of a month of orders
-- (macros/incremental.sql).
{{ config(materialized='table' if target.type == 'spark' else 'incremental', unique_key='order_name',
          incremental_strategy='delete+insert', on_schema_change='fail',
          pre_hook="{{ changed_keys_plan_begin() }}", post_hook="{{ changed_keys_plan_end() }}") }}
{%- set lookback = [var('attribution_window_days') | int, var('leak_no_post_days') | int] | max %}
with source_loads as (
    -- Every input with its load time and what a newer load of it changes: an order, the orders after a post's
    -- day, or every order (is_assignment). The incremental filter and the watermark both come from here.
    select
        order_name,
        cast(null as date) as posted_date,
        false as is_assignment,
        source_loaded_at as loaded_at
    from {{ ref('int_orders') }}
    union all
    select
        null as order_name,
        posted_date,
        false as is_assignment,
        source_loaded_at as loaded_at
    from {{ ref('int_post_touches') }}
    {%- for assignments in ['stg_marketing__code_assignments', 'stg_marketing__link_assignments',
                            'stg_marketing__campaigns'] %}
        union all
        select
            null as order_name,
            null as posted_date,
            true as is_assignment,
            loaded_at
        from {{ ref(assignments) }}
    {%- endfor %}
),

newest_load as (
    -- The high-water mark this run has seen, stored on every row it writes.
    select max(loaded_at) as loaded_at from source_loads
),
{%- if is_incremental() %}

changed as (
    select * from source_loads
    where loaded_at > (select coalesce(max(source_loaded_at), {{ before_any_load() }}) from {{ this }})
),

changed_keys as (
    select order_name from changed
    where order_name is not null
    union
    select all_orders.order_name
    from {{ ref('int_orders') }} as all_orders
    inner join (select distinct posted_date from changed where posted_date is not null) as post_days
        on all_orders.order_date between post_days.posted_date and post_days.posted_date + {{ lookback }}
    union
    select order_name from {{ ref('int_orders') }}
    where (select count(*) from changed where is_assignment) > 0
),
{%- endif %}

orders as (
    select * from {{ ref('int_orders') }}
    {%- if is_incremental() %}
    where order_name in (select order_name from changed_keys)
    {%- endif %}
),

order_codes as (
    select * from {{ ref('int_order_codes') }}
    {%- if is_incremental() %}
    where order_name in (select order_name from orders)
    {%- endif %}
),

code_assignments as (select * from {{ ref('stg_marketing__code_assignments') }}),

link_assignments as (select * from {{ ref('stg_marketing__link_assignments') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

posts as (
    select * from {{ ref('int_post_touches') }}
    where is_touch
),

code_matches as (
    select
        order_codes.order_name,
        order_codes.discount_code,
        order_codes.code_position,
        code_assignments.creator_id,
        code_assignments.campaign_id
    from order_codes
    inner join code_assignments
        on
            order_codes.discount_code = code_assignments.discount_code
            and order_codes.order_date between code_assignments.valid_from and code_assignments.valid_to
    where not order_codes.is_sitewide_code
),

code_winner as (
    select
        order_name,
        discount_code,
        creator_id,
        campaign_id,
        count(*) over (partition by order_name) as creator_code_count
    from code_matches
    qualify row_number() over (partition by order_name order by code_position) = 1
),

touches as (
    select
        creator_id,
        posted_date as touch_date
    from posts
    union
    select
        link_assignments.creator_id,
        campaigns.campaign_start_date
    from link_assignments
    inner join campaigns on link_assignments.campaign_id = campaigns.campaign_id
),

link_winner as (
    select
        orders.order_name,
        link_assignments.link_id,
        link_assignments.creator_id,
        link_assignments.campaign_id,
        max(touches.touch_date) as last_touch_date
    from orders
    inner join link_assignments
        on
            orders.landing_ref = link_assignments.link_id
            and orders.order_date between link_assignments.valid_from and link_assignments.valid_to
    inner join touches
        on
            link_assignments.creator_id = touches.creator_id
            and orders.order_date >= touches.touch_date
            and touches.touch_date >= orders.order_date - cast({{ var('attribution_window_days') }} as integer)
    group by 1, 2, 3, 4
    -- An order can match two links in theory (two refs): keep one, deterministically. Here, on the matched orders
    -- only: the same window over every order's joined row held them all in memory (out of memory at 1 GB, scale L).
    qualify row_number() over (
        partition by orders.order_name order by last_touch_date desc, link_assignments.link_id asc
    ) = 1
),

last_post as (
    select
        code_winner.order_name,
        max(posts.posted_date) as last_post_date
    from code_winner
    inner join orders on code_winner.order_name = orders.order_name
    inner join posts
        on
            code_winner.creator_id = posts.creator_id
            and orders.order_date >= posts.posted_date
    group by 1
)

select
    orders.order_name,
    case
        when code_winner.creator_id is not null then 'code'
        when link_winner.creator_id is not null then 'link'
        else 'none'
    end as attribution_rule,
    coalesce(code_winner.creator_id, link_winner.creator_id) as creator_id,
    coalesce(code_winner.campaign_id, link_winner.campaign_id) as campaign_id,
    code_winner.discount_code as attributed_code,
    case when code_winner.creator_id is null then link_winner.link_id end as attributed_link_id,
    case when code_winner.creator_id is null then link_winner.last_touch_date end as link_last_touch_date,
    coalesce(code_winner.creator_code_count, 0) > 1 as has_two_creator_codes,
    code_winner.creator_id is not null
    and (
        last_post.last_post_date is null
        or last_post.last_post_date < orders.order_date - cast({{ var('leak_no_post_days') }} as integer))
        as is_code_order_without_recent_post,
    (select loaded_at from newest_load) as source_loaded_at
from orders
left join code_winner on orders.order_name = code_winner.order_name
left join link_winner on orders.order_name = link_winner.order_name
left join last_post on orders.order_name = last_post.order_name
