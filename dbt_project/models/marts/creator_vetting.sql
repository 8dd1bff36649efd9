-- Per creator and platform: tier, the three engagement rates and the scored one's benchmark, seven component
-- scores (0-100, null when the data is missing), the overall score re-weighted over the components that have
-- data, data_coverage (share of the weight available), the hard fails and review flags, and the verdict:
--   reject  a hard fail (unexplained follower spike, engagement < var hard_fail_er_ratio x benchmark, audience in
--           the target countries < var geo_fail, credible followers in a follower sample < var
--           follower_credibility_min, story reach under var reach_reject_ratio x the tier's benchmark) or a score
--           below var review_min_score with coverage of at least var review_below_coverage;
--   review  a compliance, authenticity or contract flag that no score can average away (sponsored posts without a
--           prominent disclosure, comments typical of an engagement pod, a sponsored post for a competitor in the
--           last var competitor_lookback_days, a post breaching one of our exclusivity clauses, var
--           delivery_review_share of the contract posts due in the last year late or missing, a comment section
--           unsafe for the brand: int_account_brand_safety), a score below var
--           approve_min_score, or missing data that matters: coverage below var review_below_coverage, or a
--           missing component that, at 0, would put the score in another verdict band;
--   approve otherwise.
{%- set components = [
    ('engagement_score', var('weight_engagement')),
    ('growth_score', var('weight_growth')),
    ('comment_score', var('weight_comments')),
    ('geography_score', var('weight_geography')),
    ('disclosure_score', var('weight_disclosure')),
    ('activity_score', var('weight_activity')),
    ('follower_quality_score', var('weight_follower_quality')),
    ('reach_quality_score', var('weight_reach_quality')),
    ('brand_safety_score', var('weight_brand_safety')),
] %}
{#- Components whose null means data we do not have. A null disclosure score means no sponsored post to check, and a
    follower sample is an optional input a brand orders for a shortlist, nor are stories: none is missing data, so none
    sends a creator to review. #}
{%- set measured = components
    | rejectattr(0, 'in', ['disclosure_score', 'follower_quality_score', 'reach_quality_score', 'brand_safety_score'])
    | list %}
{#- Components that count towards data_coverage only where they have data (stories and video views exist for some
    accounts only), so an account without them keeps the coverage and verdict it had before the component existed. #}
{#- Brand safety needs var brand_safety_min_comments sampled comments: missing comment samples are reported by the
    comment check already. #}
{%- set present_only = ['reach_quality_score', 'brand_safety_score'] %}
{%- set total_weight = components | rejectattr(0, 'in', present_only) | map(attribute=1) | sum %}
{%- set band = "case when SCORE < " ~ var('review_min_score') ~ " then 'reject' when SCORE < "
    ~ var('approve_min_score') ~ " then 'review' else 'approve' end" %}
with profiles as (select * from {{ ref('int_creator_profiles') }}),

creators as (select * from {{ ref('stg_marketing__creators') }}),

engagement as (select * from {{ ref('int_account_engagement') }}),

geo as (select * from {{ ref('int_account_audience_geo') }}),

components as (select * from {{ ref('int_account_vetting_components') }}),

follower_quality as (select * from {{ ref('int_account_follower_quality') }}),

competitors as (select * from {{ ref('int_account_competitor_findings') }}),

reach as (select * from {{ ref('int_account_reach_quality') }}),

brand_safety as (select * from {{ ref('int_account_brand_safety') }}),

benchmarks as (select * from {{ ref('engagement_benchmarks') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

base as (
    select
        profiles.creator_id,
        creators.creator_name,
        profiles.platform,
        profiles.account_id,
        profiles.handle,
        profiles.followers,
        profiles.tier,
        engagement.posts_in_window as posts_in_er_window,
        engagement.er_followers,
        engagement.er_reach,
        engagement.er_views,
        -- Instagram is judged on er_followers against its tier; video platforms on er_views (flat across tiers).
        case when profiles.platform = 'instagram' then 'er_followers' else 'er_views' end as scored_er_definition,
        case when profiles.platform = 'instagram' then engagement.er_followers else engagement.er_views end
            as scored_er,
        geo.geo_match,
        {{ star_except(['platform', 'account_id'], 'components') }},
        follower_quality.sampled_followers,
        follower_quality.fake_or_mass_share,
        follower_quality.fake_or_mass_share_low,
        follower_quality.fake_or_mass_share_high,
        follower_quality.audience_credibility,
        follower_quality.follower_quality_score,
        competitors.competitor_checked_posts,
        competitors.competitor_sponsored_posts,
        competitors.competitor_brands,
        competitors.exclusivity_checked_posts,
        competitors.exclusivity_breach_posts,
        competitors.breached_contract_ids,
        reach.stories_in_window,
        reach.story_reach_rate,
        reach.story_reach_benchmark,
        reach.video_views_rate,
        reach.video_views_benchmark,
        reach.reach_quality_score,
        coalesce(reach.is_story_reach_fail, false) as is_story_reach_fail,
        coalesce(reach.is_low_story_reach or reach.is_low_video_views, false) as is_low_reach_review,
        brand_safety.recent_comments as brand_safety_recent_comments,
        brand_safety.recent_negative_share,
        brand_safety.recent_toxic_share,
        brand_safety.recent_spam_share,
        brand_safety.sponsored_comments as brand_safety_sponsored_comments,
        brand_safety.sponsored_negative_share,
        brand_safety.sponsored_toxic_share,
        brand_safety.sponsored_spam_share,
        brand_safety.brand_safety_score,
        brand_safety.brand_safety_basis,
        coalesce(brand_safety.is_brand_safety_review, false) as is_brand_safety_review
    from profiles
    inner join creators on profiles.creator_id = creators.creator_id
    left join engagement on profiles.platform = engagement.platform and profiles.account_id = engagement.account_id
    left join geo on profiles.platform = geo.platform and profiles.account_id = geo.account_id
    left join components on profiles.platform = components.platform and profiles.account_id = components.account_id
    left join follower_quality
        on profiles.platform = follower_quality.platform and profiles.account_id = follower_quality.account_id
    left join competitors
        on profiles.platform = competitors.platform and profiles.account_id = competitors.account_id
    left join reach on profiles.platform = reach.platform and profiles.account_id = reach.account_id
    left join brand_safety
        on profiles.platform = brand_safety.platform and profiles.account_id = brand_safety.account_id
),

benchmarked as (
    select
        base.*,
        benchmarks.benchmark_median as er_benchmark,
        -- least() and greatest() skip nulls: a missing rate or audience must stay a null score, not 100.
        case
            when base.scored_er is not null and benchmarks.benchmark_median > 0
                then least(100, 50 * base.scored_er / benchmarks.benchmark_median)
        end as engagement_score,
        case when base.geo_match is not null then 100 * least(1, base.geo_match / {{ var('geo_pass') }}) end
            as geography_score
    from base
    left join benchmarks
        on
            base.platform = benchmarks.platform
            and base.scored_er_definition = benchmarks.definition
            and (base.tier = benchmarks.tier or benchmarks.tier = 'all')
),

scored as (
    select
        *,
        {% for name, weight in components -%}
            case when {{ name }} is not null then {{ weight }} else 0 end{% if not loop.last %} + {% endif %}
        {%- endfor %} as weight_available,
        {% for name, weight in measured -%}
            case when {{ name }} is null then {{ weight }} else 0 end{% if not loop.last %} + {% endif %}
        {%- endfor %} as weight_missing,
        {% for name, weight in components -%}
            coalesce({{ name }}, 0) * {{ weight }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as weighted_points,
        {{ total_weight }}
        {%- for name, weight in components if name in present_only %}
            + case when {{ name }} is not null then {{ weight }} else 0 end
        {%- endfor %} as coverage_weight,
        coalesce(unexplained_spikes_90d > 0, false) as is_follower_spike_fail,
        coalesce(scored_er < {{ var('hard_fail_er_ratio') }} * er_benchmark, false) as is_low_engagement_fail,
        coalesce(geo_match < {{ var('geo_fail') }}, false) as is_geo_fail,
        -- Judged only on a sample large enough to score (follower_quality_score is null otherwise).
        coalesce(
            follower_quality_score is not null and audience_credibility < {{ var('follower_credibility_min') }}, false
        ) as is_follower_quality_fail,
        coalesce(disclosure_score < 100 * {{ var('disclosure_review_below_share') }}, false) as is_undisclosed_review,
        -- The median of a handful of small per-post samples is noise: the pod flag also needs enough sampled
        -- comments, and as large a share of all of them.
        coalesce(
            median_generic_share >= {{ var('comment_creator_flag_share') }}
            and pooled_generic_share >= {{ var('comment_creator_flag_share') }}
            and sampled_comments >= {{ var('comment_creator_min_comments') }},
            false
        ) as is_generic_comments_review,
        -- A contract matter, not a score: a person checks the deal has ended (or raises the breach) before hiring.
        coalesce(competitor_sponsored_posts > 0, false) as is_competitor_review,
        coalesce(exclusivity_breach_posts > 0, false) as is_exclusivity_breach_review,
        -- A contract record, like the flags above: posts owed and not delivered on time are for a person to raise.
        coalesce(
            (deliverable_posts_late + deliverable_posts_missing)
            >= {{ var('delivery_review_share') }} * deliverable_posts_due,
            false
        ) as is_delivery_review
    from benchmarked
),

final as (
    select
        *,
        {{ round_double(safe_divide('weighted_points', 'weight_available'), 1) }} as vetting_score,
        {{ round_double('weight_available / coverage_weight', 2) }} as data_coverage,
        -- The score if every missing component had scored 0.
        {{ round_double(safe_divide('weighted_points', 'weight_available + weight_missing'), 1) }} as worst_case_score,
        is_follower_spike_fail or is_low_engagement_fail or is_geo_fail or is_follower_quality_fail
        or is_story_reach_fail as has_hard_fail
    from scored
),

judged as (
    select
        *,
        -- Too little data sends to review whatever the score: a low score from a small share of the checks is not
        -- a reject (an account known only by its posting activity scored 19 and was rejected).
        not has_hard_fail and (
            weight_available = 0
            or weight_available < {{ var('review_below_coverage') }} * coverage_weight
            or (
                coalesce(vetting_score >= {{ var('review_min_score') }}, true)
                and {{ band | replace('SCORE', 'worst_case_score') }} <> {{ band | replace('SCORE', 'vetting_score') }}
            )
        ) as is_missing_data_review
    from final
)

select
    creator_id,
    creator_name,
    platform,
    account_id,
    handle,
    (select as_of_date from as_of) as as_of_date,
    followers,
    tier,
    posts_in_er_window,
    er_followers,
    er_reach,
    er_views,
    scored_er_definition,
    scored_er,
    er_benchmark,
    {{ round_double('engagement_score', 1) }} as engagement_score,
    snapshot_days,
    unexplained_spikes_90d,
    explained_spikes_90d,
    dumps_90d,
    growth_score,
    posts_with_comment_samples,
    generic_comment_posts,
    sampled_comments,
    median_generic_share,
    pooled_generic_share,
    {{ round_double('comment_score', 1) }} as comment_score,
    geo_match,
    {{ round_double('geography_score', 1) }} as geography_score,
    sponsored_posts,
    prominently_disclosed_posts,
    {{ round_double('disclosure_score', 1) }} as disclosure_score,
    posts_in_activity_window,
    posts_per_week,
    longest_gap_days,
    {{ round_double('activity_score', 1) }} as activity_score,
    sampled_followers,
    {{ round_double('fake_or_mass_share', 4) }} as fake_or_mass_share,
    {{ round_double('fake_or_mass_share_low', 4) }} as fake_or_mass_share_low,
    {{ round_double('fake_or_mass_share_high', 4) }} as fake_or_mass_share_high,
    {{ round_double('audience_credibility', 4) }} as audience_credibility,
    {{ round_double('follower_quality_score', 1) }} as follower_quality_score,
    competitor_checked_posts,
    competitor_sponsored_posts,
    competitor_brands,
    exclusivity_checked_posts,
    exclusivity_breach_posts,
    breached_contract_ids,
    stories_in_window,
    {{ round_double('story_reach_rate', 5) }} as story_reach_rate,
    story_reach_benchmark,
    {{ round_double('video_views_rate', 4) }} as video_views_rate,
    video_views_benchmark,
    {{ round_double('reach_quality_score', 1) }} as reach_quality_score,
    brand_safety_recent_comments,
    {{ round_double('recent_negative_share', 4) }} as recent_negative_share,
    {{ round_double('recent_toxic_share', 4) }} as recent_toxic_share,
    {{ round_double('recent_spam_share', 4) }} as recent_spam_share,
    brand_safety_sponsored_comments,
    {{ round_double('sponsored_negative_share', 4) }} as sponsored_negative_share,
    {{ round_double('sponsored_toxic_share', 4) }} as sponsored_toxic_share,
    {{ round_double('sponsored_spam_share', 4) }} as sponsored_spam_share,
    {{ round_double('brand_safety_score', 1) }} as brand_safety_score,
    brand_safety_basis,
    deliverable_posts_due,
    deliverable_posts_late,
    deliverable_posts_missing,
    last_failed_due_date,
    failed_contract_ids,
    vetting_score,
    data_coverage,
    is_follower_spike_fail,
    is_low_engagement_fail,
    is_geo_fail,
    is_follower_quality_fail,
    is_story_reach_fail,
    has_hard_fail,
    is_undisclosed_review,
    is_generic_comments_review,
    is_competitor_review,
    is_exclusivity_breach_review,
    is_delivery_review,
    is_low_reach_review,
    is_brand_safety_review,
    worst_case_score,
    is_missing_data_review,
    case
        when
            has_hard_fail or (vetting_score < {{ var('review_min_score') }} and not is_missing_data_review)
            then 'reject'
        when
            vetting_score >= {{ var('approve_min_score') }}
            and not (
                is_undisclosed_review or is_generic_comments_review or is_competitor_review
                or is_exclusivity_breach_review or is_delivery_review or is_low_reach_review
                or is_brand_safety_review or is_missing_data_review
            ) then 'approve'
        else 'review'
    end as verdict
from judged
