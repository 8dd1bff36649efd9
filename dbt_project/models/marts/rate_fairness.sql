-- Which rates are fair: one row per contract, its price per deliverable against the market rate card (seed rate_card)
-- for the creator's platform, tier and each deliverable's format, and its cost per 1,000 engaged followers against
-- what the card's midpoint buys at the tier's benchmark engagement rate. The price is the contract's flat fee
-- (int_contract_costs): rate cards price fixed fees; commission and bonus pay for sales (a creator who sells well is
-- not over-priced for it), gifts are product and amplification is ad spend.
-- A contract of several formats is judged against the sum of the card's range over its deliverables, so no share of
-- the fee has to be guessed per format. An exclusivity clause and bought usage rights (the right to run the posts as
-- ads) widen the range by their premiums in seed rate_premiums, added together.
-- Tier and engagement are the creator's current ones (int_creator_profiles, int_account_engagement).
with contracts as (select * from {{ ref('int_contract_costs') }}),

units as (select * from {{ ref('int_contract_deliverable_units') }}),

profiles as (select * from {{ ref('int_creator_profiles') }}),

engagement as (select * from {{ ref('int_account_engagement') }}),

fx as (select * from {{ ref('int_fx_rates_daily') }}),

card as (select * from {{ ref('rate_card') }}),

benchmarks as (
    select * from {{ ref('engagement_benchmarks') }}
    where definition = 'er_followers'
),

-- One row whatever the seed holds: a premium missing from it counts 0.
premiums as (
    select
        coalesce(max(premium_low) filter (where premium = 'exclusivity'), 0) as exclusivity_low,
        coalesce(max(premium_high) filter (where premium = 'exclusivity'), 0) as exclusivity_high,
        coalesce(max(premium_low) filter (where premium = 'usage_rights'), 0) as usage_low,
        coalesce(max(premium_high) filter (where premium = 'usage_rights'), 0) as usage_high
    from {{ ref('rate_premiums') }}
),

exclusive as (select distinct contract_id from {{ ref('int_contract_exclusivity_windows') }}),

usage_rights as (
    select contract_id from {{ ref('stg_marketing__contracts') }}
    where has_usage_rights
),

-- Each deliverable unit with the creator's account on its platform and the narrowest card row that fits it, in the
-- reporting currency at the campaign start (as the contract's cost).
unit_rates as (
    select
        units.contract_id,
        units.deliverable_format,
        coalesce(profiles.tier, 'unknown tier') as tier,
        profiles.followers * engagement.er_followers as engaged_followers,
        profiles.followers * benchmarks.benchmark_median as benchmark_engaged_followers,
        card.platform is not null as has_card_row,
        card.currency as card_currency,
        card.rate_low * {{ rate_to_reporting('card.currency', 'card_fx', 'reporting_fx') }} as rate_low,
        card.rate_high * {{ rate_to_reporting('card.currency', 'card_fx', 'reporting_fx') }} as rate_high
    from units
    inner join contracts on units.contract_id = contracts.contract_id
    left join profiles on units.creator_id = profiles.creator_id and units.platform = profiles.platform
    left join engagement on profiles.platform = engagement.platform and profiles.account_id = engagement.account_id
    left join benchmarks on profiles.platform = benchmarks.platform and profiles.tier = benchmarks.tier
    left join card
        on
            units.platform = card.platform
            and units.deliverable_format = card.deliverable_format
            and profiles.tier = card.tier
            and profiles.followers >= coalesce(card.min_followers, 0)
            and (card.max_followers_exclusive is null or profiles.followers < card.max_followers_exclusive)
    left join fx as card_fx on card.currency = card_fx.currency and contracts.campaign_start_date = card_fx.rate_date
    left join fx as reporting_fx
        on
            reporting_fx.currency = '{{ var("reporting_currency") }}'
            and contracts.campaign_start_date = reporting_fx.rate_date
    qualify row_number() over (
        partition by units.contract_id, units.deliverable_format, units.due_date, units.unit_number
        order by coalesce(card.max_followers_exclusive - card.min_followers, 1e18)
    ) = 1
),

format_counts as (
    select
        contract_id,
        deliverable_format,
        count(*) as deliverables
    from unit_rates
    group by 1, 2
),

-- A sum is only kept when every deliverable has its part: a missing rate or engagement leaves the contract unknown.
contract_rates as (
    select
        unit_rates.contract_id,
        count(*) as deliverables,
        {{ text_agg('unit_rates.tier', ', ', 'unit_rates.tier', distinct=true) }} as tiers,
        case when count(unit_rates.rate_low) = count(*) then sum(unit_rates.rate_low) end as market_low,
        case when count(unit_rates.rate_high) = count(*) then sum(unit_rates.rate_high) end as market_high,
        case when count(unit_rates.engaged_followers) = count(*) then sum(unit_rates.engaged_followers) end
            as engaged_followers,
        case
            when count(unit_rates.benchmark_engaged_followers) = count(*)
                then sum(unit_rates.benchmark_engaged_followers)
        end as benchmark_engaged_followers,
        min(unit_rates.deliverable_format || ' (' || unit_rates.tier || ')')
        filter (where not unit_rates.has_card_row) as missing_card_row,
        -- A card row that is there but could not be converted: the FX rate is missing, not the row.
        min(unit_rates.card_currency) filter (where unit_rates.has_card_row and unit_rates.rate_low is null)
            as unconverted_card_currency
    from unit_rates
    group by 1
),

formats as (
    select
        contract_id,
        {{ text_agg("deliverables || ' ' || deliverable_format", ', ', 'deliverable_format') }} as deliverable_formats
    from format_counts
    group by 1
),

priced as (
    select
        contracts.contract_id,
        contracts.creator_id,
        creators.creator_name,
        contracts.campaign_id,
        contracts.campaign_start_date,
        contract_rates.deliverables,
        formats.deliverable_formats,
        contract_rates.tiers,
        contract_rates.missing_card_row,
        contract_rates.unconverted_card_currency,
        exclusive.contract_id is not null as has_exclusivity,
        usage_rights.contract_id is not null as has_usage_rights,
        contracts.fee_cost as creator_pay,
        -- The premiums add up: a fee that buys exclusivity and the right to run the posts as ads is worth both.
        case when exclusive.contract_id is not null then premiums.exclusivity_low else 0 end
        + case when usage_rights.contract_id is not null then premiums.usage_low else 0 end as premium_low,
        case when exclusive.contract_id is not null then premiums.exclusivity_high else 0 end
        + case when usage_rights.contract_id is not null then premiums.usage_high else 0 end as premium_high,
        contract_rates.market_low,
        contract_rates.market_high,
        contract_rates.engaged_followers,
        contract_rates.benchmark_engaged_followers
    from contracts
    inner join {{ ref('stg_marketing__creators') }} as creators on contracts.creator_id = creators.creator_id
    left join contract_rates on contracts.contract_id = contract_rates.contract_id
    left join formats on contracts.contract_id = formats.contract_id
    left join exclusive on contracts.contract_id = exclusive.contract_id
    left join usage_rights on contracts.contract_id = usage_rights.contract_id
    cross join premiums
),

measured as (
    select
        *,
        -- Rounded here, so the flag and the reason's words use the values the columns show.
        {{ round_double(safe_divide('creator_pay', 'deliverables'), 2) }} as pay_per_deliverable,
        {{ round_double(safe_divide('market_low * (1 + premium_low)', 'deliverables'), 2) }}
            as market_low_per_deliverable,
        {{ round_double(safe_divide('market_high * (1 + premium_high)', 'deliverables'), 2) }}
            as market_high_per_deliverable,
        {{ round_double(safe_divide('creator_pay * 1000', 'engaged_followers'), 2) }} as cost_per_1000_engaged,
        round(
            {{ safe_divide(
                '(market_low * (1 + premium_low) + market_high * (1 + premium_high)) / 2 * 1000',
                'benchmark_engaged_followers'
            ) }},
            2
        ) as benchmark_cost_per_1000_engaged
    from priced
),

flagged as (
    select
        *,
        case
            when pay_per_deliverable is null or pay_per_deliverable = 0 or market_low_per_deliverable is null
                then 'unknown'
            -- Above the card is fair when the creator's engagement buys more than the card's price at the tier's rate.
            when
                pay_per_deliverable > market_high_per_deliverable
                and not coalesce(cost_per_1000_engaged <= benchmark_cost_per_1000_engaged, false)
                then 'over_priced'
            when pay_per_deliverable < market_low_per_deliverable then 'under_priced'
            else 'in_range'
        end as rate_flag,
        '{{ var("reporting_currency") }} ' as ccy
    from measured
),

worded as (
    select
        *,
        'Pays ' || ccy || {{ number_text('pay_per_deliverable', 0) }} || ' per deliverable ('
        || deliverable_formats || ')'
            as pay_words,
        'the ' || ccy || {{ number_text('market_low_per_deliverable', 0) }} || '-'
        || {{ number_text('market_high_per_deliverable', 0) }} || ' market range for ' || tiers || ' creators'
        || case
            when has_exclusivity and has_usage_rights then ' with the exclusivity and usage-rights premiums'
            when has_exclusivity then ' with the exclusivity premium'
            when has_usage_rights then ' with the usage-rights premium'
            else ''
        end as range_words,
        case
            when cost_per_1000_engaged is not null and benchmark_cost_per_1000_engaged is not null
                then
                    '; ' || ccy || {{ number_text('cost_per_1000_engaged', 2) }}
                    || ' per 1,000 engaged followers against '
                    || ccy || {{ number_text('benchmark_cost_per_1000_engaged', 2) }} || ' at the tier benchmark'
            else ''
        end as engaged_words
    from flagged
)

select
    contract_id,
    creator_id,
    creator_name,
    campaign_id,
    campaign_start_date,
    '{{ var("reporting_currency") }}' as reporting_currency,
    cast(deliverables as bigint) as deliverables,
    deliverable_formats,
    tiers,
    has_exclusivity,
    has_usage_rights,
    cast(creator_pay as decimal(38, 2)) as creator_pay,
    cast(pay_per_deliverable as decimal(38, 2)) as pay_per_deliverable,
    cast(market_low_per_deliverable as decimal(38, 2)) as market_low_per_deliverable,
    cast(market_high_per_deliverable as decimal(38, 2)) as market_high_per_deliverable,
    cast(cost_per_1000_engaged as decimal(38, 2)) as cost_per_1000_engaged,
    cast(benchmark_cost_per_1000_engaged as decimal(38, 2)) as benchmark_cost_per_1000_engaged,
    rate_flag,
    case
        -- No flat fee first: such a contract has no price to judge, so its deliverables are not asked for.
        when creator_pay = 0
            then 'No flat fee (paid on commission or gifted only): the rate card prices fixed fees, nothing to compare.'
        when deliverables is null
            then
                'No deliverables in the contract_deliverables template for this contract: add its rows to compare its'
                || ' price per deliverable with the rate card.'
        when creator_pay is null
            then 'Its fee is unknown (no FX rate for its currency on the campaign start): add the rate to judge it.'
        when missing_card_row is not null
            then
                'No market rate for ' || missing_card_row || ': add a row to seed rate_card (or the account''s follower'
                || ' count) to judge this contract.'
        when market_low_per_deliverable is null
            then
                'No FX rate on ' || campaign_start_date || ' to convert the rate card''s ' || unconverted_card_currency
                || ' prices to {{ var("reporting_currency") }}: add the rate to judge this contract.'
        when rate_flag = 'over_priced'
            then
                pay_words || ', above ' || range_words || engaged_words
                || ': over-priced - negotiate the rate down before renewing.'
        when rate_flag = 'under_priced'
            then
                pay_words || ', under ' || range_words || engaged_words
                || ': under-priced - at risk of leaving for a better offer; review the rate before the next contract.'
        when pay_per_deliverable > market_high_per_deliverable
            then
                pay_words || ', above ' || range_words || ', but its engagement is worth it' || engaged_words || '.'
        else pay_words || ', within ' || range_words || engaged_words || '.'
    end as reason
from worded
