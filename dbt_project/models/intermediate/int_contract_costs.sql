-- Creator cost per contract, converted to the reporting currency at the campaign start date.
-- Commission and bonus depend on the attributed net revenue (after refunds) of the creator in the campaign.
with contracts as (select * from {{ ref('stg_marketing__contracts') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

fx as (select * from {{ ref('int_fx_rates_daily') }}),

revenue as (
    select
        creator_id,
        campaign_id,
        sum(net_revenue_reporting) as net_revenue_reporting
    from {{ ref('order_attribution') }}
    where attribution_rule in ('code', 'link') and sale_status = 'paid'
    group by 1, 2
),

converted as (
    select
        contracts.*,
        campaigns.campaign_start_date,
        campaigns.campaign_end_date,
        {{ rate_to_reporting('contracts.currency', 'contract_fx', 'reporting_fx') }} as fx_rate_to_reporting,
        coalesce(revenue.net_revenue_reporting, 0) as attributed_net_revenue
    from contracts
    inner join campaigns on contracts.campaign_id = campaigns.campaign_id
    left join fx as contract_fx
        on contracts.currency = contract_fx.currency and campaigns.campaign_start_date = contract_fx.rate_date
    left join fx as reporting_fx
        on
            reporting_fx.currency = '{{ var("reporting_currency") }}'
            and campaigns.campaign_start_date = reporting_fx.rate_date
    left join revenue on contracts.creator_id = revenue.creator_id and contracts.campaign_id = revenue.campaign_id
),

components as (
    select
        contract_id,
        creator_id,
        campaign_id,
        campaign_start_date,
        campaign_end_date,
        currency as contract_currency,
        fx_rate_to_reporting,
        gift_unit_cost is null and gifted_units > 0 as is_gift_cost_missing,
        {{ to_money('flat_fee', 'fx_rate_to_reporting') }} as fee_cost,
        {{ to_money('gifted_units * coalesce(gift_unit_cost, 0)', 'fx_rate_to_reporting') }} as gifting_cogs,
        {{ to_money('gift_shipping_cost', 'fx_rate_to_reporting') }} as gift_shipping_cost,
        -- Already in the reporting currency: only the commission rate applies.
        {{ to_money('attributed_net_revenue', 'commission_rate') }} as commission_cost,
        case
            when
                bonus_threshold_net_revenue is not null
                and attributed_net_revenue >= bonus_threshold_net_revenue * fx_rate_to_reporting
                then {{ to_money('coalesce(bonus_amount, 0)', 'fx_rate_to_reporting') }}
            else cast(0 as decimal(38, 2))
        end as bonus_cost,
        {{ to_money('paid_amplification', 'fx_rate_to_reporting') }} as amplification_cost
    from converted
)

select
    *,
    cast(
        fee_cost + gifting_cogs + gift_shipping_cost + commission_cost + bonus_cost + amplification_cost
        as decimal(38, 2)
    ) as creator_cost
from components
