-- The date vetting windows end on: the as_of_date var, else the newest follower snapshot.
select
    {% if var('as_of_date') %}cast('{{ var("as_of_date") }}' as date)
    {% else %}max(snapshot_date){% endif %} as as_of_date
from {{ ref('stg_tracking__follower_snapshots') }}
