-- One row per creator account with contract deliverables due on its platform in the last delivery_lookback_days
-- (365) days up to as_of_date: how many posts were due, on time, late and missing (creator_vetting's delivery review
-- flag and reasons). Pending posts are not judged yet. Null is not 0: an account without a due deliverable in the
-- window has no row, so no finding.
{%- set failed_contract = "case when delivery_status in ('late', 'missing') then contract_id end" %}
with units as (select * from {{ ref('int_contract_deliverable_units') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

record as (
    select
        creator_id,
        platform,
        count(*) as deliverable_posts_due,
        count(*) filter (where delivery_status = 'on_time') as deliverable_posts_on_time,
        count(*) filter (where delivery_status = 'late') as deliverable_posts_late,
        count(*) filter (where delivery_status = 'missing') as deliverable_posts_missing,
        count(distinct contract_id) as deliverable_contracts,
        max(due_date) filter (where delivery_status in ('late', 'missing')) as last_failed_due_date,
        -- The contracts of the failed units (null for the others; Spark cannot filter an ordered string_agg).
        {{ text_agg(failed_contract, ', ', failed_contract, distinct=true) }} as failed_contract_ids
    from units
    where
        delivery_status <> 'pending'
        and due_date > as_of_date - {{ var('delivery_lookback_days') }}
    group by 1, 2
)

select
    accounts.platform,
    accounts.account_id,
    {{ star_except(['creator_id', 'platform'], 'record') }}
from record
inner join accounts on record.creator_id = accounts.creator_id and record.platform = accounts.platform
