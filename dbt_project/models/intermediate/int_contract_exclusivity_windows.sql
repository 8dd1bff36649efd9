-- One row per contract with an exclusivity clause: the days its creator may not promote a competitor of the clause's
-- category, from exclusivity_days_before the campaign start to exclusivity_days_after its end (both inclusive).
with clauses as (select * from {{ ref('stg_marketing__contract_exclusivity') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }})

select
    clauses.contract_id,
    clauses.creator_id,
    clauses.campaign_id,
    clauses.exclusivity_category,
    cast(campaigns.campaign_start_date - clauses.exclusivity_days_before as date) as window_start,
    cast(campaigns.campaign_end_date + clauses.exclusivity_days_after as date) as window_end
from clauses
inner join campaigns on clauses.campaign_id = campaigns.campaign_id
where clauses.exclusivity_category is not null
