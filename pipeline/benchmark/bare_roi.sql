-- The baseline for the dbt benchmark: creator ROI per contract straight from the raw tables in one DuckDB script,
-- the same rules as the dbt project (newest version wins, API over CSV, code > link > none, FX by order date,
-- cost by component), without staging layers, tests or documentation.
create or replace temp table bare_orders as
with csv_lines as (
    select *, first_value(_load_id) over (partition by order_name order by _loaded_at desc, _load_id desc) as newest,
        coalesce(not lineitem_requires_shipping and lower(lineitem_name) like '%gift card%', false) as is_gift
    from raw.shopify_order_lines_csv
),
csv_orders as (
    select order_name, max(created_at) as created_at, max(created_at_utc_offset) as utc_offset,
        max(cancelled_at) as cancelled_at, max(financial_status) as financial_status, max(currency) as currency,
        max(discount_code) as codes_text, max(regexp_extract(note_attributes, 'landing_site: ([^\n]*)', 1)) as landing,
        cast(coalesce(max(subtotal), 0) as decimal(38, 2))
        - coalesce(sum(lineitem_price * lineitem_quantity) filter (where is_gift), 0) as merch,
        cast(coalesce(max(shipping), 0) as decimal(38, 2)) as shipping, cast(coalesce(max(taxes), 0) as decimal(38, 2)) as taxes,
        coalesce(max(taxes), 0) > 0 and abs(max(total) - max(subtotal) - coalesce(max(shipping), 0))
            < abs(max(total) - max(subtotal) - coalesce(max(shipping), 0) - max(taxes)) as inclusive,
        cast(coalesce(max(refunded_amount), 0) as decimal(38, 2)) as refunded
    from csv_lines where _load_id = newest group by order_name
),
csv_ex_tax as (
    select *, merch - case when inclusive and merch + shipping > 0 then cast((2 * cast(taxes * 100 as hugeint)
        * cast(merch * 100 as hugeint) + cast((merch + shipping) * 100 as hugeint))
        // (2 * cast((merch + shipping) * 100 as hugeint)) as decimal(38, 2)) * 0.01 else 0 end as items_ex
    from csv_orders
),
api as (
    select *, list_filter(json_transform(line_items, '[{"id": "BIGINT", "quantity": "BIGINT", "price": "DECIMAL(38,2)",
            "gift_card": "BOOLEAN", "discount_allocations": [{"amount": "DECIMAL(38,2)"}],
            "tax_lines": [{"price": "DECIMAL(38,2)"}]}]'), lambda l: not coalesce(l.gift_card, false)) as merch_lines
    from raw.shopify_orders_api
    qualify row_number() over (partition by order_id order by updated_at desc nulls last, _loaded_at desc) = 1
),
unioned as (
    select order_name, created_at, created_at_utc_offset as utc_offset, cancelled_at, financial_status, currency,
        list_transform(coalesce(json_extract_string(discount_codes, '$[*].code'), []), lambda x: upper(x)) as codes,
        landing_site as landing,
        coalesce(list_sum(list_transform(merch_lines, lambda l: l.price * l.quantity
            - coalesce(list_sum(list_transform(l.discount_allocations, lambda a: a.amount)), 0)
            - case when coalesce(taxes_included, false)
                then coalesce(list_sum(list_transform(l.tax_lines, lambda t: t.price)), 0) else 0 end)), 0) as items_ex,
        coalesce(list_sum(list_transform(list_filter(flatten(list_transform(json_transform(coalesce(refunds, '[]'),
            '[{"refund_line_items": [{"line_item_id": "BIGINT", "subtotal": "DECIMAL(38,2)", "total_tax": "DECIMAL(38,2)"}]}]'),
            lambda r: coalesce(r.refund_line_items, []))),
            lambda r: coalesce(list_contains(list_transform(merch_lines, lambda l: l.id), r.line_item_id), true)),
            lambda r: r.subtotal - case when coalesce(taxes_included, false) then r.total_tax else 0 end)), 0) as refunds,
        coalesce(is_test, false) as is_test
    from api
    union all
    select order_name, created_at, utc_offset, cancelled_at, financial_status, currency,
        list_transform(list_filter(string_split(coalesce(codes_text, ''), ','), lambda x: trim(x) <> ''),
            lambda x: upper(trim(x))),
        landing, items_ex,
        case when refunded = 0 or merch + case when inclusive then 0 else taxes end <= 0 then 0
            else cast((2 * cast(refunded * 100 as hugeint) * cast(items_ex * 100 as hugeint)
                + cast((merch + case when inclusive then 0 else taxes end) * 100 as hugeint))
                // (2 * cast((merch + case when inclusive then 0 else taxes end) * 100 as hugeint)) as decimal(38, 2))
                * 0.01 end,
        false
    from csv_ex_tax where order_name not in (select order_name from raw.shopify_orders_api)
)
select
    order_name, codes, lower(nullif(regexp_extract(landing, '[?&]ref=([^&#\s]+)', 1), '')) as ref,
    cast(created_at + (case when utc_offset is null or utc_offset = 'Z' then 0
        else (case when left(utc_offset, 1) = '-' then -1 else 1 end)
            * (cast(substr(utc_offset, 2, 2) as integer) * 60 + cast(right(utc_offset, 2) as integer)) end)
        * interval '1 minute' as date) as order_date,
    -- A refunded order nets 0.00; pending, authorized, voided, cancelled and test orders are not sales.
    currency, cast(case when financial_status = 'refunded' then 0 else items_ex - refunds end as decimal(38, 2)) as net
from unioned
where not is_test and financial_status not in ('voided', 'pending', 'authorized') and cancelled_at is null;

create or replace temp table bare_fx as
with rates as (select * from raw.fx_rates qualify row_number() over (
    partition by rate_date, quote_currency order by _loaded_at desc) = 1),
spine as (select cast(range as date) as d from range((select min(rate_date) from rates)::timestamp,
    greatest((select max(rate_date) from rates), current_date)::timestamp + interval '1 day', interval '1 day'))
select d, c.quote_currency as currency, last_value(rate ignore nulls) over (partition by c.quote_currency order by d)
    as units_per_usd
from spine cross join (select distinct quote_currency from rates) c
left join rates on rates.rate_date = spine.d and rates.quote_currency = c.quote_currency
union all select d, 'USD', 1 from spine;

create or replace temp table bare_posts as
with owners as (
    select instagram_user_id as account_id, creator_id from raw.creators where instagram_user_id is not null
    union all select tiktok_open_id, creator_id from raw.creators where tiktok_open_id is not null
    union all select youtube_channel_id, creator_id from raw.creators where youtube_channel_id is not null
)
select distinct owners.creator_id, cast(p.posted_at as date) as posted_date from (
    select account_id, posted_at, caption from raw.instagram_media
    union all select account_id, posted_at, description from raw.tiktok_videos
    union all select channel_id, posted_at, description from raw.youtube_videos
) p inner join owners on p.account_id = owners.account_id
where lower(p.caption) like '%@lumenandco%';

create or replace temp table bare_roi as
with code_hits as (
    select o.order_name, c.creator_id, c.campaign_id, o.pos
    from (select order_name, order_date, unnest(codes) as code, unnest(range(1, len(codes) + 1)) as pos
          from bare_orders) o
    inner join raw.code_assignments c on upper(c.code) = o.code and o.order_date between c.valid_from and c.valid_to
    where o.code not in ('WELCOME10', 'FREESHIP')
    qualify row_number() over (partition by o.order_name order by o.pos) = 1
),
touches as (
    select creator_id, posted_date as touch_date from bare_posts
    union select l.creator_id, c.start_date from raw.link_assignments l join raw.campaigns c using (campaign_id)
),
link_hits as (
    select distinct o.order_name, l.creator_id, l.campaign_id
    from bare_orders o
    inner join raw.link_assignments l on lower(l.link_id) = o.ref and o.order_date between l.valid_from and l.valid_to
    inner join touches t on t.creator_id = l.creator_id and t.touch_date between o.order_date - 30 and o.order_date
    where o.order_name not in (select order_name from code_hits)
),
credited as (
    select h.creator_id, h.campaign_id, o.*
    from (select order_name, creator_id, campaign_id from code_hits
          union all select order_name, creator_id, campaign_id from link_hits) h
    inner join bare_orders o using (order_name)
),
revenue as (
    select creator_id, campaign_id, sum(cast(round(net * cast(cast(r.units_per_usd as decimal(18, 8))
        / cast(f.units_per_usd as decimal(18, 8)) as decimal(18, 10)), 2) as decimal(38, 2))) as net_revenue
    from credited
    join bare_fx f on f.currency = credited.currency and f.d = credited.order_date
    join bare_fx r on r.currency = 'USD' and r.d = credited.order_date
    group by 1, 2
)
select k.contract_id, coalesce(r.net_revenue, 0) as net_revenue,
    k.flat_fee + coalesce(k.gifted_units, 0) * coalesce(k.unit_cost, 0) + coalesce(k.gift_shipping_cost, 0)
    + round(coalesce(k.commission_rate, 0) * coalesce(r.net_revenue, 0), 2) + coalesce(k.paid_amplification, 0)
    + case when k.bonus_threshold_net_revenue is not null and coalesce(r.net_revenue, 0) >= k.bonus_threshold_net_revenue
        then coalesce(k.bonus_amount, 0) else 0 end as creator_cost
from raw.contracts k
left join revenue r on k.creator_id = r.creator_id and k.campaign_id = r.campaign_id;
