"""Whole-file JSON (a ``.json`` file: one object or an array of records, usually pretty-printed) through the real
loader and CLI: each array element is one record numbered from 1, a large array loads within the memory cap, and a
file no source's pattern matches is named by ``ingest load`` instead of being skipped silently.

Truncated and non-JSON ``.json`` files are in the bad-input corpus (tests/fixtures/bad_inputs/tiktok/scraper/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ingest.loader import JSON_CHUNK_BYTES, MAX_JSON_LINE_BYTES
from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY


def _item(video_id: str, **extra: object) -> dict[str, object]:
    """An Apify tiktok-scraper item with the fields the source reads."""
    return {"id": video_id, "text": "Cable stitch in 60 seconds #knitting", "createTime": 1778522400,
            "authorMeta": {"id": "6900000000000000004", "name": "noor.knits", "fans": "9,870"},
            "playCount": "48.3K", "diggCount": "2.1K", "commentCount": 131, "shareCount": 64, **extra}


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_each_array_element_is_one_record_numbered_from_1(tmp_path: Path) -> None:
    download = tmp_path / "landing" / "tiktok" / "scraper" / "dataset_tiktok-scraper_2026-05-14_08-30-00-000.json"
    download.parent.mkdir(parents=True)
    elements = [_item("7365000000000000401"), "rate limited", _item("7365000000000000402", id=None),
                _item("7365000000000000403")]
    download.write_text(json.dumps(elements, indent=2))
    warehouse = tmp_path / "w.duckdb"
    [result] = load_with_results(["tiktok_scraper_videos_json"], tmp_path / "landing", warehouse, PII_TEST_KEY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
    assert _rows(warehouse, "select _source_row, video_id, view_count from raw.tiktok_scraper_videos order by 1") == [
        (1, "7365000000000000401", 48_300), (4, "7365000000000000403", 48_300)]
    assert _rows(warehouse, "select source_row, column_name, reason like '% row %: unexpected JSON shape%' from "
                 "raw.quarantine order by 1") == [(2, "(line)", True), (3, "video_id", False)]


def test_a_large_array_loads_element_by_element_within_the_memory_cap(tmp_path: Path, monkeypatch) -> None:
    """Larger than the reader's limit for one document, and than several parse chunks: read as one document it
    would fail; streamed element by element and parsed in chunks, it loads under a 160 MB cap."""
    download = tmp_path / "landing" / "tiktok" / "scraper" / "dataset_tiktok-scraper_2026-05-15_06-00-00-000.json"
    download.parent.mkdir(parents=True)
    count = 80_000
    with download.open("w") as fh:
        fh.write("[\n")
        for n in range(count):
            fh.write(json.dumps(_item(str(7365000000000000000 + n), text="x" * 300), indent=2))
            fh.write(",\n" if n < count - 1 else "\n]\n")
    assert download.stat().st_size > max(MAX_JSON_LINE_BYTES, 2 * JSON_CHUNK_BYTES)
    monkeypatch.setenv("PIPELINE_INGEST_MEMORY_LIMIT", "160MB")
    warehouse = tmp_path / "w.duckdb"
    [result] = load_with_results(["tiktok_scraper_videos_json"], tmp_path / "landing", warehouse, PII_TEST_KEY)
    assert (result.rows_loaded, result.rows_quarantined) == (count, 0)
    # Element n is record n + 1: the order of the file is kept across chunks.
    assert _rows(warehouse, "select count(*) from raw.tiktok_scraper_videos "
                 "where video_id::hugeint - 7365000000000000000 <> _source_row - 1") == [(0,)]


def test_ingest_load_names_a_file_that_matches_no_pattern(tmp_path: Path) -> None:
    """An Excel file saved into tiktok/scraper/ is not loaded, and `ingest load` says so, with the patterns the
    folder takes; the folder's good files still load. Hidden files (.DS_Store) are not deliveries."""
    scraper = tmp_path / "landing" / "tiktok" / "scraper"
    scraper.mkdir(parents=True)
    (scraper / "dataset_tiktok-scraper_2026-05-14_08-30-00-000.json").write_text(
        json.dumps([_item("7365000000000000401")], indent=2))
    (scraper / "export.xlsx").write_bytes(b"PK\x03\x04 an Excel workbook")
    (scraper / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    env.update(PIPELINE_DATA_DIR=str(tmp_path), PIPELINE_WAREHOUSE=str(tmp_path / "w.duckdb"),
               PIPELINE_PII_KEY=PII_TEST_KEY)
    proc = subprocess.run([sys.executable, "-m", "ingest.cli", "load", "social", "--landing",
                           str(tmp_path / "landing")], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (f"warning: {scraper / 'export.xlsx'}: matches no source's file pattern, so it was not loaded; files in "
            "its folder load as tiktok/scraper/*.jsonl, tiktok/scraper/*.json, tiktok/scraper/*.csv") in proc.stderr
    assert ".DS_Store" not in proc.stderr
    assert "files loaded: 1" in proc.stdout
