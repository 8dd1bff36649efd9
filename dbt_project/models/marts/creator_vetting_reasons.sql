-- One row per vetting flag: what was found, on which platform, when, how big, and the evidence, so a marketer
-- can see why a creator was rejected or sent to review.
with vetting as (select * from {{ ref('creator_vetting') }}),

accounts as (select * from {{ ref('int_creator_accounts') }}),

growth as (select * from {{ ref('int_follower_events') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

posts as (select * from {{ ref('int_posts') }}),

comments as (select * from {{ ref('int_comment_authenticity') }}),

disclosure as (select * from {{ ref('int_post_disclosure') }}),

growth_reasons as (
    select
        accounts.creator_id,
        growth.platform,
        case
            when growth.is_explained_spike then 'follower_spike_explained'
            when growth.is_spike then 'follower_spike_unexplained'
            else 'follower_dump'
        end as reason_code,
        case
            when growth.is_explained_spike then 'info'
            when growth.is_spike then 'hard_fail'
            else 'penalty'
        end as severity,
        growth.snapshot_date as observed_on,
        cast(growth.follower_delta as double) as measured_value,
        round(growth.delta_share, 4) as measured_share,
        case
            when growth.is_explained_spike
                then
                    'spike on the day of a viral post (views > '
                    || {{ var('viral_views_multiple') }} || 'x median): reported, not penalised'
            when growth.is_spike
                then
                    'followers +' || growth.follower_delta || ' in one day ('
                    || round(100 * growth.delta_share, 1)
                    || '% of followers, robust z '
                    || round(growth.robust_z, 1)
                    || ')'
            else
                'followers ' || growth.follower_delta || ' in one day within '
                || {{ var('dump_within_days') }} || ' days after a spike'
        end as detail,
        growth.explaining_post_id as evidence
    from growth
    inner join accounts on growth.platform = accounts.platform and growth.account_id = accounts.account_id
    cross join as_of
    where
        (growth.is_spike or growth.is_dump)
        and growth.snapshot_date > as_of.as_of_date - {{ var('growth_lookback_days') }}
),

comment_post_reasons as (
    select
        posts.creator_id,
        posts.platform,
        'generic_comments_post' as reason_code,
        'warning' as severity,
        posts.posted_date as observed_on,
        cast(comments.generic_comments as double) as measured_value,
        round(comments.generic_share, 4) as measured_share,
        round(100 * comments.generic_share) || '% of ' || comments.sampled_comments
        || ' sampled comments are generic' as detail,
        posts.post_id as evidence
    from comments
    inner join posts on comments.platform = posts.platform and comments.post_id = posts.post_id
    where comments.generic_share >= {{ var('comment_post_flag_share') }} and posts.creator_id is not null
),

undisclosed as (
    select
        creator_id,
        platform,
        count(*) as posts,
        max(posted_date) as last_posted_date,
        string_agg(post_id, ', ' order by posted_date) as post_ids
    from disclosure
    where not is_prominently_disclosed and creator_id is not null
    group by 1, 2
),

account_reasons as (
    select
        creator_id,
        platform,
        'insufficient_history' as reason_code,
        'info' as severity,
        as_of_date as observed_on,
        cast(snapshot_days as double) as measured_value,
        cast(null as double) as measured_share,
        'only ' || snapshot_days || ' daily follower snapshots (growth needs {{ var("growth_min_snapshots") }})'
            as detail,
        cast(null as varchar) as evidence
    from vetting
    where growth_score is null
    union all
    select
        creator_id,
        platform,
        'low_engagement',
        'hard_fail',
        as_of_date,
        round(
            case when scored_er_definition = 'er_followers' then er_followers else er_views end, 5
        ),
        round({{ safe_divide('case when scored_er_definition = \'er_followers\' then er_followers else er_views end',
                             'er_benchmark') }}, 4),
        scored_er_definition || ' below {{ var("hard_fail_er_ratio") }} x the benchmark (' || er_benchmark || ')',
        null
    from vetting
    where is_low_engagement_fail
    union all
    select
        creator_id,
        platform,
        'generic_comments_creator',
        'penalty',
        as_of_date,
        null,
        round(median_generic_share, 4),
        'median post has ' || round(100 * median_generic_share) || '% generic comments (flag from '
        || round(100 * {{ var('comment_creator_flag_share') }}) || '%)',
        null
    from vetting
    where median_generic_share >= {{ var('comment_creator_flag_share') }}
    union all
    select
        creator_id,
        platform,
        case when is_geo_fail then 'audience_outside_target' else 'audience_partly_outside_target' end,
        case when is_geo_fail then 'hard_fail' else 'warning' end,
        as_of_date,
        null,
        round(geo_match, 4),
        round(100 * geo_match) || '% of the audience is in the target countries ({{ var("target_countries") }})',
        null
    from vetting
    where geo_match < {{ var('geo_pass') }}
    union all
    select
        creator_id,
        platform,
        'low_activity',
        'penalty',
        as_of_date,
        round(posts_per_week, 2),
        null,
        round(posts_per_week, 2) || ' posts a week over {{ var("activity_weeks") }} weeks; longest gap '
        || longest_gap_days || ' days',
        null
    from vetting
    where activity_score < 100
),

disclosure_reasons as (
    select
        creator_id,
        platform,
        'undisclosed_sponsored_posts' as reason_code,
        'penalty' as severity,
        last_posted_date as observed_on,
        cast(posts as double) as measured_value,
        cast(null as double),
        posts || ' sponsored post(s) without a prominent #ad / #sponsored / paid-partnership disclosure' as detail,
        post_ids as evidence
    from undisclosed
)

select
    creator_id,
    platform,
    reason_code,
    severity,
    observed_on,
    measured_value,
    measured_share,
    detail,
    evidence
from (
    select * from growth_reasons
    union all
    select * from comment_post_reasons
    union all
    select * from account_reasons
    union all
    select * from disclosure_reasons
) as reasons
