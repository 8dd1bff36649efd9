-- The date vetting windows end on: the as_of_date var, else the newest follower snapshot (tracking or scrape).
-- Always one row: an aggregate, also when the var is set.
select
    {% if var('as_of_date') %}coalesce(cast('{{ var("as_of_date") }}' as date), max(snapshot_date))
    {% else %}max(snapshot_date){% endif %} as as_of_date
from {{ ref('int_follower_snapshots') }}
