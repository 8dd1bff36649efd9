"""Store orders: Shopify "Export orders" CSV files and Shopify Admin REST order pages, day by day.

Orders older than the API window are exported as CSV (the oldest file with an older, shorter header); the
last ``API_DAYS`` days arrive as REST pages, as an incremental connector would land them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.generate import text
from pipeline.generate.social import Intent, _poisson
from pipeline.generate.world import SITEWIDE_CODES, World, rng_for
from pipeline.generate.writers import RotatingCsv, RotatingJsonl, api_page

SHOP_TZ = ZoneInfo("America/New_York")
API_DAYS = 14
CENT = Decimal("0.01")

CSV_HEADER = [
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
    "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
    "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
    "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
    "Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
    "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes", "Cancelled at",
    "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Outstanding Balance", "Employee",
    "Location", "Device ID", "Id", "Tags", "Risk Level", "Source", "Lineitem discount", "Tax 1 Name",
    "Tax 1 Value", "Tax 2 Name", "Tax 2 Value", "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value",
    "Tax 5 Name", "Tax 5 Value", "Phone", "Receipt Number", "Duties", "Billing Province Name",
    "Shipping Province Name", "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
]
# Older exports stop before "Outstanding Balance".
OLD_CSV_HEADER = CSV_HEADER[: CSV_HEADER.index("Outstanding Balance")]

LIST_RATE = {"USD": Decimal("1"), "CAD": Decimal("1.35"), "GBP": Decimal("0.80"), "EUR": Decimal("0.92"),
             "AUD": Decimal("1.50"), "KRW": Decimal("1380"), "JPY": Decimal("150")}
TAX_RATE = {"US": Decimal("0.07"), "CA": Decimal("0.13"), "GB": Decimal("0.20"), "DE": Decimal("0.19"),
            "FR": Decimal("0.20"), "IE": Decimal("0.23"), "AU": Decimal("0.10"), "KR": Decimal("0.10"),
            "JP": Decimal("0.10")}
TAX_NAME = {"US": "State Tax", "CA": "HST", "GB": "VAT", "DE": "MwSt", "FR": "TVA", "IE": "VAT", "AU": "GST",
            "KR": "VAT", "JP": "JCT"}
COUNTRY_WEIGHTS = (("US", 60), ("CA", 12), ("GB", 18), ("AU", 4), ("DE", 3), ("FR", 2), ("IE", 1))
# Shops there show prices with VAT included: Total = Subtotal + Shipping, the tax sits inside the prices.
TAX_INCLUSIVE_COUNTRIES = frozenset({"GB", "DE", "FR", "IE", "KR", "JP"})
# A few new organic customers order from Korea or Japan in their currency; a Korean customer's first order is a
# reseller's bulk order of at least BULK_KRW (amounts past 1,000,000 overflowed DECIMAL(18, 12) in the marts).
ASIA_SHARE = 0.012
BULK_KRW = Decimal("1500000")
LEAK_COUNTRIES = ("DE", "FR")  # far from any genuine audience in the generated world
WEEKDAY_ORDERS = (1.05, 0.95, 0.95, 1.0, 1.05, 1.1, 1.15)


def money(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Customer:
    index: int
    email: str
    first: str
    last: str
    phone: str
    country: str
    city: str
    street: str
    zip: str


@dataclass
class Line:
    line_id: int
    sku: str
    name: str
    quantity: int
    price: Decimal
    discount: Decimal = Decimal("0")

    @property
    def net(self) -> Decimal:
        return self.price * self.quantity - self.discount


@dataclass
class Order:
    seq: int
    order_id: int
    name: str
    created: datetime
    customer: Customer
    currency: str
    lines: list[Line]
    codes: list[str]
    landing_site: str
    referring_site: str
    shipping: Decimal
    shipping_discount: Decimal
    taxes: Decimal
    financial_status: str
    cancelled_at: datetime | None
    refund_at: datetime | None
    refunded_lines: list[Line] = field(default_factory=list)
    test: bool = False
    gift_cards: list[Line] = field(default_factory=list)  # sold, not revenue (a liability)
    no_email: bool = False  # POS, phone or draft order
    order_level_discount: bool = False  # the export leaves Lineitem discount empty

    @property
    def tax_inclusive(self) -> bool:
        return self.customer.country in TAX_INCLUSIVE_COUNTRIES

    @property
    def subtotal(self) -> Decimal:
        return sum((ln.net for ln in self.lines + self.gift_cards), Decimal("0"))

    @property
    def discount_amount(self) -> Decimal:
        return sum((ln.discount for ln in self.lines), Decimal("0")) + self.shipping_discount

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.shipping + (Decimal("0") if self.tax_inclusive else self.taxes)

    def line_tax(self, ln: Line) -> Decimal:
        rate = TAX_RATE[self.customer.country]
        return money(ln.net * rate / (1 + rate)) if self.tax_inclusive else money(ln.net * rate)

    @property
    def refunded_amount(self) -> Decimal:
        extra = Decimal("0") if self.tax_inclusive else Decimal("1")
        return sum((ln.net + extra * self.line_tax(ln) for ln in self.refunded_lines), Decimal("0"))


class OrderWriter:
    def __init__(self, world: World, out: Path) -> None:
        self.world = world
        self.platform_of = {c.creator_id: c.primary.platform for c in world.creators}
        self.r = rng_for(world.seed, "orders")
        # Its own stream for the revenue edge cases, so the planted cases of the main stream stay where they were.
        self.extras = rng_for(world.seed, "order-extras")
        self.csv = RotatingCsv(out / "shopify" / "orders_export", "orders_export", CSV_HEADER,
                               world.scale.csv_lines_per_file, bom=True,
                               header_for_part=lambda part: OLD_CSV_HEADER if part == 1 else CSV_HEADER)
        self.api = RotatingJsonl(out / "shopify" / "orders_api", "orders", 50_000)
        self.api_from = world.scale.days - API_DAYS
        self.seq = 0
        self.line_seq = 0
        self.next_customer = 0
        self.forced_country: dict[int, str] = {}
        self.page: list[dict] = []
        self.page_no = 0
        self.truth_two_code_orders: list[dict] = []
        self.stats = {"orders": 0, "csv_lines": 0, "api_orders": 0}

    # ---------------------------------------------------------------- customers
    def customer(self, index: int) -> Customer:
        r = rng_for(self.world.seed, "customer", index)
        first, last = r.choice(text.FIRST_NAMES), r.choice(text.LAST_NAMES)
        country = self.forced_country.get(index) or r.choices(
            [c for c, _ in COUNTRY_WEIGHTS], weights=[w for _, w in COUNTRY_WEIGHTS])[0]
        return Customer(
            index=index, email=f"{first}.{last}.{index}@example.com".lower(), first=first, last=last,
            phone=f"+1555{index % 10_000_000:07d}" if r.random() < 0.35 else "", country=country,
            city=r.choice(text.CITIES[country]), street=f"{r.randint(1, 400)} {r.choice(text.STREETS)}",
            zip=f"{r.randint(10000, 99999)}" if country in ("US", "DE", "FR", "KR") else f"'{r.randint(1000, 9999)}")

    def pick_customer(self, new_share: float, country: str | None = None) -> Customer:
        if country is not None or self.next_customer == 0 or (
                self.r.random() < new_share and self.next_customer < self.world.scale.customers):
            index = self.next_customer
            self.next_customer += 1
            if country is not None:
                self.forced_country[index] = country
        else:
            index = self.r.randrange(self.next_customer)
        return self.customer(index)

    # ---------------------------------------------------------------- day loop
    def write_day(self, d: int, intents: list[Intent]) -> None:
        day = self.world.day(d)
        season = 1.8 if (day.month == 11 and 24 <= day.day <= 30) else 1.3 if day.month == 12 else 1.0
        organic = _poisson(self.r, self.world.scale.organic_orders_per_day * WEEKDAY_ORDERS[day.weekday()] * season)
        batch: list[Order] = [self.build_order(day, None) for _ in range(organic)]
        batch += [self.build_order(day, intent) for intent in intents]
        batch.sort(key=lambda o: o.created)
        for order in batch:
            self.seq += 1
            order.seq = self.seq
            order.order_id = 5_600_000_000_000 + self.seq * 37
            order.name = f"#{1000 + self.seq}"
            self.emit(order, d)

    def build_order(self, day: date, intent: Intent | None) -> Order:
        r = self.r
        contract = self.world.contracts[intent.contract] if intent else None
        country = r.choice(LEAK_COUNTRIES) if intent and intent.channel == "leak" else None
        known = self.next_customer
        customer = self.pick_customer(0.6 if intent else 0.45, country)
        x = self.extras
        bulk = False
        # Only a new customer of an organic order moves to KR/JP, drawn on the extras stream: the main stream's
        # draws, and so every planted case, stay where they were.
        if intent is None and self.next_customer > known and x.random() < ASIA_SHARE:
            self.forced_country[customer.index] = x.choice(("KR", "JP"))
            customer = self.customer(customer.index)
            bulk = customer.country == "KR"
        currency = text.CURRENCY_BY_COUNTRY[customer.country]
        local = datetime.combine(day, time(r.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6,
                                                                             6, 6, 6, 6, 6, 7, 8, 8, 7, 5, 3])[0],
                                           r.randint(0, 59), r.randint(0, 59)), tzinfo=SHOP_TZ)
        lines = []
        for product in r.sample(text.PRODUCTS, k=r.choice((1, 1, 2, 2, 2, 3, 4))):
            self.line_seq += 1
            price = money(Decimal(product[2]) * LIST_RATE[currency])
            lines.append(Line(13_400_000_000_000 + self.line_seq * 11, product[0], product[1],
                              r.choice((1, 1, 1, 2, 2, 3)), price))
        if bulk:
            factor = math.ceil(BULK_KRW / sum((ln.price * ln.quantity for ln in lines), Decimal("0")))
            for ln in lines:
                ln.quantity *= factor
        codes: list[str] = []
        percent = 0
        landing, referrer = "/", ""
        code_valid = contract is not None and contract.code_valid_from <= day <= contract.code_valid_to
        if contract and intent.channel in ("code", "leak") and code_valid:
            codes.append(contract.code)
            percent = contract.discount_percent
            referrer = "https://www.google.com/" if intent.channel == "leak" else "https://l.instagram.com/"
            if intent.channel == "code" and r.random() < 0.01:
                other = self._other_valid_code(day, contract.code)
                if other is not None:
                    codes.append(other.code)
                    percent += other.discount_percent
        elif contract and intent.channel in ("code", "link"):
            landing = (f"/products/glow-serum?utm_source={self.platform_of[contract.creator_id]}"
                       f"&utm_medium=creator&utm_campaign={contract.campaign_id}&ref={contract.link_id}")
            referrer = "https://l.instagram.com/"
        elif r.random() < 0.5:
            landing = r.choice(("/?utm_source=google&utm_medium=cpc&utm_campaign=brand", "/collections/all",
                                "/?utm_source=newsletter&utm_medium=email", "/products/face-oil"))
            referrer = "https://www.google.com/" if "google" in landing else ""
        shipping_fee = money(Decimal("5.95") * LIST_RATE[currency])
        if not codes and r.random() < (0.06 if contract else 0.10):
            codes.append(SITEWIDE_CODES[0])
            percent = 10
        elif not codes and r.random() < 0.03:
            codes.append(SITEWIDE_CODES[1])
        for ln in lines:
            ln.discount = money(ln.price * ln.quantity * percent / 100)
        subtotal = sum((ln.net for ln in lines), Decimal("0"))
        shipping = Decimal("0") if subtotal >= 50 * LIST_RATE[currency] else shipping_fee
        shipping_discount = Decimal("0")
        if SITEWIDE_CODES[1] in codes:
            shipping_discount, shipping = shipping, Decimal("0")
        rate = TAX_RATE[customer.country]
        if customer.country in TAX_INCLUSIVE_COUNTRIES:  # VAT inside the prices, on shipping too
            taxes = money(subtotal * rate / (1 + rate)) + money(shipping * rate / (1 + rate))
        else:
            taxes = money(subtotal * rate)
        status = r.choices(("paid", "partially_refunded", "refunded", "pending", "authorized", "voided"),
                           weights=(86, 4, 3, 2, 2, 1.5))[0]
        cancelled_at = refund_at = None
        refunded: list[Line] = []
        if status in ("partially_refunded", "refunded"):
            refund_at = local + timedelta(days=r.randint(2, 20), hours=r.randint(0, 8))
            if refund_at.date() > self.world.end:
                status, refund_at = "paid", None  # not known at export time
            else:
                refunded = lines[:1] if status == "partially_refunded" and len(lines) > 1 else list(lines)
                status = "refunded" if len(refunded) == len(lines) else "partially_refunded"
                if status == "refunded" and r.random() < 0.3:
                    cancelled_at = refund_at
        if status == "voided":
            cancelled_at = local + timedelta(hours=r.randint(1, 30))
        order = Order(0, 0, "", local, customer, currency, lines, codes, landing, referrer, shipping,
                      shipping_discount, taxes, status, cancelled_at, refund_at, refunded)
        if x.random() < 0.01:
            self.line_seq += 1
            order.gift_cards.append(Line(13_400_000_000_000 + self.line_seq * 11, "GIFT-CARD", "Gift Card", 1,
                                         money(Decimal(x.choice(("25", "50"))) * LIST_RATE[currency])))
        order.no_email = x.random() < 0.02
        order.order_level_discount = x.random() < 0.3
        if len([c for c in codes if c not in SITEWIDE_CODES]) > 1:
            self.truth_two_code_orders.append({"codes": list(codes), "order": order})
        return order

    def _other_valid_code(self, day: date, own: str):
        candidates = [c for c in self.world.contracts
                      if c.code != own and c.code_valid_from <= day <= c.code_valid_to]
        return self.r.choice(candidates) if candidates else None

    # ---------------------------------------------------------------- output
    def emit(self, order: Order, d: int) -> None:
        self.stats["orders"] += 1
        if d >= self.api_from:
            order.test = self.r.random() < 0.004
            self.stats["api_orders"] += 1
            self.page.append(self.rest_order(order))
            if len(self.page) == 250:
                self.flush_page(more=True)
        else:
            rows = self.csv_rows(order)
            self.stats["csv_lines"] += len(rows)
            self.csv.write_group(rows)

    def csv_rows(self, o: Order) -> list[dict[str, str]]:
        c = o.customer
        fmt = "%Y-%m-%d %H:%M:%S %z"
        paid = o.financial_status not in ("pending", "authorized", "voided")
        fulfilled_at = o.created + timedelta(days=1 + o.seq % 3)
        fulfilled = paid and o.cancelled_at is None and fulfilled_at.date() <= self.world.end
        full_name = f"{c.first} {c.last}"
        country_tax = TAX_NAME[c.country]
        email = "" if o.no_email else c.email
        first = {
            "Email": email, "Financial Status": o.financial_status,
            "Paid at": (o.created + timedelta(seconds=4)).strftime(fmt) if paid else "",
            "Fulfillment Status": "fulfilled" if fulfilled else "unfulfilled",
            "Fulfilled at": fulfilled_at.strftime(fmt) if fulfilled else "",
            "Accepts Marketing": "yes" if o.seq % 3 else "no", "Currency": o.currency,
            "Subtotal": str(o.subtotal), "Shipping": str(o.shipping), "Taxes": str(o.taxes),
            "Total": str(o.total), "Discount Code": ", ".join(o.codes),
            "Discount Amount": str(o.discount_amount) if o.codes else "0.00",
            "Shipping Method": "Standard" if o.shipping else "Free Shipping",
            "Created at": o.created.strftime(fmt),
            "Billing Name": full_name, "Billing Street": c.street, "Billing Address1": c.street,
            "Billing City": c.city, "Billing Zip": c.zip, "Billing Country": c.country, "Billing Phone": c.phone,
            "Shipping Name": full_name, "Shipping Street": c.street, "Shipping Address1": c.street,
            "Shipping City": c.city, "Shipping Zip": c.zip, "Shipping Country": c.country,
            "Shipping Phone": c.phone,
            "Note Attributes": (f"landing_site: {o.landing_site}\nreferrer: {o.referring_site}"
                                if o.landing_site != "/" else ""),
            "Cancelled at": o.cancelled_at.strftime(fmt) if o.cancelled_at else "",
            "Payment Method": "Shopify Payments" if o.seq % 5 else "PayPal Express Checkout",
            "Payment Reference": f"c{o.order_id}.1", "Refunded Amount": str(o.refunded_amount),
            "Outstanding Balance": "0.00" if paid else str(o.total), "Id": str(o.order_id),
            "Risk Level": "Low", "Source": "pos" if o.no_email else "web",
            "Tax 1 Name": f"{country_tax} {TAX_RATE[c.country] * 100:g}%",
            "Tax 1 Value": str(o.taxes), "Phone": c.phone, "Payment ID": f"pay_{o.order_id}",
        }
        rows = []
        for i, ln in enumerate(o.lines + o.gift_cards):
            gift = ln in o.gift_cards
            row = dict(first) if i == 0 else {"Email": email if o.seq % 10 else ""}
            row.update({
                "Name": o.name, "Lineitem quantity": str(ln.quantity), "Lineitem name": ln.name,
                "Lineitem price": str(ln.price), "Lineitem compare at price": "", "Lineitem sku": ln.sku,
                "Lineitem requires shipping": "false" if gift else "true",
                "Lineitem taxable": "false" if gift else "true",
                "Lineitem fulfillment status": "fulfilled" if fulfilled else "pending", "Vendor": "Lumen & Co",
                "Lineitem discount": "" if o.order_level_discount else str(ln.discount),
            })
            rows.append(row)
        return rows

    def rest_order(self, o: Order) -> dict:
        c = o.customer
        iso = "%Y-%m-%dT%H:%M:%S%z"

        def ts(dt: datetime | None) -> str | None:
            if dt is None:
                return None
            s = dt.strftime(iso)
            return s[:-2] + ":" + s[-2:]

        def money_set(amount: Decimal) -> dict:
            return {"shop_money": {"amount": str(amount), "currency_code": o.currency},
                    "presentment_money": {"amount": str(amount), "currency_code": o.currency}}

        address = {"first_name": c.first, "last_name": c.last, "address1": c.street, "city": c.city,
                   "zip": c.zip.lstrip("'"), "country_code": c.country, "phone": c.phone or None}
        percent_codes = [code for code in o.codes if code != SITEWIDE_CODES[1]]
        applications = [{"type": "discount_code", "code": code, "value": "10.0" if code in SITEWIDE_CODES
                         else None, "value_type": "percentage" if code in percent_codes else "fixed_amount",
                         "allocation_method": "across", "target_selection": "all",
                         "target_type": "line_item" if code in percent_codes else "shipping_line"}
                        for code in o.codes]
        line_items = []
        for ln in o.lines:
            allocations = []
            if ln.discount and percent_codes:
                # Split the line's discount across the codes that applied to it, in application order.
                share = money(ln.discount / len(percent_codes))
                for k, _code in enumerate(percent_codes):
                    amount = share if k < len(percent_codes) - 1 else ln.discount - share * (len(percent_codes) - 1)
                    allocations.append({"amount": str(amount), "amount_set": money_set(amount),
                                        "discount_application_index": o.codes.index(_code)})
            line_items.append({"id": ln.line_id, "sku": ln.sku, "title": ln.name, "name": ln.name,
                               "quantity": ln.quantity, "price": str(ln.price), "price_set": money_set(ln.price),
                               "total_discount": str(ln.discount), "taxable": True, "gift_card": False,
                               "requires_shipping": True, "discount_allocations": allocations,
                               "tax_lines": [{"title": TAX_NAME[c.country], "rate": float(TAX_RATE[c.country]),
                                              "price": str(o.line_tax(ln))}],
                               "vendor": "Lumen & Co"})
        line_items += [{"id": g.line_id, "sku": g.sku, "title": g.name, "name": g.name, "quantity": g.quantity,
                        "price": str(g.price), "price_set": money_set(g.price), "total_discount": "0.00",
                        "taxable": False, "gift_card": True, "requires_shipping": False,
                        "discount_allocations": [], "tax_lines": [], "vendor": "Lumen & Co"} for g in o.gift_cards]
        refunds = []
        if o.refunded_lines and o.refund_at is not None:
            refunds.append({
                "id": o.order_id + 1, "order_id": o.order_id, "created_at": ts(o.refund_at), "note": None,
                "refund_line_items": [{"line_item_id": ln.line_id, "quantity": ln.quantity,
                                       "subtotal": str(money(ln.net)),
                                       "total_tax": str(o.line_tax(ln))} for ln in o.refunded_lines],
                "transactions": [{"kind": "refund", "status": "success", "gateway": "shopify_payments",
                                  "amount": str(o.refunded_amount), "currency": o.currency}],
                "order_adjustments": []})
        code_amounts = {code: Decimal("0") for code in o.codes}
        for item in line_items:
            for alloc in item["discount_allocations"]:
                code_amounts[o.codes[alloc["discount_application_index"]]] += Decimal(alloc["amount"])
        if SITEWIDE_CODES[1] in o.codes:
            code_amounts[SITEWIDE_CODES[1]] = o.shipping_discount
        ref = ""
        if "ref=" in o.landing_site:
            ref = o.landing_site.split("ref=")[1]
        return {
            "id": o.order_id, "admin_graphql_api_id": f"gid://shopify/Order/{o.order_id}", "name": o.name,
            "order_number": 1000 + o.seq, "email": None if o.no_email else c.email, "created_at": ts(o.created),
            "updated_at": ts(o.refund_at or o.cancelled_at or o.created), "processed_at": ts(o.created),
            "cancelled_at": ts(o.cancelled_at), "cancel_reason": "customer" if o.cancelled_at else None,
            "financial_status": o.financial_status, "currency": o.currency, "presentment_currency": o.currency,
            "subtotal_price": str(o.subtotal), "subtotal_price_set": money_set(o.subtotal),
            "total_line_items_price": str(sum((ln.price * ln.quantity for ln in o.lines + o.gift_cards),
                                              Decimal("0"))),
            "total_discounts": str(o.discount_amount), "total_discounts_set": money_set(o.discount_amount),
            "total_tax": str(o.taxes), "total_tax_set": money_set(o.taxes), "total_price": str(o.total),
            "total_price_set": money_set(o.total), "taxes_included": o.tax_inclusive, "test": o.test,
            "source_name": "pos" if o.no_email else "web",
            "landing_site": o.landing_site, "landing_site_ref": ref or None,
            "referring_site": o.referring_site or None, "tags": "",
            "customer": None if o.no_email else {"id": 7_100_000_000 + c.index, "email": c.email,
                                                 "first_name": c.first, "last_name": c.last,
                                                 "phone": c.phone or None},
            "phone": c.phone or None,
            "billing_address": address, "shipping_address": address,
            "discount_codes": [{"code": code, "amount": str(code_amounts[code]),
                                "type": "shipping" if code == SITEWIDE_CODES[1] else "percentage"}
                               for code in o.codes],
            "discount_applications": applications, "line_items": line_items,
            "shipping_lines": [{"title": "Standard", "price": str(o.shipping + o.shipping_discount),
                                "discounted_price": str(o.shipping)}],
            "refunds": refunds,
        }

    def flush_page(self, more: bool) -> None:
        if not self.page:
            return
        self.page_no += 1
        since = self.world.day(self.api_from)
        params = {"status": "any", "limit": 250, "updated_at_min": f"{since}T00:00:00-05:00"}
        headers = {}
        if more:
            headers["Link"] = (f"<https://lumen-and-co.myshopify.com/admin/api/2025-07/orders.json?limit=250"
                               f"&page_info=p{self.page_no + 1:05d}>; rel=\"next\"")
        doc = api_page("/admin/api/2025-07/orders.json", params, f"{self.world.end + timedelta(days=1)}T06:00:00Z",
                       {"orders": self.page})
        doc["headers"] = headers
        self.api.write(doc)
        self.page = []

    def close(self) -> None:
        self.flush_page(more=False)
        self.csv.close()
        self.api.close()
