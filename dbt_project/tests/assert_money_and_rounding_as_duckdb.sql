-- The money and rounding macros give DuckDB's answers on every target: the cases that differed on Spark at scale M.
-- to_money: Spark cut a product's scale to 6 digits before the cent was rounded (0.0049999999 -> 0.005000 -> 0.01).
-- round_double: Spark rounds a double's shortest decimal form half up (8342.255 -> 8342.26); DuckDB rounds the
-- binary value (8342.25499... -> 8342.25).
with cases as (
    select
        'to_money just under a half cent' as case_name,
        {{ to_money("'1.00'", "'0.0049999999'") }} as got,
        cast(0.00 as decimal(38, 2)) as expected
    union all
    select
        'to_money at a half cent',
        {{ to_money("'1.00'", "'0.0050000000'") }},
        cast(0.01 as decimal(38, 2))
    union all
    select
        'to_money of a refund at a half cent',
        {{ to_money("'-1.00'", "'0.0050000000'") }},
        cast(-0.01 as decimal(38, 2))
    union all
    select
        'round_double of a double just under a half cent',
        cast({{ round_double('cast(16684.51 as double) / 2', 2) }} as decimal(38, 2)),
        cast(8342.25 as decimal(38, 2))
)

select * from cases
where got is distinct from expected
