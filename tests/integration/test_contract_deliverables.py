"""Contract deliverables (the contract_deliverables template) load from a marketer's sheet, strictly: an unknown
contract, a format that is not one of the five, a count under 1 or a date in another shape is quarantined with its
file, row, column and what was expected; a file without the optional content_review column loads. The sample world's
delivery record (planted late and missing posts) is checked in test_planted_cases.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "contract_deliverables"


def test_deliverables_load_strictly_and_bad_rows_say_what_was_expected(tmp_path: Path) -> None:
    landing = shutil.copytree(FIXTURE, tmp_path / "landing")
    warehouse = tmp_path / "w.duckdb"
    results = {Path(r.file).name: (r.rows_loaded, r.rows_quarantined)
               for r in load_with_results(["marketing"], landing, warehouse, PII_TEST_KEY)
               if r.source == "contract_deliverables"}
    assert results == {"contract_deliverables-2026-03.csv": (4, 0), "contract_deliverables-2026-04.csv": (1, 4)}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select contract_id, format, posts, due_date::varchar, content_review "
                           "from raw.contract_deliverables order by all").fetchall()
        reasons = [r for (r,) in con.execute("select reason from raw.quarantine where source = 'contract_deliverables' "
                                             "order by reason").fetchall()]
    finally:
        con.close()
    assert rows == [("ct_1", "Instagram_Story", 3, "2026-03-20", "yes"),
                    ("ct_1", "instagram_post", 1, "2026-03-31", None),
                    ("ct_1", "instagram_reel", 2, "2026-03-20", "yes"),
                    ("ct_2", "tiktok_video", 1, "2026-03-25", "no"),
                    ("ct_2", "tiktok_video", 2, "2026-04-10", None)]
    expected = {
        "row 2: column `contract_id`": "a contract_id listed in contracts.csv",
        "row 3: column `format`": "one of instagram_post, instagram_reel, instagram_story, tiktok_video, youtube_video",
        "row 4: column `posts`": "a whole number of posts >= 1",
        "row 5: column `due_date`": "a date like 2026-03-01",
    }
    assert len(reasons) == len(expected), reasons
    for where, what in expected.items():
        reason = next((r for r in reasons if r.startswith(f"contract_deliverables-2026-04.csv {where}")), None)
        assert reason is not None and what in reason, (where, reasons)
