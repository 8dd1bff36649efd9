-- The evidence behind the vetting reasons, one row per post or day: each follower spike or dump in the growth
-- lookback, each sampled post whose comments are mostly generic, each sponsored post in the disclosure lookback
-- without a prominent disclosure, each recent post whose sampled comments are mostly negative, toxic or spam
-- (brand safety). creator_vetting_reasons aggregates these rows per creator, platform and reason.
with accounts as (select * from {{ ref('int_creator_accounts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

growth as (select * from {{ ref('int_follower_events') }}),

posts as (select * from {{ ref('int_posts') }}),

comments as (select * from {{ ref('int_comment_authenticity') }}),

disclosure as (select * from {{ ref('int_post_disclosure') }}),

comment_safety as (select * from {{ ref('int_comment_safety_scores') }}),

growth_evidence as (
    select
        accounts.creator_id,
        growth.platform,
        case
            when growth.is_explained_spike then 'follower_spike_explained'
            when growth.is_spike then 'follower_spike_unexplained'
            else 'follower_dump'
        end as reason_code,
        growth.snapshot_date as observed_on,
        growth.explaining_post_id as post_id,
        cast(growth.follower_delta as double) as measured_value,
        {{ round_double('growth.delta_share', 4) }} as measured_share,
        case when growth.follower_delta > 0 then '+' else '' end || {{ number_text('growth.follower_delta') }}
        || ' followers (' || case when growth.follower_delta > 0 then '+' else '' end
        || {{ round_double('100 * growth.delta_share', 1) }} || '%) on '
        || {{ format_date('growth.snapshot_date', '%-d %b %Y') }}
        || case
            when growth.is_explained_spike then ', the day of viral post ' || growth.explaining_post_id
            when growth.is_spike then ' with no post to explain it'
            else ', within {{ var("dump_within_days") }} days after a jump'
        end as detail
    from growth
    inner join accounts on growth.platform = accounts.platform and growth.account_id = accounts.account_id
    cross join as_of
    where
        (growth.is_spike or growth.is_dump)
        and growth.snapshot_date > as_of.as_of_date - {{ var('growth_lookback_days') }}
        and growth.snapshot_date <= as_of.as_of_date
),

comment_evidence as (
    select
        posts.creator_id,
        posts.platform,
        'generic_comments' as reason_code,
        posts.posted_date as observed_on,
        posts.post_id,
        cast(comments.generic_comments as double) as measured_value,
        {{ round_double('comments.generic_share', 4) }} as measured_share,
        comments.generic_comments || ' of ' || comments.sampled_comments
        || ' sampled comments are generic (emoji only, @mentions only, or a few words of stock praise)' as detail
    from comments
    inner join posts on comments.platform = posts.platform and comments.post_id = posts.post_id
    where comments.generic_share >= {{ var('comment_post_flag_share') }} and posts.creator_id is not null
),

safety_evidence as (
    select
        posts.creator_id,
        posts.platform,
        'unsafe_comments' as reason_code,
        posts.posted_date as observed_on,
        posts.post_id,
        cast(count(*) filter (where is_unsafe) as double) as measured_value,
        {{ round_double('count(*) filter (where is_unsafe) / count(*)', 4) }} as measured_share,
        count(*) filter (where is_unsafe) || ' of ' || count(*)
        || ' sampled comments are negative, toxic or spam' as detail
    from (
        select
            *,
            sentiment < {{ var('brand_safety_negative_compound') }} or is_toxic or is_spam as is_unsafe
        from comment_safety
    ) as scored
    inner join posts on scored.platform = posts.platform and scored.post_id = posts.post_id
    cross join as_of
    where
        posts.creator_id is not null
        and posts.posted_date > as_of.as_of_date - {{ var('brand_safety_window_days') }}
        and posts.posted_date <= as_of.as_of_date
    group by 1, 2, 3, 4, 5
    having count(*) filter (where is_unsafe) >= {{ var('brand_safety_post_flag_share') }} * count(*)
),

disclosure_evidence as (
    select
        disclosure.creator_id,
        disclosure.platform,
        'undisclosed_sponsored_posts' as reason_code,
        disclosure.posted_date as observed_on,
        disclosure.post_id,
        cast(disclosure.disclosure_position as double) as measured_value,
        cast(null as double) as measured_share,
        case
            when not disclosure.is_disclosed
                then 'sponsored post with no #ad, #sponsored, #paidpartnership or "paid partnership with"'
            when disclosure.is_in_hashtag_run then 'the #ad is buried in a run of 5 or more hashtags'
            else
                'the disclosure starts only after ' || disclosure.disclosure_position
                || ' characters (must be within the first {{ var("disclosure_prominent_chars") }})'
        end as detail
    from disclosure
    cross join as_of
    where
        not disclosure.is_prominently_disclosed
        and disclosure.creator_id is not null
        and disclosure.posted_date > as_of.as_of_date - {{ var('disclosure_lookback_days') }}
        and disclosure.posted_date <= as_of.as_of_date
)

select * from growth_evidence
union all
select * from comment_evidence
union all
select * from safety_evidence
union all
select * from disclosure_evidence
