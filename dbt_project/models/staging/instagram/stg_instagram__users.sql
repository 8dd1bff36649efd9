with source as (select * from {{ source('instagram', 'instagram_users') }})

select
    account_id,
    lower(username) as username,
    followers_count,
    follows_count,
    media_count,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['account_id'], 'fetched_at desc, _loaded_at desc') }}
