with source as (select * from {{ source('tracking', 'comment_samples') }})

select
    platform,
    comment_id,
    post_id,
    commented_at,
    comment_text,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['platform', 'comment_id'], '_loaded_at desc, _source_row desc') }}
