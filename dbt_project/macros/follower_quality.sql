{#- The follower-quality rule: the one definition of how a sampled follower is classified. The model
    int_follower_sample_classes uses it with the thresholds from the vars; `pipeline evaluate-followers` compiles the
    same macro (dbt compile --inline) over the labelled InstaFake accounts, with the thresholds as columns of a grid
    when it tunes them. Each argument of follower_class is a SQL expression (a literal or a column). -#}

{# The thresholds the pipeline runs with (dbt vars). #}
{% macro follower_thresholds() -%}
    {{ return({
        'mass_following_min': var('follower_mass_following_min'),
        'few_posts': var('follower_few_posts'),
        'few_followers': var('follower_few_followers'),
        'follower_ratio_min': var('follower_ratio_min'),
        'handle_digit_share_min': var('follower_handle_digit_share_min'),
        'suspicious_min_signs': var('follower_suspicious_min_signs'),
        'inactive_days': var('follower_inactive_days'),
    }) }}
{%- endmacro %}

{# How many signs of a fake account a follower shows. Inputs are the columns followers, following, posts,
   has_profile_picture, bio_length, handle_length, handle_digit_count and is_burst_created; an unknown value (null)
   is no sign. A digit-heavy handle (user84213377) is what sign-up scripts make; a digit or two (anna.k92) is
   common among people, hence a share of the handle's length rather than any digit. #}
{% macro follower_fake_signs(t) -%}
    (
        case when not has_profile_picture then 1 else 0 end
        + case when posts <= {{ t.few_posts }} then 1 else 0 end
        + case when followers < {{ t.few_followers }} then 1 else 0 end
        + case when followers < {{ t.follower_ratio_min }} * following then 1 else 0 end
        + case when bio_length = 0 then 1 else 0 end
        + case when handle_digit_count > 0
            and handle_digit_count >= {{ t.handle_digit_share_min }} * handle_length then 1 else 0 end
        + case when is_burst_created then 1 else 0 end
    )
{%- endmacro %}

{# The class, in this order: mass (follows more than mass_following_min accounts), suspicious (at least
   suspicious_min_signs signs of a fake account), inactive (no posts, or none in inactive_days before the sample:
   column days_since_last_post), real. #}
{% macro follower_class(t=none) -%}
    {%- set t = t if t is not none else follower_thresholds() -%}
    case
        when following > {{ t.mass_following_min }} then 'mass'
        when {{ follower_fake_signs(t) }} >= {{ t.suspicious_min_signs }} then 'suspicious'
        when posts = 0 or days_since_last_post > {{ t.inactive_days }} then 'inactive'
        else 'real'
    end
{%- endmacro %}

{# The Wilson score interval of a proportion k / n at var follower_ci_z (1.96: 95%): the lower or upper bound.
   Unlike p +- z*sqrt(p(1-p)/n) it stays inside 0-1 and is honest for small samples and shares near 0 or 1. #}
{% macro wilson_bound(k, n, side) -%}
    {%- set z = var('follower_ci_z') -%}
    (
        (({{ k }}) / ({{ n }}) + {{ z }} * {{ z }} / (2.0 * ({{ n }})))
        {{ '-' if side == 'low' else '+' }} {{ z }} * sqrt(
            ({{ k }}) / ({{ n }}) * (1 - ({{ k }}) / ({{ n }})) / ({{ n }})
            + {{ z }} * {{ z }} / (4.0 * ({{ n }}) * ({{ n }}))
        )
    ) / (1 + {{ z }} * {{ z }} / ({{ n }}))
{%- endmacro %}
