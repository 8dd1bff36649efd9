-- Units of each currency per 1 USD for every calendar day from the currency's first rate on. A day without a rate
-- of its own (a weekend, a holiday, a file not yet delivered) takes the newest earlier rate when that is at most
-- var fx_max_rate_age_days days old; beyond that the rate is NULL, never a guess, and the fx_rate_present test stops
-- the build naming the currency and the day. USD is the base: it has no rows (rate_to_reporting uses 1).
with rates as (
    select
        quote_currency as currency,
        rate_date,
        rate
    from {{ ref('stg_fx__rates') }}
    where base_currency = 'USD' and quote_currency <> 'USD'
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
    select
        currency,
        min(rate_date) as first_day
    from rates
    group by currency
),

filled as (
    select
        spine.date_day as rate_date,
        currencies.currency,
        {{ last_value_ignore_nulls('rates.rate') }} over carried as last_rate,
        {{ last_value_ignore_nulls('rates.rate_date') }} over carried as last_rate_date
    from spine
    inner join currencies on spine.date_day >= currencies.first_day
    left join rates on spine.date_day = rates.rate_date and currencies.currency = rates.currency
    window carried as (
        partition by currencies.currency order by spine.date_day rows between unbounded preceding and current row
    )
)

select
    rate_date,
    currency,
    case
        when {{ days_between('last_rate_date', 'rate_date') }} <= cast({{ var('fx_max_rate_age_days') }} as integer)
            then last_rate
    end as units_per_usd,
    last_rate_date as rate_from_date
from filled
