"""The planted customer-value pair (pipeline/generate/customer_value.py) adds its own orders and moves nothing else: the
sample generated with and without it differs only in its own export file and the ground truth."""

from __future__ import annotations

import csv
import filecmp
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.generate import run
from pipeline.generate.customer_value import CUSTOMERS_PER_CREATOR, WINDOW_DAYS

PLANTED_EXPORT = "orders_export_customer_value-0001.csv"


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}


def test_the_pair_adds_its_own_orders_and_moves_no_other_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run.generate(tmp_path / "with", scale="S", seed=7)
    monkeypatch.setattr(run, "plant_customer_value", lambda *args, **kwargs: [])
    run.generate(tmp_path / "without", scale="S", seed=7)

    planted = Path("shopify") / "orders_export" / PLANTED_EXPORT
    assert _files(tmp_path / "with") - _files(tmp_path / "without") == {planted}
    changed = [
        f
        for f in _files(tmp_path / "without")
        if not filecmp.cmp(tmp_path / "with" / f, tmp_path / "without" / f, shallow=False)
    ]
    # the mark lists every file written (with their times), so it differs too
    assert sorted(map(str, changed)) == [".generated-sample", "ground_truth.json", "manifest.json"]

    (pair,) = json.loads((tmp_path / "with" / "ground_truth.json").read_text())["customer_value_cases"]
    codes = {}
    with (tmp_path / "with" / "marketing" / "code_assignments.csv").open() as fh:
        for row in csv.DictReader(fh):
            codes.setdefault(row["creator_id"], set()).add(row["code"])
    orders: dict[str, list[tuple[date, str]]] = {}
    with (tmp_path / "with" / planted).open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            if row["Email"] and row["Created at"]:  # an order's first line
                orders.setdefault(row["Email"], []).append(
                    (date.fromisoformat(row["Created at"][:10]), row["Discount Code"])
                )
    last_first_order = run.DEFAULT_END - timedelta(days=WINDOW_DAYS)
    by_code = {
        case: [o for o in orders.values() if sorted(o)[0][1] in codes[pair[case]]]
        for case in ("loyal_customers", "one_off_customers")
    }
    assert all(len(by_code[case]) == CUSTOMERS_PER_CREATOR for case in by_code)
    assert sum(map(len, by_code.values())) == len(orders), "every planted customer's first order uses a planted code"
    for history in (sorted(o) for o in orders.values()):
        assert history[0][0] <= last_first_order, "the 90 days end inside the data"
        assert all(not code and day - history[0][0] < timedelta(days=WINDOW_DAYS) for day, code in history[1:])
    assert all(len(o) >= 2 for o in by_code["loyal_customers"]), "a loyal customer comes back"
    assert all(len(o) == 1 for o in by_code["one_off_customers"]), "a one-off customer never does"
