"""docs/reliability.md promises a test for every fault it lists: each test it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_test_the_reliability_table_names_exists() -> None:
    text = (ROOT / "docs" / "reliability.md").read_text()
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)", text)
    assert len(named) > 40
    missing = [f"{file}::{name}" for file, name in named
               if not (ROOT / file).is_file() or not re.search(rf"^(async )?def {name}\(", (ROOT / file).read_text(),
                                                               re.MULTILINE)]
    assert missing == [], f"docs/reliability.md names tests that do not exist: {missing}"
