"""Shopify orders: the admin "Export orders" CSV (any header vintage) and Admin REST order pages."""

from ingest.spec import CURRENCY_CHECK, CURRENCY_EXPECT, MONEY, NOT_IN_FUTURE, TS_OFFSET, Column, RowCheck, Source

_TS = "a timestamp like 2025-05-11 09:55:16 -0400"
_STATUSES = ("paid", "pending", "authorized", "partially_paid", "refunded", "partially_refunded", "voided")
_STATUS_CHECK = "{v} in (" + ", ".join(f"'{s}'" for s in _STATUSES) + ")"


def _opt(name: str, header: str, type_: str = "VARCHAR", **kw) -> Column:
    """A column older exports do not have."""
    return Column(name, header, type_, header_required=False, **kw)


SHOPIFY_SOURCES = (
    Source(
        name="shopify_orders_csv", pattern="shopify/orders_export/*.csv", table="shopify_order_lines_csv",
        format="csv", key=("order_name",),
        description="Shopify 'Export orders' CSV: one row per line item, order fields on the first row only.",
        columns=(
            Column("order_name", "Name", required=True, expect="an order name like #1001"),
            Column("email_hash", "Email", pii=True),
            Column("financial_status", "Financial Status", check=_STATUS_CHECK,
                   expect="one of " + ", ".join(_STATUSES)),
            Column("paid_at", "Paid at", TS_OFFSET, expect=_TS),
            Column("fulfillment_status", "Fulfillment Status"),
            Column("currency", "Currency", check=CURRENCY_CHECK, expect=CURRENCY_EXPECT),
            Column("subtotal", "Subtotal", MONEY, expect="a decimal amount"),
            Column("shipping", "Shipping", MONEY, expect="a decimal amount"),
            Column("taxes", "Taxes", MONEY, expect="a decimal amount"),
            Column("total", "Total", MONEY, expect="a decimal amount"),
            Column("discount_code", "Discount Code"),
            Column("discount_amount", "Discount Amount", MONEY, expect="a decimal amount"),
            Column("created_at", "Created at", TS_OFFSET, check=NOT_IN_FUTURE, expect=_TS + ", not in the future"),
            Column("lineitem_quantity", "Lineitem quantity", "INTEGER", required=True, check="{v} > 0",
                   expect="a whole number > 0"),
            Column("lineitem_name", "Lineitem name"),
            Column("lineitem_price", "Lineitem price", MONEY, required=True, check="{v} >= 0",
                   expect="an amount >= 0"),
            Column("lineitem_sku", "Lineitem sku"),
            Column("billing_name_hash", "Billing Name", pii=True),
            Column("billing_address_hash", "Billing Address1", pii=True),
            Column("billing_zip_hash", "Billing Zip", pii=True),
            Column("billing_country", "Billing Country"),
            Column("billing_phone_hash", "Billing Phone", pii=True),
            Column("shipping_name_hash", "Shipping Name", pii=True),
            Column("shipping_address_hash", "Shipping Address1", pii=True),
            Column("shipping_zip_hash", "Shipping Zip", pii=True),
            Column("shipping_city_hash", "Shipping City", pii=True),
            Column("shipping_country", "Shipping Country"),
            Column("shipping_phone_hash", "Shipping Phone", pii=True),
            # The oldest exports end at Notes (docs/input-templates.md): without these three an order has no
            # landing page, no cancellation time (its Financial Status still says voided or refunded) and no partial
            # refund.
            _opt("note_attributes", "Note Attributes"),
            _opt("cancelled_at", "Cancelled at", TS_OFFSET, expect=_TS),
            _opt("payment_method", "Payment Method"),
            _opt("refunded_amount", "Refunded Amount", MONEY, check="{v} >= 0", expect="an amount >= 0"),
            _opt("order_id", "Id", "BIGINT", expect="a numeric order id; an id like 5.6E+12 was rounded by a "
                 "spreadsheet: export the file again and do not re-save it in Excel"),
            _opt("tags", "Tags"),
            _opt("source_name", "Source"),
            _opt("lineitem_discount", "Lineitem discount", MONEY, expect="a decimal amount"),
            _opt("phone_hash", "Phone", pii=True),
            # With the name, these tell a gift-card line (a liability, not a sale) from merchandise.
            _opt("lineitem_requires_shipping", "Lineitem requires shipping", "BOOLEAN", expect="true or false"),
            _opt("lineitem_taxable", "Lineitem taxable", "BOOLEAN", expect="true or false"),
        ),
    ),
    Source(
        name="shopify_orders_api", pattern="shopify/orders_api/*.jsonl", table="shopify_orders_api",
        format="jsonl", records="$.response.orders", key=("order_id",),
        shape="json_type(doc, '$.response.orders') = 'ARRAY'",
        shape_expect="a page {'request': ..., 'response': {'orders': [...]}}",
        description="Shopify Admin REST orders (one row per order; line items, codes and refunds kept as JSON).",
        columns=(
            Column("order_id", "item->>'$.id'", "BIGINT", required=True, expect="a numeric order id"),
            Column("order_name", "item->>'$.name'", required=True),
            Column("created_at", "item->>'$.created_at'", TS_OFFSET, required=True, check=NOT_IN_FUTURE,
                   expect="ISO 8601, not in the future"),
            Column("updated_at", "item->>'$.updated_at'", TS_OFFSET, expect="ISO 8601"),
            Column("cancelled_at", "item->>'$.cancelled_at'", TS_OFFSET, expect="ISO 8601"),
            Column("financial_status", "item->>'$.financial_status'", check=_STATUS_CHECK),
            Column("currency", "item->>'$.currency'", required=True, check=CURRENCY_CHECK, expect=CURRENCY_EXPECT),
            Column("subtotal_price", "item->>'$.subtotal_price'", MONEY),
            Column("total_discounts", "item->>'$.total_discounts'", MONEY),
            Column("total_tax", "item->>'$.total_tax'", MONEY),
            Column("total_price", "item->>'$.total_price'", MONEY),
            Column("taxes_included", "item->>'$.taxes_included'", "BOOLEAN"),
            Column("is_test", "item->>'$.test'", "BOOLEAN"),
            Column("source_name", "item->>'$.source_name'"),
            Column("landing_site", "item->>'$.landing_site'"),
            Column("landing_site_ref", "item->>'$.landing_site_ref'"),
            Column("referring_site", "item->>'$.referring_site'"),
            Column("customer_id", "item->>'$.customer.id'", "BIGINT"),
            Column("email_hash", "coalesce(item->>'$.email', item->>'$.customer.email')", pii=True),
            Column("phone_hash", "coalesce(item->>'$.phone', item->>'$.customer.phone')", pii=True),
            Column("shipping_country", "item->>'$.shipping_address.country_code'"),
            Column("shipping_zip_hash", "item->>'$.shipping_address.zip'", pii=True),
            Column("discount_codes", "item->>'$.discount_codes'", "JSON"),
            Column("discount_applications", "item->>'$.discount_applications'", "JSON"),
            Column("line_items", "item->>'$.line_items'", "JSON", required=True),
            Column("refunds", "item->>'$.refunds'", "JSON"),
            Column("shipping_lines", "item->>'$.shipping_lines'", "JSON"),
        ),
    ),
)

_WOO_STATUSES = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "trash")

STORE_EXTRA_SOURCES = (
    Source(
        name="woocommerce_orders", pattern="woocommerce/orders/*.jsonl", table="woocommerce_orders", format="jsonl",
        records="$.response", key=("order_id",), shape="json_type(doc, '$.response') = 'ARRAY'",
        shape_expect="a page {'request': ..., 'response': [orders]} (the REST API answers a JSON array)",
        description="WooCommerce REST orders (v3), one row per order; line items, coupons and refunds as JSON.",
        columns=(
            Column("order_id", "item->>'$.id'", "BIGINT", required=True, expect="a numeric order id"),
            Column("order_number", "item->>'$.number'"),
            Column("status", "item->>'$.status'", required=True,
                   check="{v} in (" + ", ".join(f"'{s}'" for s in _WOO_STATUSES) + ")",
                   expect="one of " + ", ".join(_WOO_STATUSES)),
            Column("currency", "item->>'$.currency'", required=True, check=CURRENCY_CHECK, expect=CURRENCY_EXPECT),
            Column("created_at", "item->>'$.date_created_gmt'", TS_OFFSET, required=True, check=NOT_IN_FUTURE,
                   expect="a GMT timestamp like 2026-05-11T13:55:16, not in the future"),
            Column("paid_at", "item->>'$.date_paid_gmt'", TS_OFFSET, expect="a GMT timestamp"),
            Column("total", "item->>'$.total'", MONEY, check="{v} >= 0", expect="an amount >= 0"),
            Column("discount_total", "item->>'$.discount_total'", MONEY, expect="a decimal amount"),
            Column("shipping_total", "item->>'$.shipping_total'", MONEY, expect="a decimal amount"),
            Column("total_tax", "item->>'$.total_tax'", MONEY, expect="a decimal amount"),
            Column("customer_id", "item->>'$.customer_id'", "BIGINT"),
            Column("email_hash", "item->>'$.billing.email'", pii=True),
            Column("phone_hash", "item->>'$.billing.phone'", pii=True),
            Column("shipping_country", "coalesce(item->>'$.shipping.country', item->>'$.billing.country')"),
            Column("coupon_lines", "item->>'$.coupon_lines'", "JSON"),
            Column("line_items", "item->>'$.line_items'", "JSON", required=True),
            Column("refunds", "item->>'$.refunds'", "JSON"),
        ),
    ),
    Source(
        name="shopify_price_rules", pattern="shopify/price_rules/*.jsonl", table="shopify_price_rules",
        format="jsonl", records="$.response.price_rules", key=("price_rule_id",),
        shape="json_type(doc, '$.response.price_rules') = 'ARRAY'", shape_expect="{'response': {'price_rules': [...]}}",
        description="Shopify price rules: what a discount code gives and when it is valid.",
        columns=(
            Column("price_rule_id", "item->>'$.id'", "BIGINT", required=True),
            Column("title", "item->>'$.title'"),
            Column("value_type", "item->>'$.value_type'", check="{v} in ('percentage', 'fixed_amount')",
                   expect="percentage or fixed_amount"),
            Column("value", "item->>'$.value'", MONEY, check="{v} <= 0", expect="a discount value <= 0"),
            Column("starts_at", "item->>'$.starts_at'", TS_OFFSET, expect="ISO 8601"),
            Column("ends_at", "item->>'$.ends_at'", TS_OFFSET, expect="ISO 8601"),
            Column("usage_limit", "item->>'$.usage_limit'", "BIGINT"),
            Column("once_per_customer", "item->>'$.once_per_customer'", "BOOLEAN"),
        ),
    ),
    Source(
        name="shopify_discount_codes", pattern="shopify/discount_codes/*.jsonl", table="shopify_discount_codes",
        format="jsonl", records="$.response.discount_codes", key=("discount_code_id",),
        shape="json_type(doc, '$.response.discount_codes') = 'ARRAY'",
        shape_expect="{'response': {'discount_codes': [...]}}",
        description="Shopify discount codes of the price rules, with their usage counts.",
        columns=(
            Column("discount_code_id", "item->>'$.id'", "BIGINT", required=True),
            Column("price_rule_id", "item->>'$.price_rule_id'", "BIGINT", required=True),
            Column("code", "item->>'$.code'", required=True),
            Column("usage_count", "item->>'$.usage_count'", "BIGINT", check="{v} >= 0", expect="a count >= 0"),
            Column("created_at", "item->>'$.created_at'", TS_OFFSET, expect="ISO 8601"),
        ),
    ),
    Source(
        name="affiliate_redemptions", pattern="affiliate/*.csv", table="affiliate_redemptions", format="csv",
        key=("code", "order_id", "order_name"),
        description="Affiliate-platform redemption exports: one row per code redemption.",
        row_checks=(RowCheck("order_id", "order_id is null and order_name is null",
                             "neither order_id nor order_name: the redemption cannot be matched to an order"),),
        columns=(
            Column("code", "code", required=True),
            Column("order_id", "order_id", "BIGINT", header_required=False, expect="a numeric order id"),
            Column("order_name", "order_name", header_required=False),
            Column("redeemed_at", "redeemed_at", TS_OFFSET, required=True, check=NOT_IN_FUTURE,
                   expect="a timestamp, not in the future"),
            Column("order_amount", "order_amount", MONEY, required=True, check="{v} >= 0", expect="an amount >= 0"),
            Column("currency", "currency", required=True, check=CURRENCY_CHECK, expect=CURRENCY_EXPECT),
            Column("commission", "commission", MONEY, header_required=False, check="{v} >= 0",
                   expect="an amount >= 0"),
        ),
    ),
)
