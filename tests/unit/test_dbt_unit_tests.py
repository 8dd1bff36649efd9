"""The dbt unit tests hold whatever the deployment sets: one that expects currency text pins the currency.

A site with PIPELINE_REPORTING_CURRENCY=EUR runs the unit tests on a full refresh; a test expecting "USD 240" without
pinning var reporting_currency then fails the site's build, though nothing is wrong with its data.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
AMOUNT_TEXT = re.compile(r"\b[A-Z]{3} \d")  # "USD 240", the form number_text's callers write


def _unit_tests() -> list[tuple[Path, dict]]:
    found = []
    for path in sorted(MODELS.rglob("*.yml")):
        for test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("unit_tests", []):
            found.append((path, test))
    return found


def test_a_unit_test_expecting_currency_text_pins_the_reporting_currency() -> None:
    tests = _unit_tests()
    assert len(tests) > 50, "the project's unit tests were not found"
    expecting = [(path, t) for path, t in tests if AMOUNT_TEXT.search(str(t.get("expect", {})))]
    assert expecting, "no unit test expects currency text, so this check proves nothing"
    unpinned = [f"{path.name}: {t['name']}" for path, t in expecting
                if "reporting_currency" not in (t.get("overrides") or {}).get("vars", {})]
    assert not unpinned, ("these unit tests expect currency text but take var reporting_currency from the environment, "
                          f"so PIPELINE_REPORTING_CURRENCY=EUR fails them: {unpinned}")
