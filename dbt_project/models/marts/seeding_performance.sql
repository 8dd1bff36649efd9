-- What gifting returns: one row per creator x campaign whose contracts are all gifted-only (product, no payment):
-- did the creator post, how soon, at what gift cost per post, the earned media value of the posts and the sales
-- through their code or link. Posts, orders, revenue and gift costs are creator_roi's own measures (the same sponsored
-- posts in the campaign window, the same attributed orders), so the two marts agree on every shared number.
with contracts as (select * from {{ ref('stg_marketing__contracts') }}),

roi as (select * from {{ ref('creator_roi') }}),

fx as (select * from {{ ref('int_fx_rates_daily') }}),

-- Value of one unit of each metric, per platform, in USD (views are valued per 1,000: the CPM).
emv_values as (
    select
        platform,
        max(value_usd / per_units) filter (where metric = 'views') as per_view,
        max(value_usd / per_units) filter (where metric = 'likes') as per_like,
        max(value_usd / per_units) filter (where metric = 'comments') as per_comment,
        max(value_usd / per_units) filter (where metric = 'shares') as per_share,
        max(value_usd / per_units) filter (where metric = 'saves') as per_save
    from {{ ref('earned_media_values') }}
    group by 1
),

-- Gifted-only: the creator is given product and nothing else (no flat fee, commission, bonus or paid amplification).
-- A creator x campaign with a paid contract beside the gift is not seeding: its posts and sales cannot be split.
gifted as (
    select
        costs.creator_id,
        costs.campaign_id,
        cast(sum(contracts.gifted_units) as bigint) as gifted_units,
        bool_or(costs.is_gift_cost_missing) as is_gift_cost_missing
    from {{ ref('int_contract_costs') }} as costs
    inner join contracts on costs.contract_id = contracts.contract_id
    group by 1, 2
    having bool_and(
        coalesce(contracts.flat_fee, 0) = 0
        and contracts.commission_rate = 0
        and coalesce(contracts.bonus_amount, 0) = 0
        and contracts.paid_amplification = 0
        and contracts.gifted_units > 0
    )
),

pairs as (
    select
        roi.*,
        gifted.gifted_units,
        gifted.is_gift_cost_missing
    from roi
    inner join gifted on roi.creator_id = gifted.creator_id and roi.campaign_id = gifted.campaign_id
),

-- creator_roi's sponsored posts: the creator's posts naming the brand, published inside the campaign window (the mart
-- gate checks that the counts agree).
posts as (
    select
        pairs.creator_id,
        pairs.campaign_id,
        posts.platform,
        cast(count(*) as bigint) as posts,
        min(posts.posted_date) as first_post_date,
        sum(posts.views) as views,
        sum(posts.likes) as likes,
        sum(posts.comments) as comments,
        sum(posts.shares) as shares,
        sum(posts.saves) as saves
    from pairs
    inner join {{ ref('int_posts') }} as posts
        on
            pairs.creator_id = posts.creator_id
            and posts.is_sponsored
            and posts.posted_date between pairs.campaign_start_date and pairs.campaign_end_date
    group by 1, 2, 3
),

-- A metric a platform does not report adds nothing: EMV values what was measured, never an estimate.
post_totals as (
    select
        posts.creator_id,
        posts.campaign_id,
        cast(sum(posts.posts) as bigint) as posts,
        min(posts.first_post_date) as first_post_date,
        sum(posts.views) as views,
        sum(posts.likes) as likes,
        sum(posts.comments) as comments,
        sum(posts.shares) as shares,
        sum(posts.saves) as saves,
        sum(
            coalesce(posts.views * emv_values.per_view, 0)
            + coalesce(posts.likes * emv_values.per_like, 0)
            + coalesce(posts.comments * emv_values.per_comment, 0)
            + coalesce(posts.shares * emv_values.per_share, 0)
            + coalesce(posts.saves * emv_values.per_save, 0)
        ) as emv_usd
    from posts
    left join emv_values on posts.platform = emv_values.platform
    group by 1, 2
)

select
    pairs.creator_id,
    pairs.creator_name,
    pairs.campaign_id,
    pairs.campaign_name,
    pairs.contract_id,
    pairs.campaign_start_date,
    pairs.campaign_end_date,
    pairs.reporting_currency,
    pairs.gifted_units,
    pairs.gifting_cogs,
    pairs.gift_shipping_cost,
    cast(pairs.gifting_cogs + pairs.gift_shipping_cost as decimal(38, 2)) as gift_cost,
    pairs.is_gift_cost_missing,
    coalesce(post_totals.posts, 0) > 0 as has_posted,
    coalesce(post_totals.posts, 0) as posts,
    post_totals.first_post_date,
    {{ days_between('pairs.campaign_start_date', 'post_totals.first_post_date') }} as days_to_first_post,
    -- Null, never 0, without a post (nothing to spread the gift over) or without the product's cost.
    case
        when not pairs.is_gift_cost_missing
            then {{ money_share('pairs.gifting_cogs + pairs.gift_shipping_cost', 1, 'post_totals.posts') }}
    end as cost_per_post,
    cast(coalesce(post_totals.views, 0) as bigint) as views,
    cast(coalesce(post_totals.likes, 0) as bigint) as likes,
    cast(coalesce(post_totals.comments, 0) as bigint) as comments,
    cast(coalesce(post_totals.shares, 0) as bigint) as shares,
    cast(coalesce(post_totals.saves, 0) as bigint) as saves,
    -- The seed's USD values in the reporting currency at the campaign start date, as contract costs are converted.
    {{ to_money(
        'coalesce(post_totals.emv_usd, 0)',
        "case when '" ~ var('reporting_currency') ~ "' = 'USD' then 1 else reporting_fx.units_per_usd end"
    ) }} as emv,
    pairs.orders,
    pairs.net_revenue
from pairs
left join post_totals on pairs.creator_id = post_totals.creator_id and pairs.campaign_id = post_totals.campaign_id
left join fx as reporting_fx
    on
        reporting_fx.currency = '{{ var("reporting_currency") }}'
        and pairs.campaign_start_date = reporting_fx.rate_date
