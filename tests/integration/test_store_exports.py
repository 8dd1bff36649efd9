"""Real store exports through the real ingest, raw gate and ``dbt build``, checked per order against values worked
out by hand (issue 10, the revenue rules in README).

The landing folder tests/fixtures/sources/shopify/store_exports/ holds three Shopify "Export orders" files in the
79-column layout: a tax-inclusive GBP store (VAT 20 %), a tax-exclusive USD store (8.875 % sales tax) and a KRW
store (VAT 10 %) with an order past 1,000,000, plus the marketing templates and FX rows they need. The marts are
built in KRW, so amounts past 1,000,000 go through every conversion (DECIMAL(18, x) overflowed there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import run_dbt
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY, dbt_target_of_its_own

LANDING = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "shopify" / "store_exports"

# Per order, in the order's currency: tax-inclusive?, gross, item discounts, refunds, net (all ex tax), the tax
# inside the merchandise, gift cards sold. Tax-inclusive stores: items tax = Taxes x merch / (merch + Shipping) and
# gross loses the same share, in cents. E.g. #UK1002: 5.99 x 31.00 / 35.95 = 5.17, net 31.00 - 5.17 = 25.83,
# gross 36.00 x 25.83 / 31.00 = 30.00 (its 5.00 discount is order-level only: Lineitem discount is empty).
ORDERS = {
    # VAT 11.70 inside 70.20 of merchandise; the 25.00 gift card is not revenue.
    "#UK1001": (True, "65.00", "6.50", "0.00", "58.50", "11.70", "25.00"),
    "#UK1002": (True, "30.00", "4.17", "0.00", "25.83", "5.17", "0.00"),
    # Refunded in full (26.95, shipping too): reversed exactly; pro rata would have refunded 22.45 of 18.33.
    "#UK1003": (True, "18.33", "0.00", "18.33", "0.00", "3.67", "0.00"),
    "#UK1004": (True, "25.00", "3.75", "0.00", "21.25", "4.25", "0.00"),  # pending
    "#UK1005": (True, "10.00", "0.00", "0.00", "10.00", "2.00", "0.00"),  # no email (POS)
    "#UK1006": (True, "20.00", "0.00", "0.00", "20.00", "4.00", "0.00"),  # no email (POS)
    "#UK1007": (True, "16.67", "0.00", "0.00", "16.67", "3.33", "0.00"),  # Total 0.50 above what adds up
    # Sales tax on top: net is the merchandise after discounts; the 50.00 digital gift card is out.
    "#US2001": (False, "92.00", "13.80", "0.00", "78.20", "0.00", "50.00"),
    # Refunded 15.24 with tax: its pre-tax share 15.24 x 73.00 / 79.48 = 14.00.
    "#US2002": (False, "73.00", "0.00", "14.00", "59.00", "0.00", "0.00"),
    "#US2003": (False, "21.00", "0.00", "0.00", "21.00", "0.00", "0.00"),
    # A shipped "Gift Card Holder" and a digital guide are merchandise, not gift cards.
    "#US2004": (False, "21.00", "0.00", "0.00", "21.00", "0.00", "0.00"),
    "#US2005": (False, "19.00", "0.00", "0.00", "19.00", "0.00", "0.00"),  # no email (POS)
    # 20 x 81,000 less 15 %: 1,377,000 with 125,182 VAT inside; gross 1,620,000 x 1,251,818 / 1,377,000.
    "#KR3001": (True, "1472727.06", "220909.06", "0.00", "1251818.00", "125182.00", "0.00"),
}

# In KRW (1 USD = 1,250 KRW = 0.80 GBP, so 1 GBP = 1,562.50 KRW): sale status, net revenue, pending revenue.
REPORTING = {
    "#UK1001": ("paid", "91406.25", "0.00"),  # 58.50 x 1,562.50
    "#UK1002": ("paid", "40359.38", "0.00"),  # 25.83 x 1,562.50 = 40,359.375, half away from zero
    "#UK1003": ("paid", "0.00", "0.00"),
    "#UK1004": ("pending", "0.00", "33203.13"),  # 21.25 x 1,562.50 = 33,203.125
    "#UK1005": ("paid", "15625.00", "0.00"),
    "#UK1006": ("paid", "31250.00", "0.00"),
    "#UK1007": ("paid", "26046.88", "0.00"),
    "#US2001": ("paid", "97750.00", "0.00"),
    "#US2002": ("paid", "73750.00", "0.00"),
    "#US2003": ("paid", "26250.00", "0.00"),
    "#US2004": ("paid", "26250.00", "0.00"),
    "#US2005": ("paid", "23750.00", "0.00"),
    "#KR3001": ("paid", "1251818.00", "0.00"),
}


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    work = tmp_path_factory.mktemp("store_exports")
    warehouse = work / "warehouse.duckdb"
    results = load_with_results(["marketing", "shopify"], LANDING, warehouse, PII_TEST_KEY)
    assert sum(r.rows_quarantined for r in results) == 0
    assert sum(r.rows_loaded for r in results if r.source == "shopify_orders_csv") == 19  # line items, 3 files
    assert run_raw_gate(warehouse, work / "quality", "store-exports") == []
    with dbt_target_of_its_own(work / "dbt-target"):  # the reporting currency: a var of dbt_project.yml
        settings = dataclasses.replace(load_settings(), warehouse_path=warehouse, reporting_currency="KRW")
        # The ROI models and everything upstream, with their tests (cautious: not the tests of unbuilt models).
        run_dbt(settings, "build", "--select", "+creator_roi", "--indirect-selection", "cautious")
    con = duckdb.connect(str(warehouse), read_only=True)
    yield con
    con.close()


def _rows(con: duckdb.DuckDBPyConnection, columns: str) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in con.execute(f"select order_name, {columns} from marts.order_attribution").fetchall()}


def test_net_revenue_ex_tax_per_order_in_both_stores(marts) -> None:
    got = _rows(marts, "is_tax_inclusive, gross_revenue, item_discounts, refunds_ex_tax, net_revenue, items_tax, "
                       "gift_card_sales")
    expected = {name: (row[0], *map(Decimal, row[1:])) for name, row in ORDERS.items()}
    assert got == expected


def test_sales_only_pending_apart_refunded_is_zero_in_the_reporting_currency(marts) -> None:
    got = _rows(marts, "sale_status, net_revenue_reporting, pending_revenue_reporting")
    assert got == {name: (status, Decimal(net), Decimal(pending)) for name, (status, net, pending) in REPORTING.items()}
    refunded = _rows(marts, "net_revenue, gross_revenue_reporting - refunds_reporting, is_refund_over_sale")["#UK1003"]
    assert refunded == (Decimal("0.00"), Decimal("0.00"), False)


def test_orders_without_email_are_neither_merged_nor_new_customers(marts) -> None:
    got = _rows(marts, "customer_key, is_first_order_of_customer")
    no_email = {"#UK1005", "#UK1006", "#US2005"}
    assert {name: got[name] for name in no_email} == {name: (None, False) for name in no_email}
    # The same customer in two stores (the address typed differently): one key, one first order.
    assert got["#US2003"][0] == got["#UK1001"][0] is not None
    assert (got["#UK1001"][1], got["#US2003"][1]) == (True, False)
    # Every other paid order is its customer's first (the pending one is not a sale yet).
    firsts = {name for name, (_, first) in got.items() if first}
    assert firsts == set(ORDERS) - no_email - {"#US2003", "#UK1004"}


def test_amount_mismatch_flags_only_the_inconsistent_order(marts) -> None:
    got = _rows(marts, "is_amount_mismatch, total_difference, discount_difference")
    assert {name for name, (flag, _, _) in got.items() if flag} == {"#UK1007"}
    assert got["#UK1007"][1:] == (Decimal("0.50"), Decimal("0.00"))
    consistent = {name: row[1:] for name, row in got.items() if name != "#UK1007"}
    assert consistent == {name: (Decimal("0.00"), Decimal("0.00")) for name in consistent}


def test_won_amounts_past_a_million_stay_decimal_in_roi(marts) -> None:
    """The KRW order and the KRW fee (1,500,000) through order_attribution, int_contract_costs and creator_roi."""
    row = marts.execute("""
        select orders, code_orders, new_customers, gross_revenue, discounts, net_revenue, pending_orders,
               pending_revenue, fee_cost, commission_cost, creator_cost, roi, typeof(net_revenue)
        from marts.creator_roi where creator_id = 'cr_anna' and campaign_id = 'cmp_spring'""").fetchall()
    # #US2001 and #KR3001 by code ANNA15 (#UK1004 is pending): 97,750.00 + 1,251,818.00 in KRW;
    # commission 12 % = 161,948.16; ROI (1,349,568.00 - 1,661,948.16) / 1,661,948.16.
    assert row == [(2, 2, 2, Decimal("1587727.06"), Decimal("238159.06"), Decimal("1349568.00"), 1,
                    Decimal("33203.13"), Decimal("1500000.00"), Decimal("161948.16"), Decimal("1661948.16"),
                    pytest.approx(-0.1880), "DECIMAL(38,2)")]
