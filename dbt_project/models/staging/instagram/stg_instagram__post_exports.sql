-- One row per Instagram post from Meta Business Suite content exports (the newest delivery of a post wins: exports
-- over overlapping date ranges repeat posts with updated lifetime totals).
with source as (select * from {{ source('instagram', 'instagram_post_exports') }})

select
    post_id,
    account_id,
    lower(account_username) as account_username,
    description as caption,
    -- "Publish time" has no time zone (Meta writes the exporting user's); ingest accepted only these two shapes.
    coalesce({{ try_strptime('posted_at', '%m/%d/%Y %H:%M') }}, try_cast(posted_at as timestamp)) as posted_at,
    permalink,
    post_type,
    -- Exports from before Meta's 2025 rename have "Impressions" where newer ones have "Views".
    coalesce(views, impressions) as views,
    reach,
    likes,
    comments,
    shares,
    saves,
    follows,
    profile_visits,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['post_id'], '_loaded_at desc, _source_row desc') }}
