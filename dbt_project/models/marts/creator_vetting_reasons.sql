-- Why each creator got its verdict: one row per creator, platform and reason, in plain words, with how often it
-- happened (occurrences, and their share of the posts it was counted over), how big it was, when, and the post
-- ids behind it (creator_vetting_evidence has one row per post or day). Reasons are ranked by severity (reject,
-- review, penalty, info) and then by a fixed order; the top three that are not info are the key reasons.
{%- set reason_order = [
    'follower_spike_unexplained', 'fake_followers_in_sample', 'low_engagement', 'audience_outside_target',
    'low_story_views',
    'undisclosed_sponsored_posts', 'exclusivity_breach', 'competitor_sponsorship', 'missing_deliverables',
    'late_deliverables', 'generic_comments_creator', 'unsafe_comments', 'low_video_views',
    'low_score', 'no_audience_geography', 'insufficient_history', 'no_engagement_data', 'no_comment_samples',
    'no_posts', 'follower_dump', 'some_fake_followers_in_sample', 'audience_partly_outside_target', 'low_activity',
    'generic_comments_posts', 'some_unsafe_comments', 'follower_spike_explained', 'no_sponsored_posts',
] %}
{%- set severity_order = ['reject', 'review', 'penalty', 'info'] %}
{%- set pct = round_double('100 * VALUE', 1) ~ " || '%'" %}
with vetting as (select * from {{ ref('creator_vetting') }}),

evidence as (
    select
        *,
        -- The biggest case first; equal ones in a fixed order, so that every build (and engine) picks the same.
        -- A rank, not value_at_max: the largest value, share and detail below must come from one row.
        row_number() over (
            partition by creator_id, platform, reason_code
            order by abs(measured_share) desc nulls last, observed_on desc, post_id asc, detail asc
        ) as size_rank
    from {{ ref('creator_vetting_evidence') }}
),

cadence as (select * from {{ ref('posting_cadence') }}),

competitors as (select * from {{ ref('int_account_competitor_findings') }}),

counted as (
    select
        creator_id,
        platform,
        reason_code,
        count(*) as occurrences,
        max(observed_on) as last_observed_on,
        -- The biggest case of the reason: the largest jump, the deepest drop, the most generic post.
        max(case when size_rank = 1 and measured_share is not null then measured_value end) as largest_value,
        max(case when size_rank = 1 and measured_share is not null then measured_share end) as largest_share,
        max(case when size_rank = 1 and measured_share is not null then detail end) as largest_detail,
        {{ text_agg('post_id', ', ', 'observed_on, post_id') }} as post_ids
    from evidence
    group by 1, 2, 3
),

joined as (
    select
        vetting.*,
        cadence.min_posts_per_week,
        cadence.max_posts_per_week,
        spikes.occurrences as unexplained_spikes,
        spikes.largest_detail as largest_spike,
        spikes.largest_share as largest_spike_share,
        spikes.largest_value as largest_spike_followers,
        spikes.last_observed_on as last_spike_on,
        dumps.occurrences as dumps,
        dumps.largest_detail as largest_dump,
        dumps.largest_share as largest_dump_share,
        dumps.largest_value as largest_dump_followers,
        dumps.last_observed_on as last_dump_on,
        viral.occurrences as explained_spikes,
        viral.largest_detail as largest_explained_spike,
        viral.largest_share as largest_explained_share,
        viral.largest_value as largest_explained_followers,
        viral.last_observed_on as last_explained_on,
        viral.post_ids as viral_post_ids,
        coalesce(generic.occurrences, 0) as generic_posts,
        generic.last_observed_on as last_generic_post_on,
        generic.post_ids as generic_post_ids,
        undisclosed.occurrences as undisclosed_posts,
        undisclosed.last_observed_on as last_undisclosed_on,
        undisclosed.post_ids as undisclosed_post_ids,
        coalesce(unsafe.occurrences, 0) as unsafe_posts,
        unsafe.last_observed_on as last_unsafe_post_on,
        unsafe.post_ids as unsafe_post_ids,
        competitors.last_competitor_post_on,
        competitors.competitor_post_ids,
        competitors.latest_competitor_post,
        competitors.last_breach_on,
        competitors.breach_post_ids,
        competitors.latest_breach,
        -- The two weakest scored components, for a verdict that comes from the score alone.
        {{ lowest_scores([
            'engagement', 'growth', 'comment', 'geography', 'disclosure', 'activity', 'follower_quality',
            'reach_quality', 'brand_safety'
        ], 'vetting.', 2) }} as weakest
    from vetting
    left join cadence on vetting.platform = cadence.platform
    left join competitors on vetting.platform = competitors.platform and vetting.account_id = competitors.account_id
    {%- for alias, code in [('spikes', 'follower_spike_unexplained'), ('dumps', 'follower_dump'),
                            ('viral', 'follower_spike_explained'), ('generic', 'generic_comments'),
                            ('undisclosed', 'undisclosed_sponsored_posts'), ('unsafe', 'unsafe_comments')] %}
        left join counted as {{ alias }}
            on
                vetting.creator_id = {{ alias }}.creator_id and vetting.platform = {{ alias }}.platform
                and {{ alias }}.reason_code = '{{ code }}'
    {%- endfor %}
),

reasons as (
    select
        creator_id,
        platform,
        'follower_spike_unexplained' as reason_code,
        'reject' as severity,
        unexplained_spikes as occurrences,
        cast(null as double) as occurrence_share,
        last_spike_on as observed_on,
        largest_spike_followers as measured_value,
        largest_spike_share as measured_share,
        'bought followers? '
        || case
            when unexplained_spikes = 1 then largest_spike
            else
                unexplained_spikes
                || ' follower jumps with no post to explain them in {{ var("growth_lookback_days") }}'
                || ' days, the largest ' || largest_spike
        end as detail,
        cast(null as {{ dbt.type_string() }}) as evidence
    from joined
    where unexplained_spikes > 0
    union all
    select
        creator_id,
        platform,
        'follower_dump',
        'penalty',
        dumps,
        null,
        last_dump_on,
        largest_dump_followers,
        largest_dump_share,
        'followers dropped soon after a jump (bought followers being removed?): ' || largest_dump
        || case when dumps > 1 then ', and ' || (dumps - 1) || ' more drop(s)' else '' end,
        null
    from joined
    where dumps > 0
    union all
    select
        creator_id,
        platform,
        case when is_follower_quality_fail then 'fake_followers_in_sample' else 'some_fake_followers_in_sample' end,
        case when is_follower_quality_fail then 'reject' else 'penalty' end,
        cast(round(fake_or_mass_share * sampled_followers) as bigint),
        {{ round_double('fake_or_mass_share', 4) }},
        as_of_date,
        cast(sampled_followers as double),
        {{ round_double('fake_or_mass_share', 4) }},
        case when is_follower_quality_fail then 'bought followers? ' else '' end
        || 'an estimated ' || cast(round(100 * fake_or_mass_share) as integer) || '% ('
        || cast(round(100 * fake_or_mass_share_low) as integer) || '-'
        || cast(round(100 * fake_or_mass_share_high) as integer) || '%) of '
        || sampled_followers || ' sampled followers look fake or mass-following; '
        || case
            when is_follower_quality_fail
                then 'under {{ (100 * var("follower_credibility_min")) | int }}% real-looking followers is a reject'
            else 'the follower-quality score falls from {{ (100 * var("follower_fake_floor")) | int }}%'
        end,
        null
    from joined
    where is_follower_quality_fail or follower_quality_score < 100
    union all
    select
        creator_id,
        platform,
        'follower_spike_explained',
        'info',
        explained_spikes,
        null,
        last_explained_on,
        largest_explained_followers,
        largest_explained_share,
        'a viral post explains the follower jump, so it is not held against them: ' || largest_explained_spike,
        viral_post_ids
    from joined
    where explained_spikes > 0
    union all
    select
        creator_id,
        platform,
        'low_engagement',
        'reject',
        1,
        null,
        as_of_date,
        {{ round_double('scored_er', 5) }},
        {{ round_double(safe_divide('scored_er', 'er_benchmark'), 4) }},
        'engagement is ' || {{ round_double('100 * scored_er', 2) }} || '% of '
        || case when scored_er_definition = 'er_followers' then 'followers' else 'views' end
        || ', under {{ var("hard_fail_er_ratio") }} x the ' || {{ round_double('100 * er_benchmark', 1) }}
        || '% typical for '
        || case when scored_er_definition = 'er_followers' then tier || ' ' else '' end || platform || ' accounts',
        null
    from joined
    where is_low_engagement_fail
    union all
    select
        creator_id,
        platform,
        case when is_geo_fail then 'audience_outside_target' else 'audience_partly_outside_target' end,
        case when is_geo_fail then 'reject' else 'penalty' end,
        1,
        null,
        as_of_date,
        null,
        {{ round_double('geo_match', 4) }},
        case when is_geo_fail then 'only ' else '' end || {{ pct | replace('VALUE', 'geo_match') }}
        || ' of the audience is in the target countries ({{ var("target_countries") | replace(",", ", ") }}); '
        || case
            when is_geo_fail then 'under {{ (100 * var("geo_fail")) | int }}% is a reject'
            else '{{ (100 * var("geo_pass")) | int }}% is the pass line'
        end,
        null
    from joined
    where geo_match < {{ var('geo_pass') }}
    union all
    select
        creator_id,
        platform,
        'undisclosed_sponsored_posts',
        case when is_undisclosed_review then 'review' else 'penalty' end,
        undisclosed_posts,
        {{ round_double('undisclosed_posts / sponsored_posts', 4) }},
        last_undisclosed_on,
        cast(undisclosed_posts as double),
        {{ round_double('undisclosed_posts / sponsored_posts', 4) }},
        undisclosed_posts || ' of ' || sponsored_posts || ' sponsored posts in the last '
        || '{{ var("disclosure_lookback_days") }} days carry no prominent #ad, #sponsored or paid-partnership label',
        undisclosed_post_ids
    from joined
    where undisclosed_posts > 0
    union all
    select
        creator_id,
        platform,
        'exclusivity_breach',
        'review',
        exclusivity_breach_posts,
        {{ round_double('exclusivity_breach_posts / exclusivity_checked_posts', 4) }},
        last_breach_on,
        cast(exclusivity_breach_posts as double),
        {{ round_double('exclusivity_breach_posts / exclusivity_checked_posts', 4) }},
        'breach of contract: ' || latest_breach
        || case
            when exclusivity_breach_posts > 1 then ', and ' || (exclusivity_breach_posts - 1) || ' more post(s)'
            else ''
        end
        || '; raise it with the creator before paying or rehiring',
        breach_post_ids
    from joined
    where is_exclusivity_breach_review
    union all
    select
        creator_id,
        platform,
        'competitor_sponsorship',
        'review',
        competitor_sponsored_posts,
        {{ round_double('competitor_sponsored_posts / competitor_checked_posts', 4) }},
        last_competitor_post_on,
        cast(competitor_sponsored_posts as double),
        {{ round_double('competitor_sponsored_posts / competitor_checked_posts', 4) }},
        'promoted a competitor: '
        || case
            when competitor_sponsored_posts = 1 then 'a sponsored post for ' || latest_competitor_post
            else
                competitor_sponsored_posts || ' sponsored posts for ' || competitor_brands
                || ' in the last {{ var('competitor_lookback_days') }} days, the latest for ' || latest_competitor_post
        end
        || '; check the deal has ended and ask for exclusivity before hiring',
        competitor_post_ids
    from joined
    where is_competitor_review
    union all
    select
        creator_id,
        platform,
        'low_story_views',
        case when is_story_reach_fail then 'reject' else 'review' end,
        stories_in_window,
        null,
        as_of_date,
        story_reach_rate,
        {{ round_double('story_reach_rate / story_reach_benchmark', 4) }},
        'story views are ' || {{ round_double('100 * story_reach_rate', 1) }} || '% of followers, '
        || cast(round(100 * story_reach_rate / story_reach_benchmark) as integer) || '% of the '
        || {{ round_double('100 * story_reach_benchmark', 1) }} || '% that ' || tier
        || ' Instagram accounts get (median of '
        || stories_in_window || ' stories in the last {{ var("story_window_days") }} days); '
        || case
            when is_story_reach_fail
                then
                    'followers who never watch look bought or inactive: under '
                    || '{{ (100 * var("reach_reject_ratio")) | int }}% of typical is a reject'
            else 'under {{ (100 * var("reach_review_ratio")) | int }}% of typical needs a look at who follows them'
        end,
        null
    from joined
    where story_reach_rate < {{ var('reach_review_ratio') }} * story_reach_benchmark
    union all
    select
        creator_id,
        platform,
        'low_video_views',
        'review',
        1,
        null,
        as_of_date,
        video_views_rate,
        {{ round_double('video_views_rate / video_views_benchmark', 4) }},
        'videos get ' || cast(round(100 * video_views_rate) as integer) || ' views per 100 followers, '
        || cast(round(100 * video_views_rate / video_views_benchmark) as integer) || '% of the '
        || cast(round(100 * video_views_benchmark) as integer) || ' that ' || tier || ' ' || platform
        || ' accounts get (median of the last {{ var("er_posts") }} videos); under '
        || '{{ (100 * var("reach_review_ratio")) | int }}% of typical, few followers watch',
        null
    from joined
    where video_views_rate < {{ var('reach_review_ratio') }} * video_views_benchmark
    union all
    select
        creator_id,
        platform,
        owed.reason_code,
        -- Under the review line it is reported, not held against the creator: delivery is not in the score.
        case when is_delivery_review then 'review' else 'info' end,
        owed.posts,
        {{ round_double('owed.posts / deliverable_posts_due', 4) }},
        last_failed_due_date,
        cast(owed.posts as double),
        {{ round_double('owed.posts / deliverable_posts_due', 4) }},
        -- "on <platform>": each account counts its own platform's contract posts, not the creator's others
        owed.posts || ' of ' || deliverable_posts_due || ' contract posts on ' || platform || ' due in the last '
        || '{{ var("delivery_lookback_days") }} days ' || owed.what || ' (contracts ' || failed_contract_ids
        || '); check the contract_deliverables mart before paying or rehiring',
        failed_contract_ids
    from (
        select
            joined.*,
            {{ unnest_list(struct_list([
                {'reason_code': "'missing_deliverables'", 'posts': 'joined.deliverable_posts_missing',
                    'what': "'were never posted'"},
                {'reason_code': "'late_deliverables'", 'posts': 'joined.deliverable_posts_late',
                    'what': "'were posted late'"}
            ])) }} as owed
        from joined
    ) as deliveries
    where owed.posts > 0
    union all
    select
        creator_id,
        platform,
        case when is_brand_safety_review then 'unsafe_comments' else 'some_unsafe_comments' end,
        -- Below the review line, unsafe comments matter only when they lower the brand-safety score.
        case
            when is_brand_safety_review then 'review'
            when brand_safety_score < 100 then 'penalty'
            else 'info'
        end,
        unsafe_posts,
        null,
        coalesce(last_unsafe_post_on, as_of_date),
        cast(quoted.comments as double),
        {{ round_double('quoted.negative_share', 4) }},
        case when is_brand_safety_review then 'hostile comments: ' else '' end
        || {{ pct | replace('VALUE', 'quoted.negative_share') }} || ' of ' || {{ number_text('quoted.comments') }}
        || ' sampled comments on ' || quoted.what || ' are negative, '
        || {{ pct | replace('VALUE', 'quoted.toxic_share') }} || ' toxic (swearing, insults) and '
        || {{ pct | replace('VALUE', 'quoted.spam_share') }} || ' spam'
        || case when is_brand_safety_review then '; read them before the brand appears next to them' else '' end,
        unsafe_post_ids
    from (
        -- The comments the reason quotes: brand_safety_basis names the view (int_account_brand_safety).
        select
            joined.*,
            case
                when joined.brand_safety_basis = 'sponsored'
                    then {{ struct_of({
                        'what': "'sponsored posts about the brand (last " ~ var('brand_safety_sponsored_days')
                            ~ " days)'",
                        'comments': 'joined.brand_safety_sponsored_comments',
                        'negative_share': 'joined.sponsored_negative_share',
                        'toxic_share': 'joined.sponsored_toxic_share',
                        'spam_share': 'joined.sponsored_spam_share'
                    }) }}
                else {{ struct_of({
                    'what': "'recent posts (last " ~ var('brand_safety_window_days') ~ " days)'",
                    'comments': 'joined.brand_safety_recent_comments',
                    'negative_share': 'joined.recent_negative_share',
                    'toxic_share': 'joined.recent_toxic_share',
                    'spam_share': 'joined.recent_spam_share'
                }) }}
            end as quoted
        from joined
    ) as safety
    where is_brand_safety_review or brand_safety_score < 100 or unsafe_posts > 0
    union all
    select
        creator_id,
        platform,
        case when is_generic_comments_review then 'generic_comments_creator' else 'generic_comments_posts' end,
        -- Posts with mostly generic comments below the pod line only matter when they lower the comment score.
        case
            when is_generic_comments_review then 'review'
            when comment_score < 100 then 'penalty'
            else 'info'
        end,
        generic_posts,
        {{ round_double(safe_divide('generic_posts', 'posts_with_comment_samples'), 4) }},
        coalesce(last_generic_post_on, as_of_date),
        cast(generic_posts as double),
        {{ round_double('median_generic_share', 4) }},
        case when is_generic_comments_review then 'engagement pod? ' else '' end
        || {{ pct | replace('VALUE', 'pooled_generic_share') }} || ' of ' || {{ number_text('sampled_comments') }}
        || ' sampled comments are generic (emoji only, @mentions only, stock praise), '
        || {{ pct | replace('VALUE', 'median_generic_share') }} || ' on the median post; ' || generic_posts || ' of '
        || posts_with_comment_samples || ' posts have mostly generic comments',
        generic_post_ids
    from joined
    where is_generic_comments_review or generic_posts > 0
    union all
    select
        creator_id,
        platform,
        'low_activity',
        'penalty',
        posts_in_activity_window,
        null,
        as_of_date,
        {{ round_double('posts_per_week', 2) }},
        null,
        {{ round_double('posts_per_week', 1) }} || ' posts a week over the last {{ var("activity_weeks") }} weeks ('
        || platform || ' expects ' || min_posts_per_week
        || case when max_posts_per_week > min_posts_per_week then '-' || max_posts_per_week else '' end || ')'
        || case
            when longest_gap_days > {{ var('activity_gap_days') }}
                then '; ' || longest_gap_days || ' days without a post'
            else ''
        end,
        null
    from joined
    where activity_score < 100
    union all
    select
        creator_id,
        platform,
        'low_score',
        case
            when vetting_score < {{ var('review_min_score') }} and not is_missing_data_review then 'reject'
            else 'review'
        end,
        1,
        null,
        as_of_date,
        vetting_score,
        null,
        'overall score ' || vetting_score || ' of 100 (reject below {{ var("review_min_score") }}, approve from '
        || '{{ var("approve_min_score") }}); weakest: ' || weakest
        || case
            when vetting_score < {{ var('review_min_score') }} and is_missing_data_review
                then
                    '; data for under {{ (var("review_below_coverage") * 100) | int }}% of the checks'' weight: '
                    || 'too little to reject'
            else ''
        end,
        null
    from joined
    where vetting_score < {{ var('approve_min_score') }} and not has_hard_fail
    union all
    select
        creator_id,
        platform,
        'no_sponsored_posts',
        'info',
        0,
        null,
        as_of_date,
        null,
        null,
        'no sponsored posts in the last {{ var("disclosure_lookback_days") }} days: disclosure not checked',
        null
    from joined
    where disclosure_score is null
    union all
    select
        creator_id,
        platform,
        gap.reason_code,
        -- Missing data sends to review only when it could change the verdict (see creator_vetting).
        case when is_missing_data_review then 'review' else 'info' end,
        0,
        null,
        as_of_date,
        null,
        data_coverage,
        gap.detail || case when is_missing_data_review then '' else ' (the verdict holds either way)' end,
        null
    from (
        select
            joined.*,
            {{ unnest_list(struct_list([
                {'reason_code': "'no_audience_geography'", 'is_missing': 'joined.geography_score is null',
                    'detail': "'no audience geography data (' || joined.platform"
                        " || case when joined.platform = 'tiktok' then ' does not report it' else ' reported none' end"
                        " || '): ask the creator for their audience by country'"},
                {'reason_code': "'insufficient_history'", 'is_missing': 'joined.growth_score is null',
                    'detail': "'only ' || " ~ count_words('joined.snapshot_days', 'day') ~ " || ' of follower history: bought followers cannot be'"
                        " || ' ruled out (needs " ~ var('growth_min_snapshots') ~ ")'"},
                {'reason_code': "'no_engagement_data'", 'is_missing': 'joined.engagement_score is null',
                    'detail': "'no engagement rate: no post older than " ~ var('er_min_post_age_hours')
                        ~ " hours with' || ' the counts it needs'"},
                {'reason_code': "'no_comment_samples'", 'is_missing': 'joined.comment_score is null',
                    'detail': "'no comment samples: engagement-pod comments cannot be ruled out'"},
                {'reason_code': "'no_posts'", 'is_missing': 'joined.activity_score is null',
                    'detail': "'no posts delivered for this account: activity cannot be judged'"}
            ])) }} as gap
        from joined
    ) as gaps
    where gap.is_missing
),

ranked as (
    select
        *,
        -- BIGINT on both engines (Spark's row_number() is an INT)
        cast(row_number() over (
            partition by creator_id, platform
            order by
                {{ text_position(severity_order, 'severity') }},
                {{ text_position(reason_order, 'reason_code') }}
        ) as bigint) as reason_rank
    from reasons
)

select
    creator_id,
    platform,
    reason_code,
    severity,
    reason_rank,
    reason_rank <= 3 and severity <> 'info' as is_key_reason,
    occurrences,
    occurrence_share,
    observed_on,
    measured_value,
    measured_share,
    detail,
    evidence
from ranked
