-- One row per contract deliverable (contract, format, due date): how many of its posts were delivered on time, late,
-- are missing (due date passed, not posted) or pending (due date not yet passed), and how many delivered posts carry
-- no ad disclosure, and how many were matched by the creator's account and dates alone (stories: weaker evidence).
-- Matching and statuses: int_contract_deliverable_units.
with units as (select * from {{ ref('int_contract_deliverable_units') }}),

creators as (select * from {{ ref('stg_marketing__creators') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

deliverables as (
    select
        contract_id,
        creator_id,
        campaign_id,
        platform,
        deliverable_format,
        due_date,
        any_value(has_content_review) as has_content_review,
        any_value(as_of_date) as as_of_date,
        count(*) as posts_due,
        count(*) filter (where delivery_status = 'on_time') as posts_on_time,
        count(*) filter (where delivery_status = 'late') as posts_late,
        count(*) filter (where delivery_status = 'missing') as posts_missing,
        count(*) filter (where delivery_status = 'pending') as posts_pending,
        count(*) filter (where is_undisclosed) as posts_undisclosed,
        count(*) filter (where match_basis = 'account_and_dates') as posts_matched_by_dates,
        max(days_late) as max_days_late,
        max(posted_date) as last_posted_date,
        {{ text_agg('post_id', ', ', 'posted_date, post_id') }} as post_ids
    from units
    group by 1, 2, 3, 4, 5, 6
)

select
    deliverables.contract_id,
    deliverables.creator_id,
    creators.creator_name,
    deliverables.campaign_id,
    campaigns.campaign_name,
    deliverables.platform,
    deliverables.deliverable_format,
    deliverables.due_date,
    deliverables.has_content_review,
    deliverables.as_of_date,
    cast(deliverables.posts_due as integer) as posts_due,
    cast(deliverables.posts_on_time as integer) as posts_on_time,
    cast(deliverables.posts_late as integer) as posts_late,
    cast(deliverables.posts_missing as integer) as posts_missing,
    cast(deliverables.posts_pending as integer) as posts_pending,
    cast(deliverables.posts_undisclosed as integer) as posts_undisclosed,
    cast(deliverables.posts_matched_by_dates as integer) as posts_matched_by_dates,
    cast(deliverables.max_days_late as integer) as max_days_late,
    deliverables.last_posted_date,
    deliverables.post_ids,
    -- The worst of its posts: one missing post makes the deliverable missing.
    case
        when deliverables.posts_missing > 0 then 'missing'
        when deliverables.posts_pending > 0 then 'pending'
        when deliverables.posts_late > 0 then 'late'
        else 'delivered'
    end as delivery_status
from deliverables
inner join creators on deliverables.creator_id = creators.creator_id
inner join campaigns on deliverables.campaign_id = campaigns.campaign_id
