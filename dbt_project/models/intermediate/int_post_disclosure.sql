-- Disclosure of sponsored posts (posts that tag a brand handle or use it as a hashtag). Disclosed when the caption
-- has #ad, #sponsored, #paidpartnership or "paid partnership with"; prominent when the first such match starts within
-- the first 125 characters and the disclosure tag does not sit in a run of 5 or more consecutive hashtags.
-- "#sp" and "thanks @brand" do not count (FTC guidance).
{%- set tag = "#(ad|sponsored|paidpartnership)\\b" %}
{%- set disclosure = "(" ~ tag ~ "|paid partnership with)" %}
{%- set h = "#[[:alnum:]_]+[[:space:]]+" %}
{%- set after = "([[:space:]]+#[[:alnum:]_]+)" %}
{#- The tag with k hashtags before it and 4 - k after it, k = 0..4: a run of five that contains the tag. #}
{%- set runs = [] %}
{%- for k in range(5) %}{% do runs.append("(" ~ h ~ "){" ~ k ~ "}" ~ tag ~ after ~ "{" ~ (4 - k) ~ "}") %}{% endfor %}
with posts as (
    select * from {{ ref('int_posts') }}
    where is_sponsored
),

checked as (
    select
        platform,
        account_id,
        creator_id,
        post_id,
        posted_date,
        {{ regex_matches("lower(coalesce(caption, ''))", disclosure) }} as is_disclosed,
        {{ regex_matches("lower(coalesce(caption, ''))", runs | join("|")) }} as is_in_hashtag_run,
        length(regexp_extract(lower(coalesce(caption, '')), {{ regex_literal('^(.*?)' ~ disclosure) }}, 1))
            as chars_before_disclosure
    from posts
)

select
    platform,
    account_id,
    creator_id,
    post_id,
    posted_date,
    is_disclosed,
    case when is_disclosed then chars_before_disclosure end as disclosure_position,
    is_disclosed and is_in_hashtag_run as is_in_hashtag_run,
    is_disclosed
    and chars_before_disclosure < {{ var('disclosure_prominent_chars') }}
    and not is_in_hashtag_run as is_prominently_disclosed
from checked
