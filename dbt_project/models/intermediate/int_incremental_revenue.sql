-- Incremental revenue per creator x campaign, reported beside last-touch (never instead of it): the creator's
-- attributed net revenue in the attribution window after their first sponsored post in the campaign, minus a
-- baseline: for each day of that window, the average attributed revenue of the same weekday over the
-- var baseline_weeks weeks before the first post.
with orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
),

costs as (select * from {{ ref('int_contract_costs') }}),

posts as (
    select * from {{ ref('int_posts') }}
    where is_sponsored and creator_id is not null
),

first_posts as (
    select
        costs.contract_id,
        costs.creator_id,
        costs.campaign_id,
        min(posts.posted_date) as first_post_date
    from costs
    inner join posts
        on
            costs.creator_id = posts.creator_id
            and posts.posted_date between costs.campaign_start_date and costs.campaign_end_date
    group by 1, 2, 3
),

spine as (
    {{ date_spine('(select min(first_post_date) from first_posts) - ' ~ (7 * var('baseline_weeks')),
                  '(select max(first_post_date) from first_posts) + ' ~ var('attribution_window_days')) }}
),

weekdays as (
    select distinct dayofweek(date_day) as weekday from spine
),

daily as (
    select
        creator_id,
        campaign_id,
        order_date,
        sum(net_revenue_reporting) as net_revenue
    from orders
    group by 1, 2, 3
),

in_window as (
    select
        first_posts.contract_id,
        coalesce(sum(daily.net_revenue), 0) as window_revenue
    from first_posts
    left join daily
        on
            first_posts.creator_id = daily.creator_id
            and first_posts.campaign_id = daily.campaign_id
            and daily.order_date between first_posts.first_post_date
            and first_posts.first_post_date + cast({{ var('attribution_window_days') }} as integer) - 1
    group by 1
),

weekday_baseline as (
    -- Average revenue per weekday (0 = Sunday) over the weeks before the first post.
    select
        first_posts.contract_id,
        weekdays.weekday,
        coalesce(sum(daily.net_revenue), 0) / {{ var('baseline_weeks') }} as avg_revenue
    from first_posts
    cross join weekdays
    left join daily
        on
            first_posts.creator_id = daily.creator_id
            and first_posts.campaign_id = daily.campaign_id
            and daily.order_date between first_posts.first_post_date - 7 * {{ var('baseline_weeks') }}
            and first_posts.first_post_date - 1
            and dayofweek(daily.order_date) = weekdays.weekday
    group by 1, 2
),

window_days as (
    select
        first_posts.contract_id,
        dayofweek(spine.date_day) as weekday
    from first_posts
    inner join spine
        on
            spine.date_day between first_posts.first_post_date
            and first_posts.first_post_date + cast({{ var('attribution_window_days') }} as integer) - 1
),

baseline as (
    select
        window_days.contract_id,
        sum(weekday_baseline.avg_revenue) as baseline_revenue
    from window_days
    inner join weekday_baseline
        on
            window_days.contract_id = weekday_baseline.contract_id
            and window_days.weekday = weekday_baseline.weekday
    group by 1
)

select
    first_posts.contract_id,
    first_posts.first_post_date,
    cast(in_window.window_revenue as decimal(38, 2)) as window_net_revenue,
    cast(round(baseline.baseline_revenue, 2) as decimal(38, 2)) as baseline_net_revenue,
    cast(in_window.window_revenue - round(baseline.baseline_revenue, 2) as decimal(38, 2)) as incremental_net_revenue
from first_posts
inner join in_window on first_posts.contract_id = in_window.contract_id
inner join baseline on first_posts.contract_id = baseline.contract_id
