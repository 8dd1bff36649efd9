-- Whose rate to review: one row per long-term partner (at least var rate_review_min_contracts campaigns under
-- contract started by as_of_date, the first starting at least var rate_review_min_tenure_days before it), with the
-- performance of their latest started campaign against their first. A campaign not started yet has no results: were
-- it the latest, the next contract, once entered, would hide the partner from the review it is the time for.
-- Performance grew when ROAS rose by var rate_review_min_growth (both campaigns with at least var
-- rate_review_min_orders orders, so a handful of orders is not a trend) or engagements per sponsored post did, ROAS did
-- not fall by as much, and the latest campaign returned at least var rate_review_min_roas (an unprofitable partner's
-- rate is not raised); such a partner is due a rate review before the next contract (a review, not a raise).
-- Only an approved creator is due a review: one in review, rejected or not vetted is named with the verdict to settle
-- first (a rate is never raised for a creator the vetting would not hire again).
-- Measures are creator_roi's (per creator x campaign), so this mart never disagrees with the ROI marts.
{% set min_contracts = var('rate_review_min_contracts', 2) %}
{% set min_tenure_days = var('rate_review_min_tenure_days', 90) %}
{% set min_orders = var('rate_review_min_orders', 5) %}
{% set min_growth = var('rate_review_min_growth', 0.25) %}
{% set min_roas = var('rate_review_min_roas', 2.0) %}

with as_of as (select * from {{ ref('int_vetting_as_of') }}),

campaigns as (
    select
        roi.*,
        row_number() over (partition by roi.creator_id order by roi.campaign_start_date, roi.campaign_id)
            as campaign_order,
        count(*) over (partition by roi.creator_id) as contracts
    from {{ ref('creator_roi') }} as roi
    cross join as_of
    where roi.contract_id is not null and roi.campaign_start_date <= as_of.as_of_date
),

partners as (
    select
        first_campaign.creator_id,
        first_campaign.creator_name,
        first_campaign.contracts,
        first_campaign.campaign_start_date as first_campaign_start_date,
        {{ days_between('first_campaign.campaign_start_date', 'as_of.as_of_date') }} as tenure_days,
        first_campaign.campaign_id as first_campaign_id,
        first_campaign.orders as first_orders,
        first_campaign.roas as first_roas,
        {{ safe_divide('first_campaign.engagements', 'first_campaign.sponsored_posts') }}
            as first_engagements_per_post,
        latest_campaign.campaign_id as latest_campaign_id,
        latest_campaign.contract_id as latest_contract_id,
        latest_campaign.orders as latest_orders,
        latest_campaign.roas as latest_roas,
        {{ safe_divide('latest_campaign.engagements', 'latest_campaign.sponsored_posts') }}
            as latest_engagements_per_post
    from campaigns as first_campaign
    inner join campaigns as latest_campaign
        on
            first_campaign.creator_id = latest_campaign.creator_id
            and latest_campaign.campaign_order = latest_campaign.contracts
    cross join as_of
    where
        first_campaign.campaign_order = 1
        and first_campaign.contracts >= {{ min_contracts }}
        and {{ days_between('first_campaign.campaign_start_date', 'as_of.as_of_date') }} >= {{ min_tenure_days }}
),

growth as (
    select
        *,
        case
            when first_orders >= {{ min_orders }} and latest_orders >= {{ min_orders }} and first_roas > 0
                then {{ round_double('latest_roas / first_roas - 1', 4) }}
        end as roas_change,
        {{ round_double(safe_divide('latest_engagements_per_post', 'first_engagements_per_post') ~ ' - 1', 4) }}
            as engagement_change
    from partners
),

judged as (
    select
        growth.*,
        (
            coalesce(growth.roas_change >= {{ min_growth }}, false)
            or coalesce(growth.engagement_change >= {{ min_growth }}, false)
        )
        and coalesce(growth.roas_change > -{{ min_growth }}, true)
        and coalesce(growth.latest_roas >= {{ min_roas }}, false) as has_grown,
        coalesce(verdicts.vetting_verdict, 'not_vetted') as vetting_verdict,
        fairness.rate_flag as latest_rate_flag,
        fairness.pay_per_deliverable as latest_pay_per_deliverable
    from growth
    left join {{ ref('rate_fairness') }} as fairness on growth.latest_contract_id = fairness.contract_id
    left join {{ creator_verdicts() }} as verdicts on growth.creator_id = verdicts.creator_id
),

worded as (
    select
        *,
        {{ count_words('contracts', 'campaign') }} || ' over '
        || {{ count_words('tenure_days', 'day') }} as tenure_words,
        case
            when roas_change is null
                then 'ROAS not compared (fewer than ' || {{ min_orders }} || ' orders in a campaign, or no cost)'
            else
                'ROAS ' || {{ multiple_words('first_roas') }} || ' then ' || {{ multiple_words('latest_roas') }}
                || ' (' || case when roas_change >= 0 then '+' else '' end
                || {{ number_text('roas_change * 100', 0, thousands=false) }} || '%)'
        end as roas_words,
        case
            when engagement_change is null then 'engagement not compared (no sponsored posts in a campaign)'
            else
                'engagements per sponsored post ' || case when engagement_change >= 0 then '+' else '' end
                || {{ number_text('engagement_change * 100', 0, thousands=false) }} || '%'
        end as engagement_words,
        has_grown and vetting_verdict = 'approve' as is_rate_review
    from judged
)

select
    creator_id,
    creator_name,
    cast(contracts as bigint) as contracts,
    first_campaign_start_date,
    cast(tenure_days as bigint) as tenure_days,
    first_campaign_id,
    latest_campaign_id,
    latest_contract_id,
    first_orders,
    latest_orders,
    {{ round_double('first_roas', 4) }} as first_roas,
    {{ round_double('latest_roas', 4) }} as latest_roas,
    roas_change,
    {{ round_double('first_engagements_per_post', 2) }} as first_engagements_per_post,
    {{ round_double('latest_engagements_per_post', 2) }} as latest_engagements_per_post,
    engagement_change,
    has_grown,
    vetting_verdict,
    is_rate_review,
    latest_rate_flag,
    latest_pay_per_deliverable,
    case
        when is_rate_review
            then
                tenure_words || '; ' || roas_words || ', ' || engagement_words
                || ': performance grew - review the rate before the next contract'
                || case latest_rate_flag
                    when 'under_priced' then ' (already under the market range: at risk of leaving).'
                    when 'over_priced' then ' (already above the market range: keep it, do not raise it).'
                    else '.'
                end
        when has_grown
            then
                tenure_words || '; ' || roas_words || ', ' || engagement_words || ': performance grew, but '
                || case vetting_verdict
                    when 'reject' then 'vetting rejects this creator: no rate review, do not renew.'
                    when 'review' then 'vetting has this creator in review: settle the review before any rate review.'
                    else 'this creator is not vetted yet: vet them before any rate review.'
                end
        when coalesce(latest_roas < {{ min_roas }}, true)
            then
                tenure_words || '; ' || roas_words || ', ' || engagement_words
                || ': the latest campaign returned under ' || {{ multiple_words(min_roas) }}
                || ' ROAS, so no rate rise yet.'
        else tenure_words || '; ' || roas_words || ', ' || engagement_words || ': no growth to reward yet.'
    end as reason
from worded
