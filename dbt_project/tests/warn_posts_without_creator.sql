-- Posts of a platform account that no creator row names (marketing/creators*.csv): a typo in a handle or an account
-- id there ("leo_skin" for "leo.skin") leaves them out of that creator's vetting and content marts, silently. Warns,
-- not fails: the rest is right, and a brand may land posts of accounts it has not signed yet. One row per account;
-- its message names it, and the pipeline logs it after the build (dbt itself prints only how many rows warned).
{{ config(severity='warn', store_failures=true) }}
select
    platform,
    account_id,
    count(*) as posts,
    count(*) || ' ' || platform || ' post(s) of account ' || account_id || ' match no creator in '
    || 'marketing/creators*.csv, so no vetting or content mart counts them: if the account is a creator''s, correct '
    || 'the handle or account id in its row (a typo?)' as message
from {{ ref('int_posts') }}
where creator_id is null
group by platform, account_id
