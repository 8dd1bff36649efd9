-- Units of each currency per 1 USD for every calendar day; weekends and holidays carry the last rate forward.
with rates as (
    select * from {{ ref('stg_fx__rates') }}
    where base_currency = 'USD'
),

bounds as (
    select
        min(rate_date) as first_day,
        greatest(max(rate_date), current_date) as last_day
    from rates
),

spine as (
    {{ date_spine('(select first_day from bounds)', '(select last_day from bounds)') }}
),

currencies as (
    select distinct quote_currency as currency from rates
),

filled as (
    select
        spine.date_day as rate_date,
        currencies.currency,
        last_value(rates.rate ignore nulls) over (
            partition by currencies.currency order by spine.date_day rows between unbounded preceding and current row
        ) as units_per_usd
    from spine
    cross join currencies
    left join rates on spine.date_day = rates.rate_date and currencies.currency = rates.quote_currency
)

select
    rate_date,
    currency,
    units_per_usd
from filled
union all
select
    date_day as rate_date,
    'USD' as currency,
    cast(1 as decimal(18, 8)) as units_per_usd
from spine
