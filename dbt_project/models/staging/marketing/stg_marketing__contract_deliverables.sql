-- One row per contract, format and due date: the posts a contract asks for (the contract_deliverables template; the
-- newest delivery of a row wins). Formats are matched case-insensitively, so the key is the lower-case format.
with source as (select * from {{ source('marketing', 'contract_deliverables') }})

select
    contract_id,
    lower(format) as deliverable_format,
    cast(posts as integer) as posts_due,
    due_date,
    coalesce(lower(content_review) = 'yes', false) as has_content_review,
    _loaded_at as loaded_at
from source
{{ newest_per_key(['contract_id', 'lower(format)', 'due_date'], '_loaded_at desc, _source_row desc') }}
