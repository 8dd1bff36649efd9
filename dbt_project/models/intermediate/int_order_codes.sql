-- One row per order and discount code, with the order the codes were applied in (1 = first).
with orders as (select * from {{ ref('int_orders') }}),

codes as (
    select
        order_name,
        order_date,
        {{ unnest_with_position('discount_codes', 'discount_code', 'code_position') }}
    from orders
    where discount_code_count > 0
)

select
    order_name,
    order_date,
    discount_code,
    code_position,
    discount_code in {{ list_var_as_sql_list('sitewide_codes') }} as is_sitewide_code
from codes
