"""Reconciliation: ROI recomputed from the generator's files by an independent plain-Python implementation of
the metric contract (no SQL, no dbt, no DuckDB), matched to the cent against the dbt marts."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

SITEWIDE = {"WELCOME10", "FREESHIP"}
BRAND = "@lumenandco"
WINDOW_DAYS = 30
CENT = Decimal("0.01")


def d(value: str) -> Decimal:
    return Decimal(value) if value not in ("", None) else Decimal(0)


def day(value: str) -> date:
    return date.fromisoformat(value[:10])  # both formats start with the shop-local date


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


class Fx:
    """Units per USD on business days; any other day uses the last published rate before it."""

    def __init__(self, rows: list[dict]) -> None:
        self.rates: dict[str, dict[date, Decimal]] = defaultdict(dict)
        for r in rows:
            self.rates[r["quote_currency"]][date.fromisoformat(r["rate_date"])] = Decimal(r["rate"])

    def units_per_usd(self, currency: str, on: date) -> Decimal:
        if currency == "USD":
            return Decimal(1)
        known = self.rates[currency]
        while on not in known:
            on -= timedelta(days=1)
        return known[on]

    def to_usd(self, amount: Decimal, currency: str, on: date) -> Decimal:
        rate = Decimal(float(self.units_per_usd("USD", on)) / float(self.units_per_usd(currency, on)))
        rate = rate.quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
        return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def half_up(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def ex_tax_net(status: str, merch_subtotal: Decimal, items_tax: Decimal, refunds: Decimal | None,
               refunded_with_tax: Decimal, paid_for_merch: Decimal) -> Decimal:
    """Net revenue ex tax: merchandise after discounts less its tax, less refunds (all of it when refunded)."""
    items_ex_tax = merch_subtotal - items_tax
    if status == "refunded":
        return Decimal(0)
    if refunds is None:  # CSV: the pre-tax share of the Refunded Amount
        refunds = half_up(refunded_with_tax * items_ex_tax / paid_for_merch) if refunded_with_tax else Decimal(0)
    return items_ex_tax - refunds


def csv_order(rows: list[dict]) -> dict:
    first = rows[0]
    gift = sum((d(r["Lineitem price"]) * int(r["Lineitem quantity"]) for r in rows
                if r["Lineitem requires shipping"] == "false" and "gift card" in r["Lineitem name"].lower()),
               Decimal(0))
    subtotal, shipping, taxes, total = (d(first[k]) for k in ("Subtotal", "Shipping", "Taxes", "Total"))
    merch = subtotal - gift
    inclusive = taxes > 0 and abs(total - (subtotal + shipping)) < abs(total - (subtotal + shipping + taxes))
    items_tax = half_up(taxes * merch / (merch + shipping)) if inclusive and merch + shipping else Decimal(0)
    net = ex_tax_net(first["Financial Status"], merch, items_tax, None, d(first["Refunded Amount"]),
                     merch + (0 if inclusive else taxes))
    landing_site = ""
    for line in first["Note Attributes"].splitlines():
        if line.startswith("landing_site: "):
            landing_site = line.removeprefix("landing_site: ")
    return {"date": day(first["Created at"]), "currency": first["Currency"], "net": net,
            "codes": [c.strip().upper() for c in first["Discount Code"].split(",") if c.strip()],
            "landing": landing_site,
            "sale": first["Financial Status"] not in ("voided", "pending", "authorized") and not first["Cancelled at"]}


def api_order(o: dict) -> dict:
    inclusive = bool(o.get("taxes_included"))
    merch = [x for x in o["line_items"] if not x.get("gift_card")]
    gift_ids = {x["id"] for x in o["line_items"] if x.get("gift_card")}
    subtotal = sum((d(x["price"]) * x["quantity"] - sum((d(a["amount"]) for a in x["discount_allocations"]), Decimal(0))
                    for x in merch), Decimal(0))
    items_tax = sum((d(t["price"]) for x in merch for t in x.get("tax_lines", [])), Decimal(0)) if inclusive else 0
    refunds = sum((d(x["subtotal"]) - (d(x["total_tax"]) if inclusive else 0)
                   for r in o["refunds"] for x in r["refund_line_items"] if x["line_item_id"] not in gift_ids),
                  Decimal(0))
    return {"date": day(o["created_at"]), "currency": o["currency"],
            "net": ex_tax_net(o["financial_status"], subtotal, items_tax, refunds, Decimal(0), Decimal(1)),
            "codes": [c["code"].upper() for c in o["discount_codes"]], "landing": o["landing_site"] or "",
            "sale": not o["test"] and o["financial_status"] not in ("voided", "pending", "authorized")
            and not o["cancelled_at"]}


def load_orders(landing: Path) -> dict[str, dict]:
    """Net revenue by the README's revenue rules: sales only, gift cards out, tax out in both store kinds."""
    lines: dict[str, list[dict]] = defaultdict(list)
    for file in sorted((landing / "shopify" / "orders_export").glob("*.csv")):
        for row in read_csv(file):
            lines[row["Name"]].append(row)
    orders = {name: csv_order(rows) for name, rows in lines.items()}
    for file in sorted((landing / "shopify" / "orders_api").glob("*.jsonl")):
        for line in file.read_text().splitlines():
            for o in json.loads(line)["response"]["orders"]:
                orders[o["name"]] = api_order(o)
    return orders


def sponsored_post_dates(landing: Path, creators: list[dict]) -> dict[str, set[date]]:
    owner = {}
    for c in creators:
        for key in ("instagram_user_id", "tiktok_open_id", "youtube_channel_id"):
            if c[key]:
                owner[c[key]] = c["creator_id"]
    posts: dict[str, set[date]] = defaultdict(set)

    def add(account: str, caption: str, when: date) -> None:
        if BRAND in (caption or "").lower() and account in owner:
            posts[owner[account]].add(when)

    for file in (landing / "instagram").glob("media-*.jsonl"):
        for line in file.read_text().splitlines():
            page = json.loads(line)
            for m in page["response"]["data"]:
                add(page["request"]["account"], m["caption"], day(m["timestamp"]))
    for file in (landing / "tiktok").glob("video_list*.jsonl"):
        for line in file.read_text().splitlines():
            page = json.loads(line)
            for v in page["response"]["data"]["videos"]:
                posted = datetime.fromtimestamp(v["create_time"], tz=UTC).date()
                add(page["request"]["account"], v["video_description"], posted)
    for file in (landing / "youtube").glob("videos*.jsonl"):
        for line in file.read_text().splitlines():
            for v in json.loads(line)["response"]["items"]:
                add(v["snippet"]["channelId"], v["snippet"]["description"], day(v["snippet"]["publishedAt"]))
    return posts


def expected_roi(landing: Path) -> tuple[dict[str, dict], Decimal, Decimal]:
    m = landing / "marketing"
    creators, contracts = read_csv(m / "creators.csv"), read_csv(m / "contracts.csv")
    campaigns = {c["campaign_id"]: c for c in read_csv(m / "campaigns.csv")}
    codes = defaultdict(list)
    for a in read_csv(m / "code_assignments.csv"):
        codes[a["code"].upper()].append(a)
    links = {a["link_id"].lower(): a for a in read_csv(m / "link_assignments.csv")}
    fx = Fx(read_csv(landing / "fx" / "fx_rates.csv"))
    posts = sponsored_post_dates(landing, creators)
    touches = defaultdict(set)
    for creator, dates in posts.items():
        touches[creator] |= dates
    for a in links.values():
        touches[a["creator_id"]].add(date.fromisoformat(campaigns[a["campaign_id"]]["start_date"]))

    revenue: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    total_valid, attributed_plus_none = Decimal(0), Decimal(0)
    for o in load_orders(landing).values():
        if not o["sale"]:
            continue
        net = fx.to_usd(o["net"], o["currency"], o["date"])
        total_valid += net
        attributed_plus_none += net
        winner = None
        for code in o["codes"]:  # first creator code valid on the order date wins
            if code in SITEWIDE:
                continue
            for a in codes.get(code, []):
                if date.fromisoformat(a["valid_from"]) <= o["date"] <= date.fromisoformat(a["valid_to"]):
                    winner = (a["creator_id"], a["campaign_id"])
                    break
            if winner:
                break
        if winner is None:
            ref = (parse_qs(urlparse(o["landing"]).query).get("ref") or [""])[0].lower()
            a = links.get(ref)
            if a and date.fromisoformat(a["valid_from"]) <= o["date"] <= date.fromisoformat(a["valid_to"]) and any(
                    o["date"] - timedelta(days=WINDOW_DAYS) <= t <= o["date"] for t in touches[a["creator_id"]]):
                winner = (a["creator_id"], a["campaign_id"])
        if winner:
            revenue[winner] += net

    result = {}
    for k in contracts:
        net = revenue[(k["creator_id"], k["campaign_id"])]
        cost = (d(k["flat_fee"]) + d(k["gifted_units"]) * d(k["unit_cost"]) + d(k["gift_shipping_cost"])
                + (d(k["commission_rate"]) * net).quantize(CENT, ROUND_HALF_UP) + d(k["paid_amplification"]))
        if k["bonus_threshold_net_revenue"] and net >= d(k["bonus_threshold_net_revenue"]):
            cost += d(k["bonus_amount"])
        result[k["contract_id"]] = {"net_revenue": net, "creator_cost": cost,
                                    "roi": None if cost == 0 else float((net - cost) / cost)}
    return result, total_valid, attributed_plus_none


@pytest.fixture(scope="module")
def marts(built_warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


def test_roi_matches_an_independent_recomputation_to_the_cent(sample_landing: Path, marts) -> None:
    expected, _, _ = expected_roi(sample_landing)
    got = {r[0]: r[1:] for r in marts.execute(
        "select contract_id, net_revenue, creator_cost, roi from marts.creator_roi").fetchall()}
    assert set(got) == set(expected)
    assert sum(1 for e in expected.values() if e["net_revenue"] > 0) >= 20, "the sample must exercise attribution"
    for contract, e in expected.items():
        net, cost, roi = got[contract]
        assert (net, cost) == (e["net_revenue"], e["creator_cost"]), contract
        assert (roi is None) == (e["roi"] is None), contract
        if roi is not None:
            assert abs(roi - e["roi"]) < 1e-4, contract


def test_attributed_plus_unattributed_equals_total_valid_net_revenue(sample_landing: Path, marts) -> None:
    _, total_valid, _ = expected_roi(sample_landing)
    by_rule = dict(marts.execute("select attribution_rule, sum(net_revenue_reporting) from marts.order_attribution "
                                 "group by 1").fetchall())
    mart_valid = marts.execute("select sum(net_revenue_reporting) from marts.order_attribution where is_valid"
                               ).fetchall()[0][0]
    assert by_rule["code"] + by_rule["link"] + by_rule["none"] == mart_valid == total_valid


def test_won_and_yen_orders_convert_to_the_cent(sample_landing: Path, marts) -> None:
    """KRW and JPY orders, some past 1,000,000 (a DECIMAL(18, x) product overflowed there), in USD per order."""
    fx = Fx(read_csv(sample_landing / "fx" / "fx_rates.csv"))
    orders = {name: o for name, o in load_orders(sample_landing).items() if o["currency"] in ("KRW", "JPY")}
    assert any(o["sale"] and o["net"] >= 1_000_000 for o in orders.values()), "the sample must hold a big KRW order"
    expected = {name: fx.to_usd(o["net"], o["currency"], o["date"]) if o["sale"] else Decimal(0)
                for name, o in orders.items()}
    got = dict(marts.execute("select order_name, net_revenue_reporting from marts.order_attribution "
                             "where currency in ('KRW', 'JPY')").fetchall())
    assert got == expected
