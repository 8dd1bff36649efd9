select
    text_sha256,
    sentiment,
    is_spam,
    is_toxic,
    scored_at
from {{ source('tracking_scores', 'comment_scores') }}
