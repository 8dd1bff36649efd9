"""The exclusivity-breach list (contract_exclusivity_breaches) against the sample's planted breaches, and the mart
gate that keeps a wrong list from being published: a breach outside its window, or a list that disagrees with the
breach counts creator_vetting judges creators by."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.gate import QualityGateFailed, run_mart_gate

FIRST = "(select min(post_id) from marts.contract_exclusivity_breaches)"


def test_each_planted_breach_is_listed_with_its_post_as_evidence(truth: dict, con) -> None:
    planted = [p for p in truth["competitor_posts"] if p["contract_id"]]
    assert planted, "the sample should hold a planted breach"
    rows = con.execute("""
        select contract_id, post_id, posted_date, competitor_brands, post_url, window_start, window_end, detail
        from marts.contract_exclusivity_breaches""").fetchall()
    listed = {(r[0], r[1]): r[2:] for r in rows}
    for p in planted:
        day, brands, url, start, end, detail = listed[(p["contract_id"], p["post_id"])]
        assert str(day) == p["date"] and p["competitor"] in brands and start <= day <= end
        assert url.startswith("https://www.instagram.com/p/") and p["post_id"] in detail
    assert {post for _, post, *_ in rows} == {p["post_id"] for p in planted}, "only planted breach posts are listed"


@pytest.mark.parametrize(("tamper", "check"), [
    (f"update marts.contract_exclusivity_breaches set posted_date = window_end + 1 where post_id = {FIRST}",
     "breaches_outside_window"),
    (f"delete from marts.contract_exclusivity_breaches where post_id = {FIRST}", "accounts_disagreeing_with_vetting"),
    ("insert into marts.contract_exclusivity_breaches select * from marts.contract_exclusivity_breaches limit 1",
     "duplicate_breaches"),
])
def test_the_mart_gate_refuses_a_wrong_breach_list(built_warehouse: Path, tmp_path: Path, tamper: str,
                                                   check: str) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(tamper)
    con.close()
    with pytest.raises(QualityGateFailed, match=check):
        run_mart_gate(warehouse, tmp_path / "quality", "test")
