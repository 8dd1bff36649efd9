"""The contracts template's exclusivity clause is optional: a file from before it loads unchanged, and a clause with
days but no competitor category is quarantined with its file, row, column and what to do."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

CLAUSE = "exclusivity_category,exclusivity_days_before,exclusivity_days_after"
CONTRACT_COLUMNS = ("contract_id,creator_id,campaign_id,currency,flat_fee,gifted_units,unit_cost,gift_shipping_cost,"
                    "commission_rate,bonus_threshold_net_revenue,bonus_amount,paid_amplification")


def _landing(root: Path, contracts: dict[str, str]) -> Path:
    folder = root / "marketing"
    folder.mkdir(parents=True)
    (folder / "creators.csv").write_text("creator_id,creator_name,home_country\ncr_1,Anna Smith,US\n")
    (folder / "campaigns.csv").write_text("campaign_id,campaign_name,start_date,end_date,target_countries\n"
                                          "cmp_1,Spring Glow,2026-03-15,2026-03-31,US\n")
    for name, text in contracts.items():
        (folder / name).write_text(text)
    return root


def test_contracts_without_the_clause_load_and_an_incomplete_clause_is_quarantined(tmp_path: Path) -> None:
    landing = _landing(tmp_path / "landing", {
        "contracts-2025.csv": f"{CONTRACT_COLUMNS}\nct_1,cr_1,cmp_1,USD,500,,,,,,,\n",
        "contracts-2026.csv": f"{CONTRACT_COLUMNS},{CLAUSE}\n"
                              "ct_2,cr_1,cmp_1,USD,500,,,,,,,,skincare,14,30\n"
                              "ct_3,cr_1,cmp_1,USD,500,,,,,,,,,7,\n"
                              "ct_4,cr_1,cmp_1,USD,500,,,,,,,,skincare,,\n",
    })
    warehouse = tmp_path / "w.duckdb"
    results = {Path(r.file).name: (r.rows_loaded, r.rows_quarantined)
               for r in load_with_results(["marketing"], landing, warehouse, PII_TEST_KEY) if r.source == "contracts"}
    assert results == {"contracts-2025.csv": (1, 0), "contracts-2026.csv": (2, 1)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select contract_id, exclusivity_category, exclusivity_days_before, exclusivity_days_after "
                           "from raw.contracts order by contract_id").fetchall()
        (reason,) = con.execute("select reason from raw.quarantine where source = 'contracts'").fetchall()[0]
    finally:
        con.close()
    assert rows == [("ct_1", None, None, None), ("ct_2", "skincare", 14, 30), ("ct_4", "skincare", None, None)]
    assert reason.startswith("contracts-2026.csv row 2: column `exclusivity_category`"), reason
    assert "empty while exclusivity days are set" in reason and "deliver the file again" in reason
