with source as (select * from {{ source('instagram', 'instagram_stories') }})

select
    media_id,
    account_id,
    media_type,
    media_product_type,
    posted_at,
    permalink,
    fetched_at,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['media_id'], 'fetched_at desc, _loaded_at desc') }}
