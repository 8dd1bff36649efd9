-- One row per post a contract asks for (a deliverable of 3 Reels is three units), with the post that delivered it.
-- A post is a candidate for a contract when it is by the contract's creator, on the deliverable's platform and
-- format, posted from the campaign start to var deliverable_late_grace_days after the contract's last due date, and
-- it names the brand (a brand handle: int_posts.is_sponsored) or the contract's discount code or link id. A post that
-- fits two contracts counts once: for the contract whose code or link it names, else the one due first. Within a
-- contract and format, posts in time order fill the units in due-date order (the earliest post meets the earliest
-- deadline). Status: on_time (posted on or before the due date), late, missing (no post and the due date is before
-- as_of_date) or pending (no post yet and the due date is as_of_date or later).
-- Stories (int_instagram_stories) have no caption to name the brand or a code: a story by the contract creator's
-- Instagram account inside the same date window is a candidate by its account and dates alone. That is weaker
-- evidence (any story of the creator in the window counts), so match_basis says how each unit was matched:
-- code_or_link, brand_handle or account_and_dates. A story, like a post, counts for one contract only: the one due
-- first among those whose story deadline it is not past (else the one due first).
with deliverables as (select * from {{ ref('stg_marketing__contract_deliverables') }}),

contracts as (select * from {{ ref('stg_marketing__contracts') }}),

campaigns as (select * from {{ ref('stg_marketing__campaigns') }}),

codes as (select * from {{ ref('stg_marketing__code_assignments') }}),

links as (select * from {{ ref('stg_marketing__link_assignments') }}),

disclosure as (select * from {{ ref('int_post_disclosure') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

ig_media as (select * from {{ ref('stg_instagram__media') }}),

ig_exports as (select * from {{ ref('stg_instagram__post_exports') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

posts as (
    -- Each post's deliverable format: Instagram's product type (the API's, else the Business Suite export's).
    select
        posts.platform,
        posts.post_id,
        posts.creator_id,
        posts.posted_at,
        posts.posted_date,
        posts.caption,
        posts.is_sponsored,
        case posts.platform
            when 'tiktok' then 'tiktok_video'
            when 'youtube' then 'youtube_video'
            else case
                when
                    coalesce(
                        ig_media.media_product_type = 'REELS', {{ instagram_export_is_reel('ig_exports.post_type') }}
                    )
                    then 'instagram_reel'
                when coalesce(ig_media.media_product_type = 'STORY', lower(ig_exports.post_type) like '%stor%')
                    then 'instagram_story'
                else 'instagram_post'
            end
        end as deliverable_format
    from {{ ref('int_posts') }} as posts
    left join ig_media on posts.platform = 'instagram' and posts.post_id = ig_media.media_id
    left join ig_exports on posts.platform = 'instagram' and posts.post_id = ig_exports.post_id
    where posts.creator_id is not null
),

stories as (
    -- A story an export already delivered as a post is that post.
    select
        'instagram' as platform,
        stories.media_id as post_id,
        accounts.creator_id,
        stories.posted_at,
        stories.posted_date
    from {{ ref('int_instagram_stories') }} as stories
    inner join accounts on accounts.platform = 'instagram' and stories.account_id = accounts.account_id
    where
        stories.media_id not in (
            select posts.post_id from posts
            where posts.platform = 'instagram'
        )
),

contract_formats as (
    select
        deliverables.contract_id,
        contracts.creator_id,
        contracts.campaign_id,
        deliverables.deliverable_format,
        campaigns.campaign_start_date as window_start,
        cast(
            max(deliverables.due_date) over (partition by deliverables.contract_id)
            + {{ var('deliverable_late_grace_days') }} as date
        ) as window_end,
        min(deliverables.due_date) over (partition by deliverables.contract_id) as first_due_date,
        max(deliverables.due_date) over (
            partition by deliverables.contract_id, deliverables.deliverable_format
        ) as format_last_due_date
    from deliverables
    inner join contracts on deliverables.contract_id = contracts.contract_id
    inner join campaigns on contracts.campaign_id = campaigns.campaign_id
    qualify row_number() over (
        partition by deliverables.contract_id, deliverables.deliverable_format order by deliverables.due_date
    ) = 1
),

contract_refs as (
    -- What in a caption names one contract: its creator's discount codes and link ids for its campaign.
    select
        contracts.contract_id,
        lower(codes.discount_code) as ref
    from contracts
    inner join codes on contracts.creator_id = codes.creator_id and contracts.campaign_id = codes.campaign_id
    union all
    select
        contracts.contract_id,
        lower(links.link_id)
    from contracts
    inner join links on contracts.creator_id = links.creator_id and contracts.campaign_id = links.campaign_id
),

candidates as (
    select
        contract_formats.contract_id,
        contract_formats.deliverable_format,
        contract_formats.first_due_date,
        contract_formats.format_last_due_date,
        posts.platform,
        posts.post_id,
        posts.posted_at,
        posts.posted_date,
        posts.is_sponsored,
        exists(
            select 1 from contract_refs
            where
                contract_refs.contract_id = contract_formats.contract_id
                -- Whole words: code XIN20 is not named by a caption with XIN202. contains() first is cheap.
                and contains(lower(coalesce(posts.caption, '')), contract_refs.ref)
                and {{ regex_matches_column('lower(posts.caption)', whole_word_pattern('contract_refs.ref')) }}
        ) as names_contract
    from contract_formats
    inner join posts
        on
            contract_formats.creator_id = posts.creator_id
            and contract_formats.deliverable_format = posts.deliverable_format
            and posts.posted_date between contract_formats.window_start and contract_formats.window_end
    union all
    select
        contract_formats.contract_id,
        contract_formats.deliverable_format,
        contract_formats.first_due_date,
        contract_formats.format_last_due_date,
        stories.platform,
        stories.post_id,
        stories.posted_at,
        stories.posted_date,
        false as is_sponsored,
        false as names_contract
    from contract_formats
    inner join stories
        on
            contract_formats.creator_id = stories.creator_id
            and contract_formats.deliverable_format = 'instagram_story'
            and stories.posted_date between contract_formats.window_start and contract_formats.window_end
),

assigned as (
    select
        *,
        case
            when names_contract then 'code_or_link'
            when is_sponsored then 'brand_handle'
            else 'account_and_dates'
        end as match_basis
    from candidates
    where is_sponsored or names_contract or deliverable_format = 'instagram_story'
    -- A story names no contract: it serves one whose deadline for stories it is not past, when there is one, so
    -- two contracts running at once each get the stories posted for them rather than the first taking them all.
    qualify row_number() over (
        partition by platform, post_id
        order by
            names_contract desc,
            (match_basis = 'account_and_dates' and posted_date > format_last_due_date) asc,
            first_due_date asc,
            contract_id asc
    ) = 1
),

ranked_posts as (
    select
        *,
        row_number() over (partition by contract_id, deliverable_format order by posted_at, post_id) as fill_order
    from assigned
),

units as (
    select
        deliverables.contract_id,
        deliverables.deliverable_format,
        deliverables.due_date,
        deliverables.has_content_review,
        unit.unit_number,
        row_number() over (
            partition by deliverables.contract_id, deliverables.deliverable_format
            order by deliverables.due_date, unit.unit_number
        ) as fill_order
    from deliverables
    {{ cross_join_series('1', 'deliverables.posts_due', 'unit', 'unit_number') }}
)

select
    units.contract_id,
    contracts.creator_id,
    contracts.campaign_id,
    split_part(units.deliverable_format, '_', 1) as platform,
    units.deliverable_format,
    units.due_date,
    units.unit_number,
    units.has_content_review,
    ranked_posts.post_id,
    ranked_posts.posted_date,
    ranked_posts.match_basis,
    -- greatest() skips nulls: an unposted unit must stay null, not 0 days late.
    case
        when ranked_posts.post_id is not null
            then greatest(0, {{ days_between('units.due_date', 'ranked_posts.posted_date') }})
    end
        as days_late,
    case
        when ranked_posts.post_id is not null and ranked_posts.posted_date <= units.due_date then 'on_time'
        when ranked_posts.post_id is not null then 'late'
        when units.due_date < as_of.as_of_date then 'missing'
        else 'pending'
    end as delivery_status,
    -- Disclosure is judged on posts that name a brand handle (int_post_disclosure); a post found by its code alone
    -- is not judged (null).
    case when ranked_posts.post_id is not null then not disclosure.is_disclosed end as is_undisclosed,
    as_of.as_of_date
from units
inner join contracts on units.contract_id = contracts.contract_id
cross join as_of
left join ranked_posts
    on
        units.contract_id = ranked_posts.contract_id
        and units.deliverable_format = ranked_posts.deliverable_format
        and units.fill_order = ranked_posts.fill_order
left join disclosure on ranked_posts.platform = disclosure.platform and ranked_posts.post_id = disclosure.post_id
