-- Campaign x ISO week, for every week from the campaign's start to its end plus the attribution window, and
-- on to the last order attributed to it (a code can stay valid after the campaign), but never past the week of the
-- newest order loaded: a week the data does not reach yet is not a week of zero sales. Attributed orders and
-- revenue of the campaign's creators, their sponsored content, campaign-to-date revenue against the campaign's
-- total creator cost and against its budget, and week-over-week change for complete weeks only (a week still
-- running against a full one is not a fall). Sales are the same per-order measures creator_roi sums. The budget is
-- converted to the reporting currency at the campaign start date, like the costs.
with orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

fx as (select * from {{ ref('int_fx_rates_daily') }}),

budgets as (
    select
        campaigns.campaign_id,
        campaigns.campaign_start_date,
        campaigns.budget,
        campaigns.budget_currency,
        {{ rate_to_reporting('campaigns.budget_currency', 'budget_fx', 'reporting_fx') }} as budget_fx_rate
    from campaigns
    left join fx as budget_fx
        on campaigns.budget_currency = budget_fx.currency and campaigns.campaign_start_date = budget_fx.rate_date
    left join fx as reporting_fx
        on
            reporting_fx.currency = '{{ var("reporting_currency") }}'
            and campaigns.campaign_start_date = reporting_fx.rate_date
),

costs as (
    select
        campaign_id,
        count(distinct creator_id) as creators,
        sum(creator_cost) as campaign_cost
    from {{ ref('int_contract_costs') }}
    group by 1
),

posts as (
    select
        contracts.campaign_id,
        posts.posted_date,
        posts.views,
        {{ engagements('posts.') }} as engagements
    from {{ ref('int_posts') }} as posts
    inner join {{ ref('int_contract_costs') }} as contracts
        on
            posts.creator_id = contracts.creator_id
            and posts.posted_date between contracts.campaign_start_date and contracts.campaign_end_date
    where posts.is_sponsored
),

data_end as (
    -- The newest order day of any order, attributed or not: the store exports every order, so the data reaches
    -- this day and no further. No order at all: the campaigns' own dates bound the weeks.
    select max(order_date) as orders_through from {{ ref('order_attribution') }}
),

order_days as (
    select
        campaign_id,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
    group by 1
),

bounds as (
    select
        campaigns.campaign_id,
        campaigns.campaign_name,
        least(campaigns.campaign_start_date, order_days.first_order_date) as first_day,
        -- A campaign that starts after the data ends keeps its first week (its cost and budget, no sales yet).
        greatest(
            least(campaigns.campaign_start_date, order_days.first_order_date),
            least(
                greatest(
                    campaigns.campaign_end_date + cast({{ var('attribution_window_days') }} as integer),
                    order_days.last_order_date
                ),
                coalesce(
                    data_end.orders_through,
                    campaigns.campaign_end_date + cast({{ var('attribution_window_days') }} as integer)
                )
            )
        ) as last_day,
        data_end.orders_through
    from campaigns
    cross join data_end
    left join order_days on campaigns.campaign_id = order_days.campaign_id
),

spine as (
    {{ date_spine('(select min(first_day) from bounds)', '(select max(last_day) from bounds)') }}
),

weeks as (
    select
        bounds.campaign_id,
        bounds.campaign_name,
        cast(date_trunc('week', spine.date_day) as date) as week_start,
        -- Sunday's orders loaded: the week is whole. No order at all: nothing is complete.
        coalesce(cast(date_trunc('week', spine.date_day) as date) + 6 <= bounds.orders_through, false)
            as is_complete_week
    from bounds
    inner join spine on spine.date_day between bounds.first_day and bounds.last_day
    group by 1, 2, 3, 4
),

weekly_orders as (
    select
        campaign_id,
        cast(date_trunc('week', order_date) as date) as week_start,
        count(*) as orders,
        count(*) filter (where is_first_order_of_customer) as new_customers,
        sum(net_revenue_reporting) as net_revenue
    from orders
    group by 1, 2
),

weekly_posts as (
    select
        campaign_id,
        cast(date_trunc('week', posted_date) as date) as week_start,
        count(*) as sponsored_posts,
        sum(views) as views,
        sum(engagements) as engagements
    from posts
    group by 1, 2
),

grid as (
    select
        weeks.campaign_id,
        weeks.campaign_name,
        weeks.week_start,
        weeks.is_complete_week,
        costs.creators,
        costs.campaign_cost,
        budgets.campaign_start_date,
        budgets.budget,
        budgets.budget_currency,
        budgets.budget_fx_rate,
        {{ to_money('budgets.budget', 'budgets.budget_fx_rate') }} as budget_reporting,
        coalesce(weekly_orders.orders, 0) as orders,
        coalesce(weekly_orders.new_customers, 0) as new_customers,
        coalesce(weekly_orders.net_revenue, 0) as net_revenue,
        coalesce(weekly_posts.sponsored_posts, 0) as sponsored_posts,
        coalesce(weekly_posts.views, 0) as views,
        coalesce(weekly_posts.engagements, 0) as engagements
    from weeks
    left join costs on weeks.campaign_id = costs.campaign_id
    left join budgets on weeks.campaign_id = budgets.campaign_id
    left join
        weekly_orders
        on weeks.campaign_id = weekly_orders.campaign_id and weeks.week_start = weekly_orders.week_start
    left join
        weekly_posts
        on weeks.campaign_id = weekly_posts.campaign_id and weeks.week_start = weekly_posts.week_start
),

cumulative as (
    select
        *,
        sum(net_revenue) over (partition by campaign_id order by week_start) as net_revenue_to_date,
        lag(net_revenue) over (partition by campaign_id order by week_start) as previous_net_revenue,
        lag(orders) over (partition by campaign_id order by week_start) as previous_orders
    from grid
)

select
    campaign_id,
    campaign_name,
    campaign_start_date,
    week_start,
    cast({{ format_date('week_start', '%G-W%V') }} as {{ dbt.type_string() }}) as iso_week,
    is_complete_week,
    '{{ var("reporting_currency") }}' as reporting_currency,
    cast(coalesce(creators, 0) as bigint) as creators,
    orders,
    new_customers,
    cast(net_revenue as decimal(38, 2)) as net_revenue,
    sponsored_posts,
    cast(views as bigint) as views,
    cast(engagements as bigint) as engagements,
    cast(net_revenue_to_date as decimal(38, 2)) as net_revenue_to_date,
    cast(coalesce(campaign_cost, 0) as decimal(38, 2)) as campaign_cost,
    {{ round_double(safe_divide('net_revenue_to_date - campaign_cost', 'campaign_cost'), 4) }} as roi_to_date,
    budget,
    budget_currency,
    -- Null without a budget (never 1 or 0): only a rate the fx_rate_present test reports can be missing here.
    case when budget is not null then cast(budget_fx_rate as decimal(18, 10)) end as budget_fx_rate_to_reporting,
    budget_reporting,
    -- Spend against budget: null, not 0 or 100%, when no budget is set or it is 0.
    {{ round_double(safe_divide('coalesce(campaign_cost, 0)', 'budget_reporting'), 4) }} as spend_vs_budget,
    cast(budget_reporting - coalesce(campaign_cost, 0) as decimal(38, 2)) as remaining_budget,
    {{ week_over_week_columns() }}
from cumulative
