-- One row per sampled follower of a creator account per sample; a re-delivered row replaces its older version.
with source as (select * from {{ source('follower_samples', 'follower_samples') }}),

renamed as (
    select
        lower(platform) as platform,
        lower({{ trim_leading('account', '@') }}) as account_handle,
        sampled_at,
        {{ pseudonym_hex('follower_handle') }} as follower_hash,
        handle_length,
        handle_digit_count,
        follower_followers as followers,
        follower_following as following,
        follower_posts as posts,
        has_profile_picture,
        bio_length,
        created_at,
        last_post_at,
        regexp_extract(_source_file, '[^/]+$') as sample_file,
        _source_row,
        _loaded_at
    from source
)

select
    platform,
    account_handle,
    sampled_at,
    follower_hash,
    handle_length,
    handle_digit_count,
    followers,
    following,
    posts,
    has_profile_picture,
    bio_length,
    created_at,
    last_post_at,
    sample_file,
    _loaded_at as loaded_at
from renamed
{{ newest_per_key(['platform', 'account_handle', 'sampled_at', 'follower_hash'], '_loaded_at desc, _source_row desc') }}
