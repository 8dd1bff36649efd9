"""The seeding marts (seeding_performance, seeding_programme) in a real build of the sample: the mart gate refuses a
seeding mart that disagrees with creator_roi or with itself, so it is never published. The planted gifts never posted
about are scored in test_planted_cases.py; the rules in the dbt unit tests (_seeding__unit_tests.yml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.gate import QualityGateFailed, run_mart_gate


def test_the_mart_gate_refuses_seeding_figures_that_disagree_with_creator_roi(
    built_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        # A post counted that creator_roi does not count, a creator shown as posted without a post, a programme
        # total that is not the sum of its creators and a post rate over 100%.
        con.execute(
            "update marts.seeding_performance set posts = posts + 1 where contract_id = "
            "(select min(contract_id) from marts.seeding_performance where has_posted)"
        )
        con.execute(
            "update marts.seeding_performance set has_posted = true where contract_id = "
            "(select min(contract_id) from marts.seeding_performance where not has_posted)"
        )
        con.execute("update marts.seeding_programme set creators_posted = creators_gifted + 1, post_rate = 1.5")
    finally:
        con.close()
    with pytest.raises(QualityGateFailed) as failed:
        run_mart_gate(warehouse, tmp_path / "quality", "seeding-fault")
    message = str(failed.value)
    for check in (
        "rows_not_reconciled_with_roi",
        "posted_not_matching_posts",
        "campaigns_not_summing_up",
        "post_rate_out_of_range",
    ):
        assert check in message, check
    assert "rebuild with dbt and check the contracts sheet" in message
