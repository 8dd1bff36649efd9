"""A load killed with SIGKILL at any moment leaves no partial batch, and the next run loads the file fully, once.
A re-key killed at any moment leaves the warehouse as it was, under the old key."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from ingest.pii import rekey
from ingest.runs import load_with_results
from ingest.warehouse import key_fingerprint
from tests.conftest import PII_TEST_KEY

# Each child says "started" once its imports are done, so every kill lands inside the load (or re-key) itself.
LOAD = ("import sys; from pathlib import Path; from ingest.runs import load_with_results; print('started', flush=True);"
        "load_with_results(['shopify_orders_csv'], Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])")
REKEY = ("import sys; from pathlib import Path; from ingest.pii import rekey; print('started', flush=True);"
         "rekey(Path(sys.argv[1]), sys.argv[2])")


def _started(script: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
    return proc
NEW_KEY = "rotated-test-key"


@pytest.fixture(scope="module")
def big_export(sample_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The sample export repeated 12 times under new order names: a load that takes a few seconds."""
    landing = tmp_path_factory.mktemp("big")
    folder = landing / "shopify" / "orders_export"
    folder.mkdir(parents=True)
    source = sorted((sample_landing / "shopify" / "orders_export").glob("*.csv"))[-1]
    out = folder / "orders_export-big.csv"
    con = duckdb.connect()
    con.execute(f"""copy (
        select * replace ('#' || k || '-' || substr("Name", 2) as "Name")
        from read_csv('{source}', all_varchar = true), range(12) as r(k)
    ) to '{out}' (header, quote '"', force_quote *)""")
    rows = con.execute(f"select count(*) from read_csv('{out}', all_varchar = true)").fetchall()[0][0]
    return landing, rows


def _state(warehouse: Path) -> tuple[int, int]:
    """(files in the manifest, raw rows) for the export."""
    if not warehouse.exists():
        return 0, 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        if not con.execute("select count(*) from information_schema.tables where table_name = 'load_manifest'"
                           ).fetchall()[0][0]:
            return 0, 0
        manifest = con.execute("select count(*) from raw.load_manifest").fetchall()[0][0]
        # Killed after the warehouse's own tables were made but before this source's table: no row can be there.
        if not con.execute("select count(*) from information_schema.tables where table_schema = 'raw' "
                           "and table_name = 'shopify_order_lines_csv'").fetchall()[0][0]:
            return manifest, 0
        raw = con.execute("select count(*) from raw.shopify_order_lines_csv").fetchall()[0][0]
        return manifest, raw
    finally:
        con.close()


def test_sigkill_mid_load_leaves_nothing_partial_and_the_rerun_loads_once(big_export, tmp_path: Path) -> None:
    landing, rows = big_export
    warehouse = tmp_path / "w.duckdb"
    started = time.perf_counter()
    load_with_results(["shopify_orders_csv"], landing, tmp_path / "timing.duckdb", PII_TEST_KEY)
    full_load = time.perf_counter() - started
    killed_states = []
    for fraction in (0.3, 0.5, 0.65, 0.75, 0.85, 0.92, 0.97):
        proc = _started(LOAD, str(landing), str(warehouse), PII_TEST_KEY)
        time.sleep(full_load * fraction)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        manifest, raw = _state(warehouse)
        killed_states.append((proc.returncode, manifest, raw))
        # All or nothing: either the file is recorded and every row is there, or neither.
        assert (manifest, raw) in ((0, 0), (1, rows)), killed_states
        if manifest:
            break
    print("kill outcomes (exit code, manifest files, raw rows):", killed_states, "full load", round(full_load, 2), "s")
    assert any(code == -signal.SIGKILL for code, _, _ in killed_states), "no load was actually killed"
    [result] = load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)
    assert _state(warehouse) == (1, rows)
    assert result.status in ("loaded", "skipped")
    [again] = load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)
    assert again.status == "skipped" and _state(warehouse) == (1, rows)


def _fingerprint(warehouse: Path) -> str:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("select fingerprint from raw.pii_key_fingerprint").fetchall()[0][0]
    finally:
        con.close()


def test_sigkill_mid_rekey_leaves_the_warehouse_whole_under_one_key(big_export, tmp_path: Path) -> None:
    landing, rows = big_export
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)
    timing = tmp_path / "timing.duckdb"
    shutil.copy(warehouse, timing)
    started = time.perf_counter()
    rekey(timing, NEW_KEY)
    full_rekey = time.perf_counter() - started
    old, new = key_fingerprint(PII_TEST_KEY), key_fingerprint(NEW_KEY)
    outcomes = []
    for fraction in (0.2, 0.5, 0.8, 0.95, 1.1):
        proc = _started(REKEY, str(warehouse), NEW_KEY)
        time.sleep(full_rekey * fraction)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        fingerprint = _fingerprint(warehouse)
        outcomes.append((proc.returncode, "new" if fingerprint == new else "old"))
        assert _state(warehouse) == (1, rows), outcomes  # whole, under exactly one key
        assert fingerprint in (old, new), outcomes
        if fingerprint == new:
            break
        # Killed before the swap: the warehouse is as it was, and loads with the old key go on.
        assert {r.status for r in load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)} == {
            "skipped"}
    print("rekey kill outcomes (exit code, key):", outcomes, "full rekey", round(full_rekey, 2), "s")
    assert any(code == -signal.SIGKILL for code, _ in outcomes), "no rekey was actually killed"
    if outcomes[-1][1] == "old":
        rekey(warehouse, NEW_KEY)  # the rerun finishes the job
    assert _fingerprint(warehouse) == new and _state(warehouse) == (1, rows)
    assert not list(tmp_path.glob("w.duckdb.rekey*")), "no work file left behind"
