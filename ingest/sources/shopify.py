"""Shopify orders: the admin "Export orders" CSV (any header vintage) and Admin REST order pages."""

from ingest.spec import CURRENCY_CHECK, CURRENCY_EXPECT, MONEY, NOT_IN_FUTURE, TS_OFFSET, Column, Source

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
            Column("note_attributes", "Note Attributes"),
            Column("cancelled_at", "Cancelled at", TS_OFFSET, expect=_TS),
            Column("refunded_amount", "Refunded Amount", MONEY, check="{v} >= 0", expect="an amount >= 0"),
            _opt("order_id", "Id", "BIGINT", expect="a numeric order id"),
            _opt("tags", "Tags"),
            _opt("source_name", "Source"),
            _opt("lineitem_discount", "Lineitem discount", MONEY, expect="a decimal amount"),
            _opt("phone_hash", "Phone", pii=True),
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
            Column("is_test", "item->>'$.test'", "BOOLEAN"),
            Column("source_name", "item->>'$.source_name'"),
            Column("landing_site", "item->>'$.landing_site'"),
            Column("landing_site_ref", "item->>'$.landing_site_ref'"),
            Column("referring_site", "item->>'$.referring_site'"),
            Column("customer_id", "item->>'$.customer.id'", "BIGINT"),
            Column("email_hash", "coalesce(item->>'$.email', item->>'$.customer.email')", pii=True),
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
