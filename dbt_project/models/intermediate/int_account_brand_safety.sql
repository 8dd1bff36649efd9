-- Brand safety per platform account from the sampled comments (scores per comment: int_comment_safety_scores).
-- Two views of the comments: on the posts of the last var brand_safety_window_days ("recent"), and on the sponsored
-- posts mentioning our brand (int_posts.is_sponsored) in the last var brand_safety_sponsored_days. A comment is
-- negative when its VADER compound is below var brand_safety_negative_compound (-0.05, VADER's authors' cut).
-- The component is judged on the recent comments, or on the sponsored ones where those are worse:
--   each share maps linearly from its floor (no penalty) to floor + span (score 0); the component is the lowest of
--   the three: 100 * (1 - clamp((share - floor) / span)) for negative, toxic and spam shares.
-- Fewer than var brand_safety_min_comments comments in a view: that view is not judged; neither judged: NULL.
-- A review flag (no score averages it away): a judged view with a negative share >= var
-- brand_safety_review_negative_share or a toxic share >= var brand_safety_review_toxic_share.
{%- set signals = [
    ('negative', 'brand_safety_negative_floor', 'brand_safety_negative_span'),
    ('toxic', 'brand_safety_toxic_floor', 'brand_safety_toxic_span'),
    ('spam', 'brand_safety_spam_floor', 'brand_safety_spam_span'),
] %}
with scores as (select * from {{ ref('int_comment_safety_scores') }}),

posts as (select * from {{ ref('int_posts') }}),

as_of as (select * from {{ ref('int_vetting_as_of') }}),

comments as (
    select
        posts.platform,
        posts.account_id,
        posts.post_id,
        posts.posted_date > as_of.as_of_date - {{ var('brand_safety_window_days') }} as is_recent,
        posts.is_sponsored
        and posts.posted_date > as_of.as_of_date - {{ var('brand_safety_sponsored_days') }} as is_sponsored_recent,
        scores.sentiment < {{ var('brand_safety_negative_compound') }} as is_negative,
        scores.is_toxic,
        scores.is_spam
    from scores
    inner join posts on scores.platform = posts.platform and scores.post_id = posts.post_id
    cross join as_of
    where posts.posted_date <= as_of.as_of_date
),

shares as (
    select
        platform,
        account_id,
        {%- for view in ['recent', 'sponsored'] %}
            {%- set in_view = 'is_recent' if view == 'recent' else 'is_sponsored_recent' %}
            count(*) filter (where {{ in_view }}) as {{ view }}_comments,
            {%- for name, _, _ in signals %}
                count(*) filter (where {{ in_view }} and is_{{ name }})
                / nullif(count(*) filter (where {{ in_view }}), 0) as {{ view }}_{{ name }}_share
                {%- if not loop.last or view == 'recent' %},{% endif %}
            {%- endfor %}
        {%- endfor %}
    from comments
    group by 1, 2
),

judged as (
    select
        *,
        {%- for view in ['recent', 'sponsored'] %}
            case when {{ view }}_comments >= {{ var('brand_safety_min_comments') }} then 100 * least(
                {%- for name, floor, span in signals %}
                    1 - least(1, greatest(0, ({{ view }}_{{ name }}_share - {{ var(floor) }}) / {{ var(span) }}))
                    {%- if not loop.last %},{% endif %}
                {%- endfor %}
            ) end as {{ view }}_score,
            coalesce({{ view }}_comments >= {{ var('brand_safety_min_comments') }} and (
                {{ view }}_negative_share >= {{ var('brand_safety_review_negative_share') }}
                or {{ view }}_toxic_share >= {{ var('brand_safety_review_toxic_share') }}
            ), false) as is_{{ view }}_unsafe{% if not loop.last %},{% endif %}
        {%- endfor %}
    from shares
)

select
    {{ star_except(['recent_score', 'sponsored_score', 'is_recent_unsafe', 'is_sponsored_unsafe']) }},
    -- least() skips nulls: the worse of the views that were judged, null when neither was.
    least(recent_score, sponsored_score) as brand_safety_score,
    is_recent_unsafe or is_sponsored_unsafe as is_brand_safety_review,
    -- The view the verdict's reason quotes: the unsafe one (recent when both are), else the lower score.
    case
        when is_recent_unsafe then 'recent'
        when is_sponsored_unsafe then 'sponsored'
        when sponsored_score < recent_score or recent_score is null and sponsored_score is not null then 'sponsored'
        when recent_score is not null then 'recent'
    end as brand_safety_basis
from judged
