-- One row per sponsored post and competitor it promotes: posts whose caption carries a sponsorship marker (seed
-- sponsorship_markers) and tags a competitor's handle, uses its hashtag or names its product (seed
-- competitor_brands). Matching ignores case and needs whole words: "@glowco" is not "@glowcosmetics", a handle may
-- end a sentence ("thanks @glowco."), but "@glowco.official" is another account.
with posts as (
    select
        platform,
        post_id,
        account_id,
        creator_id,
        posted_date,
        lower(caption) as caption
    from {{ ref('int_posts') }}
    where caption is not null
),

markers as (
    select
        lower(trim(marker)) as marker,
        {{ whole_word_pattern('lower(trim(marker))') }} as pattern
    from {{ ref('sponsorship_markers') }}
),

terms as (
    -- One row per handle, hashtag and keyword; a leading @ or # written in the seed is dropped.
    select
        category,
        competitor_brand,
        kind,
        lower(trim({{ trim_leading('trim(term)', '@#') }})) as term
    from (
        select
            category,
            competitor_brand,
            'handle' as kind,
            {{ unnest_list(split_text('handles', ';')) }} as term
        from {{ ref('competitor_brands') }}
        union all
        select
            category,
            competitor_brand,
            'hashtag',
            {{ unnest_list(split_text('hashtags', ';')) }}
        from {{ ref('competitor_brands') }}
        union all
        select
            category,
            competitor_brand,
            'keyword',
            {{ unnest_list(split_text('product_keywords', ';')) }}
        from {{ ref('competitor_brands') }}
    ) as listed
    where trim({{ trim_leading('trim(term)', '@#') }}) <> ''
),

patterns as (
    select
        category,
        competitor_brand,
        case kind when 'handle' then '@' when 'hashtag' then '#' else '' end || term as token,
        case kind
            -- Handles may contain dots and underscores; one cannot end in a dot, so "@glowco." is @glowco.
            when 'handle' then {{ whole_word_pattern("'@' || term", '[^a-z0-9_.@]', '[^a-z0-9_.]|[.]([^a-z0-9_]|$)') }}
            when 'hashtag' then {{ whole_word_pattern("'#' || term", '[^a-z0-9_#]') }}
            else {{ whole_word_pattern('term') }}
        end as pattern
    from terms
),

mentions as (
    -- contains() is a cheap pre-filter (few posts name a competitor); only then (case evaluates lazily) does the
    -- regular expression check the word boundaries.
    select
        posts.*,
        patterns.category,
        patterns.competitor_brand,
        patterns.token
    from posts
    inner join patterns
        on
            case
                when contains(posts.caption, patterns.token)
                    then {{ regex_matches_column('posts.caption', 'patterns.pattern') }}
            end
)

select
    platform,
    post_id,
    account_id,
    creator_id,
    posted_date,
    category as competitor_category,
    competitor_brand,
    {{ text_agg('token', ', ', 'token', distinct=true) }} as matched_terms
from mentions
-- Sponsored: the caption also carries a sponsorship marker.
where
    exists (
        select 1 from markers
        where
            case
                when contains(mentions.caption, markers.marker)
                    then {{ regex_matches_column('mentions.caption', 'markers.pattern') }}
            end
    )
group by all
