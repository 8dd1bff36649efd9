"""The rate marts (rate_fairness, rate_review) in a real build of the sample: the mart gate refuses a rate flag that
contradicts its own range, a contract judged in range without its inputs, a price that is not int_contract_costs' and
a partner whose ROAS is not creator_roi's, so such a mart is never published. The planted over- and under-priced
creators and the growing partner are scored in test_planted_cases.py; the rules in the dbt unit tests
(_rate_fairness__unit_tests.yml)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.gate import QualityGateFailed, run_mart_gate


def test_the_mart_gate_refuses_rate_flags_that_contradict_their_range_or_the_costs(
    built_warehouse: Path, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        # An over-priced contract whose price is inside its range, an unknown one called in range, a price that is
        # not the contract's flat fee, a partner's ROAS that is not creator_roi's, and a partner judged on a campaign
        # that has not started.
        con.execute(
            "update marts.rate_fairness set pay_per_deliverable = market_low_per_deliverable "
            "where contract_id = (select min(contract_id) from marts.rate_fairness "
            "where rate_flag = 'over_priced')"
        )
        con.execute(
            "update marts.rate_fairness set rate_flag = 'in_range' "
            "where contract_id = (select min(contract_id) from marts.rate_fairness "
            "where rate_flag = 'unknown' and market_low_per_deliverable is null)"
        )
        con.execute(
            "update marts.rate_fairness set creator_pay = creator_pay + 1 where contract_id = "
            "(select max(contract_id) from marts.rate_fairness where rate_flag = 'in_range')"
        )
        con.execute(
            "update marts.rate_review set latest_roas = latest_roas * 2 "
            "where creator_id = (select min(creator_id) from marts.rate_review)"
        )
        con.execute(
            "update marts.creator_roi set campaign_start_date = "
            "(select as_of_date + 1 from intermediate.int_vetting_as_of) "
            "where creator_id = (select max(creator_id) from marts.rate_review) and campaign_id = "
            "(select latest_campaign_id from marts.rate_review order by creator_id desc limit 1)"
        )
    finally:
        con.close()
    with pytest.raises(QualityGateFailed) as failed:
        run_mart_gate(warehouse, tmp_path / "quality", "rate-fault")
    message = str(failed.value)
    for check in (
        "flags_disagreeing_with_range",
        "in_range_without_inputs",
        "contracts_not_reconciled_with_costs",
        "partners_not_reconciled_with_roi",
        "latest_campaign_not_started",
    ):
        assert check in message, check
    assert "check the contracts sheet and seed rate_card" in message
    assert "a rate review that disagrees with creator_roi" in message


def test_the_rate_marts_of_the_sample_pass_the_mart_gate_unchanged(built_warehouse: Path, tmp_path: Path) -> None:
    """The same checks on the real build pass: each is a fault, never the normal state of the sample."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    run_mart_gate(warehouse, tmp_path / "quality", "rate-clean")  # raises QualityGateFailed on any failed check
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        unknown_without_inputs = con.execute(
            "select count(*) from marts.rate_fairness "
            "where rate_flag = 'unknown' and market_low_per_deliverable is null"
        ).fetchall()[0][0]
    finally:
        con.close()
    assert unknown_without_inputs >= 1, "the sample has a contract the card cannot judge (no deliverables)"
