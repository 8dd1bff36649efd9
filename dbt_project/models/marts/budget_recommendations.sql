-- Where to move budget: per creator, recent ROI with the interval its order count carries, incremental revenue beside
-- last-touch, the trend against the window before, and a recommendation (increase / keep / cut / replace, or
-- insufficient_data) with the spend it moves and a sentence saying why. Per creator, not per platform: an order is
-- attributed to the creator's code or link, never to one of their accounts.
-- Windows end at the newest attributed order (or var budget_as_of_date): recent = the var budget_recent_days days up
-- to it, previous = the same number of days before. A window's cost is the cost of the sponsored posts published in it
-- (orders follow a post within days, so cost and revenue land in the same window).
-- Performance alone never moves money: a creator rejected in vetting is replaced whatever their returns, and only an
-- approved one is increased (one in review, or not vetted, is kept until the verdict is settled).
{% set recent_days = var('budget_recent_days', 56) %}
{% set min_orders = var('budget_min_orders', 10) %}
{% set z = var('budget_ci_z', 1.96) %}
{% set increase_min_roi = var('budget_increase_min_roi', 2.0) %}
{% set cut_below_roi = var('budget_cut_below_roi', 1.0) %}
{% set replace_below_roi = var('budget_replace_below_roi', 0.0) %}
{% set trend_change = var('budget_trend_change', 0.25) %}
{% set max_sponsored_share = var('budget_max_sponsored_share', 0.34) %}
{% set cut_share = var('budget_cut_share', 0.5) %}

with orders as (
    select * from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
),

contracts as (select * from {{ ref('int_contract_costs') }}),

as_of as (
    select
        coalesce(
            cast(nullif('{{ var('budget_as_of_date', '') }}', '') as date),
            max(order_date)
        ) as as_of_date
    from orders
),

windows as (
    select
        as_of_date,
        as_of_date - {{ recent_days }} + 1 as recent_start_date,
        as_of_date - 2 * {{ recent_days }} + 1 as previous_start_date
    from as_of
),

creators as (
    select
        creators.creator_id,
        creators.creator_name,
        coalesce(verdicts.vetting_verdict, 'not_vetted') as vetting_verdict
    from {{ ref('stg_marketing__creators') }} as creators
    left join {{ creator_verdicts() }} as verdicts on creators.creator_id = verdicts.creator_id
    where
        creators.creator_id in (select contracts.creator_id from contracts)
        or creators.creator_id in (select orders.creator_id from orders)
),

spans as (
    select
        'recent' as window_name,
        recent_start_date as start_date,
        as_of_date as end_date
    from windows
    union all
    select
        'previous' as window_name,
        previous_start_date as start_date,
        recent_start_date - 1 as end_date
    from windows
),

-- One row per creator and window ('recent', 'previous').
creator_windows as (
    select
        creators.creator_id,
        spans.window_name,
        spans.start_date,
        spans.end_date
    from creators
    cross join spans
),

window_orders as (
    select
        creator_windows.creator_id,
        creator_windows.window_name,
        count(orders.order_name) as orders,
        coalesce(sum(orders.net_revenue_reporting), 0) as net_revenue
    from creator_windows
    left join orders
        on
            creator_windows.creator_id = orders.creator_id
            and orders.order_date between creator_windows.start_date and creator_windows.end_date
    group by 1, 2
),

-- Each sponsored post a contract paid for carries an equal share of its cost, in the window it was published; a
-- contract without any sponsored post spreads its cost evenly over its campaign days (it is paid either way).
-- Each share is a DECIMAL of 10 places, so a window's sum is exact whatever order the engine adds them in: summed as
-- DOUBLE, a half cent (512.05 over two posts: 256.025) rounded up on one run and down on the next.
contract_posts as (
    select
        contracts.contract_id,
        posts.posted_date
    from contracts
    inner join {{ ref('int_posts') }} as posts
        on
            contracts.creator_id = posts.creator_id
            and posts.is_sponsored
            and posts.posted_date between contracts.campaign_start_date and contracts.campaign_end_date
),

campaign_days as (
    {{ date_spine('(select min(campaign_start_date) from ' ~ ref('int_contract_costs') ~ ')',
                  '(select max(campaign_end_date) from ' ~ ref('int_contract_costs') ~ ')') }}
),

cost_days as (
    select
        contracts.creator_id,
        coalesce(contract_posts.posted_date, spine.date_day) as cost_date,
        cast(
            {{ safe_divide('contracts.creator_cost', 'count(*) over (partition by contracts.contract_id)') }}
            as decimal(38, 10)
        ) as cost
    from contracts
    left join contract_posts on contracts.contract_id = contract_posts.contract_id
    left join campaign_days as spine
        on
            contract_posts.contract_id is null
            and spine.date_day between contracts.campaign_start_date and contracts.campaign_end_date
),

window_costs as (
    select
        creator_windows.creator_id,
        creator_windows.window_name,
        coalesce(sum(cost_days.cost), 0) as cost
    from creator_windows
    left join cost_days
        on
            creator_windows.creator_id = cost_days.creator_id
            and cost_days.cost_date between creator_windows.start_date and creator_windows.end_date
    group by 1, 2
),

-- Incremental revenue of the contracts whose first sponsored post falls in the recent window.
recent_incremental as (
    select
        contracts.creator_id,
        sum(incremental.incremental_net_revenue) as incremental_net_revenue
    from {{ ref('int_incremental_revenue') }} as incremental
    inner join contracts on incremental.contract_id = contracts.contract_id
    cross join windows
    where incremental.first_post_date between windows.recent_start_date and windows.as_of_date
    group by 1
),

-- Posting cadence over the recent window, on all of the creator's accounts: what they can deliver.
recent_posts as (
    select
        posts.creator_id,
        count(*) as posts,
        count(*) filter (where posts.is_sponsored) as sponsored_posts
    from {{ ref('int_posts') }} as posts
    cross join windows
    where posts.creator_id is not null and posts.posted_date between windows.recent_start_date and windows.as_of_date
    group by 1
),

-- The creator's price per sponsored post over all of their paid contracts.
post_prices as (
    select
        creator_id,
        {{ safe_divide('sum(creator_cost)', 'sum(sponsored_posts)') }} as cost_per_sponsored_post
    from {{ ref('creator_roi') }}
    where creator_cost > 0
    group by 1
),

measured as (
    select
        creators.creator_id,
        creators.creator_name,
        creators.vetting_verdict,
        recent_orders.orders as recent_orders,
        recent_orders.net_revenue as recent_net_revenue,
        recent_costs.cost as recent_cost,
        previous_orders.orders as previous_orders,
        previous_orders.net_revenue as previous_net_revenue,
        previous_costs.cost as previous_cost,
        recent_incremental.incremental_net_revenue as recent_incremental_net_revenue,
        {{ safe_divide('coalesce(recent_posts.posts, 0) * 30.0', recent_days) }} as posts_per_month,
        {{ safe_divide('coalesce(recent_posts.sponsored_posts, 0) * 30.0', recent_days) }} as sponsored_posts_per_month,
        post_prices.cost_per_sponsored_post,
        {{ safe_divide('recent_orders.net_revenue', 'recent_costs.cost') }} as recent_roas,
        {{ safe_divide('previous_orders.net_revenue', 'previous_costs.cost') }} as previous_roas,
        -- Poisson score interval on the order count (never below 0, exact at 0 orders): revenue per order held at
        -- the window's average, so the ROAS interval is roas x bound / orders.
        recent_orders.orders + power({{ z }}, 2) / 2
        - {{ z }} * sqrt(recent_orders.orders + power({{ z }}, 2) / 4) as orders_low,
        recent_orders.orders + power({{ z }}, 2) / 2
        + {{ z }} * sqrt(recent_orders.orders + power({{ z }}, 2) / 4) as orders_high
    from creators
    inner join window_orders as recent_orders
        on creators.creator_id = recent_orders.creator_id and recent_orders.window_name = 'recent'
    inner join window_orders as previous_orders
        on creators.creator_id = previous_orders.creator_id and previous_orders.window_name = 'previous'
    inner join window_costs as recent_costs
        on creators.creator_id = recent_costs.creator_id and recent_costs.window_name = 'recent'
    inner join window_costs as previous_costs
        on creators.creator_id = previous_costs.creator_id and previous_costs.window_name = 'previous'
    left join recent_incremental on creators.creator_id = recent_incremental.creator_id
    left join recent_posts on creators.creator_id = recent_posts.creator_id
    left join post_prices on creators.creator_id = post_prices.creator_id
),

intervals as (
    select
        *,
        -- Rounded here, so the rules and the reason's words use the values the columns show.
        {{ round_double('recent_roas - 1', 4) }} as recent_roi,
        {{ round_double('recent_roas * orders_low / nullif(recent_orders, 0) - 1', 4) }} as recent_roi_low,
        {{ round_double('recent_roas * orders_high / nullif(recent_orders, 0) - 1', 4) }} as recent_roi_high,
        -- A trend needs enough orders and a cost in both windows.
        case
            when previous_orders >= {{ min_orders }} and recent_roas is not null and previous_roas > 0
                then {{ round_double('recent_roas / previous_roas - 1', 4) }}
        end as roas_change,
        greatest(0, posts_per_month * {{ max_sponsored_share }} - sponsored_posts_per_month)
            as spare_sponsored_posts_per_month
    from measured
),

judged as (
    select
        *,
        case
            when roas_change is null then 'unknown'
            when roas_change >= {{ trend_change }} then 'rising'
            when roas_change <= -{{ trend_change }} then 'falling'
            else 'steady'
        end as trend,
        case
            when recent_orders < {{ min_orders }} then 'insufficient_data'
            -- No cost in the window (pure gifting without COGS, no contract): ROI is undefined, never a reason
            -- to put money in.
            when recent_roi is null then 'keep'
            when recent_roi_high < {{ replace_below_roi }} then 'replace'
            when
                recent_roi_high < {{ cut_below_roi }}
                or (roas_change <= -{{ trend_change }} and recent_roi < {{ increase_min_roi }})
                then 'cut'
            when
                recent_roi_low >= {{ increase_min_roi }}
                and coalesce(roas_change > -{{ trend_change }}, true)
                and spare_sponsored_posts_per_month >= 1
                and cost_per_sponsored_post is not null
                then 'increase'
            else 'keep'
        end as performance_recommendation
    from intervals
),

vetted as (
    select
        *,
        case
            when vetting_verdict = 'reject' then 'replace'
            when performance_recommendation = 'increase' and vetting_verdict <> 'approve' then 'keep'
            else performance_recommendation
        end as recommendation
    from judged
),

-- Spend a cut or a replacement frees each month, moved to the creators to increase in order of their pessimistic
-- ROI, each up to the spend of the sponsored posts they have room for.
moves as (
    select
        *,
        recent_cost * 30.0 / {{ recent_days }} as recent_cost_per_month,
        case
            when recommendation = 'increase' then spare_sponsored_posts_per_month * cost_per_sponsored_post
        end as capacity_spend_per_month
    from vetted
),

freed as (
    select
        coalesce(
            sum(recent_cost_per_month * case recommendation when 'replace' then 1.0 else {{ cut_share }} end),
            0
        ) as freed_per_month
    from moves
    where recommendation in ('cut', 'replace')
),

allocated as (
    select
        moves.*,
        case
            when moves.recommendation = 'replace' then -moves.recent_cost_per_month
            when moves.recommendation = 'cut' then -moves.recent_cost_per_month * {{ cut_share }}
            when moves.recommendation = 'increase'
                then least(
                    moves.capacity_spend_per_month,
                    greatest(0, freed.freed_per_month - coalesce(sum(moves.capacity_spend_per_month) over (
                        partition by moves.recommendation
                        order by moves.recent_roi_low desc, moves.creator_id asc
                        rows between unbounded preceding and 1 preceding
                    ), 0))
                )
            when moves.recommendation = 'keep' then 0
        end as budget_change_per_month
    from moves
    cross join freed
),

counted as (
    select
        *,
        {{ count_words('recent_orders', 'order') }} as orders_words
    from allocated
),

worded as (
    select
        *,
        {{ percent_words('recent_roi') }}
        || ' ('
        || {{ percent_words('recent_roi_low') }}
        || ' to '
        || {{ percent_words('recent_roi_high') }}
        || ') over ' || orders_words as roi_words,
        case trend
            when 'unknown' then 'no earlier window to compare'
            else
                trend || ' (' || case when roas_change >= 0 then '+' else '' end
                || {{ number_text('roas_change * 100', 0, thousands=false) }} || '% ROAS)'
        end as trend_words,
        '{{ var("reporting_currency") }} ' || {{ number_text('abs(budget_change_per_month)', 0) }} as change_words,
        '{{ var("reporting_currency") }} ' || {{ number_text('capacity_spend_per_month', 0) }} as capacity_words
    from counted
)

select
    worded.creator_id,
    worded.creator_name,
    '{{ var("reporting_currency") }}' as reporting_currency,
    windows.as_of_date,
    windows.recent_start_date,
    windows.previous_start_date,
    worded.recent_orders,
    cast(worded.recent_net_revenue as decimal(38, 2)) as recent_net_revenue,
    cast({{ round_double('worded.recent_cost', 2) }} as decimal(38, 2)) as recent_cost,
    worded.recent_roi,
    worded.recent_roi_low,
    worded.recent_roi_high,
    worded.recent_incremental_net_revenue,
    worded.previous_orders,
    cast(worded.previous_net_revenue as decimal(38, 2)) as previous_net_revenue,
    cast({{ round_double('worded.previous_cost', 2) }} as decimal(38, 2)) as previous_cost,
    {{ round_double('worded.previous_roas - 1', 4) }} as previous_roi,
    worded.roas_change,
    worded.trend,
    worded.vetting_verdict,
    {{ round_double('worded.posts_per_month', 2) }} as posts_per_month,
    {{ round_double('worded.sponsored_posts_per_month', 2) }} as sponsored_posts_per_month,
    {{ round_double('worded.spare_sponsored_posts_per_month', 2) }} as spare_sponsored_posts_per_month,
    cast({{ round_double('worded.cost_per_sponsored_post', 2) }} as decimal(38, 2)) as cost_per_sponsored_post,
    worded.performance_recommendation,
    worded.recommendation,
    cast({{ round_double('worded.budget_change_per_month', 2) }} as decimal(38, 2)) as budget_change_per_month,
    cast({{ round_double('worded.budget_change_per_month * worded.recent_roas', 2) }} as decimal(38, 2))
        as expected_revenue_change_per_month,
    -- The verdict's reasons first: they overrule what the returns alone would say.
    coalesce(
        case
            when worded.vetting_verdict = 'reject'
                then
                    'Rejected in vetting (creator_vetting_reasons says why): replace whatever the returns ('
                    || coalesce('ROI ' || worded.roi_words, worded.orders_words || ' attributed')
                    || ' in the last ' || {{ recent_days }} || ' days) - end the contract and stop the code'
                    || case
                        when worded.budget_change_per_month < 0
                            then '; move its ' || worded.change_words || ' a month to the top performers.'
                        else '.'
                    end
            when worded.recommendation = 'keep' and worded.performance_recommendation = 'increase'
                then
                    'ROI ' || worded.roi_words || ', ' || worded.trend_words
                    || ': keep - the returns merit an increase, ' || case worded.vetting_verdict
                        when 'review' then 'but vetting has this creator in review: settle the review first.'
                        else 'but this creator is not vetted yet: vet them first.'
                    end
        end,
        case worded.recommendation
            when 'insufficient_data'
                then
                    'Only ' || worded.orders_words || ' attributed in the last ' || {{ recent_days }}
                    || ' days (at least ' || {{ min_orders }} || ' needed): too few to judge, no recommendation yet.'
            when 'keep'
                then
                    case
                        when worded.recent_roi is null
                            then
                                worded.orders_words || ' but no spend in the last ' || {{ recent_days }}
                                || ' days (no paid sponsored post, or a cost of 0): ROI undefined, so no budget moves;'
                                || ' record the cost to judge this creator.'
                        when worded.recent_roi_low >= {{ increase_min_roi }} and worded.trend <> 'falling'
                            then
                                'ROI ' || worded.roi_words || ', ' || worded.trend_words
                                || ': keep - a top performer, but with no room for more sponsored posts a month.'
                        else
                            'ROI ' || worded.roi_words || ', ' || worded.trend_words
                            || ': keep - not clearly above ' || {{ percent_words(increase_min_roi) }}
                            || ' nor below ' || {{ percent_words(cut_below_roi) }} || '.'
                    end
            when 'increase'
                then
                    'ROI ' || worded.roi_words || ', ' || worded.trend_words || ': increase - room for '
                    || {{ number_text('worded.spare_sponsored_posts_per_month', 1, thousands=false) }}
                    || ' more sponsored posts a month ('
                    || worded.capacity_words || '); '
                    || case
                        when worded.budget_change_per_month > 0
                            then worded.change_words || ' a month of it comes from the creators cut or replaced.'
                        else 'the spend freed by cuts went to better performers, so this needs new budget.'
                    end
            when 'cut'
                then
                    'ROI ' || worded.roi_words || ', ' || worded.trend_words || ': cut - move ' || worded.change_words
                    || ' a month to the top performers.'
            when 'replace' then
                'ROI ' || worded.roi_words || ', ' || worded.trend_words
                || ': replace - losing money even at the top of the range; move its ' || worded.change_words
                || ' a month to the top performers.'
        end
    ) as reason
from worded
cross join windows
