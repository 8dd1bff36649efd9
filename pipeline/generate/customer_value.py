"""Planted customer-value cases: a creator whose new customers come back within 90 days ("loyal_customers") and one
whose new customers buy once with the code and never return ("one_off_customers"), for creator_customer_value.

Planted after every other case, from its own random stream, once the posts are written: each creator gets
CUSTOMERS_PER_CREATOR extra new customers whose first order uses the creator's code within days of one of their
sponsored posts (so no leak signal fires), early enough for the 90 days to end inside the data. A loyal customer
orders again 1-3 times inside the 90 days (organic orders, no code); a one-off customer buys a single item and is
never drawn again (their customer numbers are outside the pool the main order stream draws repeat buyers from). The
orders go to their own Shopify export file with their own order names and ids, so no other order, and no other
creator's data, moves. The two creators of a pair are chosen with about the same cost per expected new customer, so
it is the customers' behaviour that must rank the loyal one above the one-off one.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from pipeline.generate import text
from pipeline.generate.orders import (
    CSV_HEADER,
    LIST_RATE,
    SHOP_TZ,
    TAX_INCLUSIVE_COUNTRIES,
    TAX_RATE,
    Customer,
    Line,
    Order,
    OrderWriter,
    money,
)
from pipeline.generate.social import Intent
from pipeline.generate.world import Contract, World, rng_for
from pipeline.generate.writers import RotatingCsv

CUSTOMER_VALUE_CASES = ("loyal_customers", "one_off_customers")
WINDOW_DAYS = 90  # dbt var customer_value_window_days
CUSTOMERS_PER_CREATOR = 60
NEW_CUSTOMER_SHARE = 0.6  # of the orders a post drives (OrderWriter.pick_customer)
FIRST_CUSTOMER = 50_000_000  # customer numbers from here on are never drawn by the main order stream
COUNTRIES = ("US", "US", "US", "CA", "GB")  # inside every genuine creator's audience


class _Export(OrderWriter):
    """OrderWriter's CSV layout (csv_rows) writing to a Shopify export of its own; none of its streams or files."""

    def __init__(self, world: World, out: Path) -> None:
        # No super().__init__(): the main writer's random streams and files must stay untouched.
        self.world = world
        self.csv = RotatingCsv(
            out / "shopify" / "orders_export",
            "orders_export_customer_value",
            CSV_HEADER,
            world.scale.csv_lines_per_file,
            bom=True,
        )


def plant_customer_value(
    world: World, intents: dict[int, list[Intent]], delivered: dict[int, list[tuple[date, str]]], out: Path
) -> list[dict]:
    """Write the planted customers' orders; return the planted pairs (ground truth)."""
    r = rng_for(world.seed, "customer_value_cases")
    last_first_order = world.end - timedelta(days=WINDOW_DAYS)  # its 90 days end the day before the data does
    days = _first_order_days(world, delivered, last_first_order)
    cpa = _expected_cpa(world, intents, days)
    ranked = sorted(cpa, key=lambda creator: (cpa[creator], creator))
    pairs = sorted(zip(ranked[::2], ranked[1::2], strict=False), key=lambda p: (cpa[p[1]] / cpa[p[0]], p[0]))
    per_case = max(1, round(len(world.creators) * 0.01))
    export = _Export(world, out)
    truth, seq = [], 0
    for a, b in pairs[:per_case]:
        loyal, one_off = (a, b) if r.random() < 0.5 else (b, a)
        for creator_id, case in ((loyal, "loyal_customers"), (one_off, "one_off_customers")):
            for _ in range(CUSTOMERS_PER_CREATOR):
                contract, day = r.choice(days[creator_id])
                customer = _customer(r, FIRST_CUSTOMER + seq)
                orders = [(day, contract)]
                if case == "loyal_customers":
                    orders += [
                        (day + timedelta(days=r.randint(3, WINDOW_DAYS - 1)), None) for _ in range(r.randint(1, 3))
                    ]
                for order_day, code_contract in orders:
                    seq += 1
                    order = _order(r, seq, order_day, customer, code_contract, single=case == "one_off_customers")
                    export.csv.write_group(export.csv_rows(order))
        truth.append({"loyal_customers": loyal, "one_off_customers": one_off})
    export.csv.close()
    return truth


def _first_order_days(
    world: World, delivered: dict[int, list[tuple[date, str]]], last: date
) -> dict[str, list[tuple[Contract, date]]]:
    """Days a planted customer may first order, per eligible creator: up to 3 days after one of their sponsored posts,
    while the code is valid and the 90 days can end in the data. Eligible: genuine creators with no other planted role
    whose contracts pay no commission or bonus (the planted orders must not move their cost)."""
    taken = {c.creator_id for c in world.creators if c.case} | set(world.budget_cases)
    taken |= {k.creator_id for k in world.seeding_contracts} | set(world.rate_cases)
    by_creator: dict[str, list[int]] = {}
    for idx, k in enumerate(world.contracts):
        by_creator.setdefault(k.creator_id, []).append(idx)
    days: dict[str, list[tuple[Contract, date]]] = {}
    for creator_id, indexes in by_creator.items():
        contracts = [world.contracts[i] for i in indexes]
        if creator_id in taken or any(k.commission_rate != "0" or k.bonus_threshold_net_revenue for k in contracts):
            continue
        eligible = [
            (k, day)
            for i in indexes
            for posted, _ in delivered.get(i, [])
            for j in range(4)
            if (k := world.contracts[i]).code_valid_from
            <= (day := posted + timedelta(days=j))
            <= min(k.code_valid_to, last)
        ]
        if eligible:
            days[creator_id] = eligible
    return days


def _expected_cpa(
    world: World, intents: dict[int, list[Intent]], days: dict[str, list[tuple[Contract, date]]]
) -> dict[str, float]:
    """Each eligible creator's cost per expected new customer, planted ones included."""
    driven: dict[str, int] = {}
    for day_intents in intents.values():
        for intent in day_intents:
            if intent.channel in ("code", "link"):
                creator_id = world.contracts[intent.contract].creator_id
                driven[creator_id] = driven.get(creator_id, 0) + 1
    cost: dict[str, float] = {}
    for k in world.contracts:
        cost[k.creator_id] = (
            cost.get(k.creator_id, 0.0)
            + float(k.flat_fee)
            + float(k.paid_amplification)
            + k.gifted_units * float(k.unit_cost or 0)
            + float(k.gift_shipping_cost)
        )
    return {c: cost[c] / (CUSTOMERS_PER_CREATOR + NEW_CUSTOMER_SHARE * driven.get(c, 0)) for c in days if cost[c] > 0}


def _customer(r: random.Random, index: int) -> Customer:
    first, last = r.choice(text.FIRST_NAMES), r.choice(text.LAST_NAMES)
    country = r.choice(COUNTRIES)
    return Customer(
        index=index,
        email=f"{first}.{last}.{index}@example.com".lower(),
        first=first,
        last=last,
        phone="",
        country=country,
        city=r.choice(text.CITIES[country]),
        street=f"{r.randint(1, 400)} {r.choice(text.STREETS)}",
        zip=f"{r.randint(10000, 99999)}" if country == "US" else f"'{r.randint(1000, 9999)}",
    )


def _order(r: random.Random, seq: int, day: date, customer: Customer, contract: Contract | None, single: bool) -> Order:
    """A paid order; with ``contract``, through its code (a one-off buyer takes a single item)."""
    currency = text.CURRENCY_BY_COUNTRY[customer.country]
    products = r.sample(text.PRODUCTS, k=1 if single else r.choice((1, 2, 2, 3)))
    lines = [
        Line(
            13_900_000_000_000 + (seq * 5 + n) * 11,
            sku,
            name,
            1 if single else r.choice((1, 1, 2)),
            money(Decimal(price) * LIST_RATE[currency]),
        )
        for n, (sku, name, price) in enumerate(products)
    ]
    codes, landing, referrer = [], "/", ""
    if contract is not None:
        codes, referrer = [contract.code], "https://l.instagram.com/"
        for ln in lines:
            ln.discount = money(ln.price * ln.quantity * contract.discount_percent / 100)
    subtotal = sum((ln.net for ln in lines), Decimal("0"))
    shipping = Decimal("0") if subtotal >= 50 * LIST_RATE[currency] else money(Decimal("5.95") * LIST_RATE[currency])
    rate = TAX_RATE[customer.country]
    if customer.country in TAX_INCLUSIVE_COUNTRIES:
        taxes = money(subtotal * rate / (1 + rate)) + money(shipping * rate / (1 + rate))
    else:
        taxes = money(subtotal * rate)
    created = datetime.combine(day, time(r.randint(8, 22), r.randint(0, 59), r.randint(0, 59)), tzinfo=SHOP_TZ)
    return Order(
        seq=seq,
        order_id=5_900_000_000_000 + seq * 37,
        name=f"#CV{1000 + seq}",
        created=created,
        customer=customer,
        currency=currency,
        lines=lines,
        codes=codes,
        landing_site=landing,
        referring_site=referrer,
        shipping=shipping,
        shipping_discount=Decimal("0"),
        taxes=taxes,
        financial_status="paid",
        cancelled_at=None,
        refund_at=None,
    )
