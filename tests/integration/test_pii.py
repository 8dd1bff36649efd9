"""Personal data: no clear value anywhere (raw tables, quarantine, logs, errors), the PII key is required outside the
demo and pinned to the warehouse by its fingerprint, and `ingest rekey` re-derives every pseudonym."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.errors import MissingColumnError, PiiKeyMismatch
from ingest.pii import locate_line, rekey
from ingest.runs import load_with_results
from ingest.sources import ALL_SOURCES
from ingest.warehouse import key_fingerprint
from pipeline.settings import DEMO_PII_KEY
from tests.conftest import PII_TEST_KEY

NEW_KEY = "rotated-test-key"
PII_HEADERS = ("Email", "Billing Name", "Billing Address1", "Billing Phone", "Shipping Name", "Shipping Address1",
               "Shipping Phone")


def _export_rows(sample_landing: Path) -> list[list[str]]:
    export = sorted((sample_landing / "shopify" / "orders_export").glob("*.csv"))[0]
    with export.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _csv_line(fields: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(fields)  # a field with a line break is quoted
    return out.getvalue()[:-1]


def _bad_landing(sample_landing: Path, root: Path) -> tuple[Path, set[str], set[str]]:
    """A Shopify export whose unreadable and invalid rows carry customers' clear data, and an API page that is
    not valid JSON. Returns the landing folder, the clear values of those rows, and their order names."""
    header, *rows = _export_rows(sample_landing)
    col = {name: i for i, name in enumerate(header)}
    firsts = [r for r in rows if r[col["Billing Name"]] and r[col["Email"]]]
    cut, wide, bad_currency, shifted, *_ = firsts[20:]
    victims = [cut, wide, bad_currency, shifted]
    clear = {r[col[h]] for r in victims for h in PII_HEADERS if r[col[h]]}
    bad_currency = [*bad_currency]
    bad_currency[col["Currency"]] = "BTC"
    # A name typed in by hand without quotes: one value too many, and with the last value empty DuckDB alone would
    # read it as a trailing delimiter and load every later value one column on (the phone in a note column).
    phone = "+1 617 555 0123"
    clear |= {phone}
    shifted = [*shifted]
    shifted[col["Notes"]], shifted[-1] = f"Call before delivery: {phone}", ""
    first, last = shifted[col["Billing Name"]].split(" ", 1)
    shifted = [*shifted[:col["Billing Name"]], first, last, *shifted[col["Billing Name"] + 1:]]
    lines = [_csv_line(header), *(_csv_line(r) for r in firsts[:20]),
             _csv_line(cut[:col["Shipping Name"]]),  # cut short: a record with too few values
             _csv_line([*wide, "surplus", "fields"]), _csv_line(bad_currency), _csv_line(shifted)]
    folder = root / "shopify" / "orders_export"
    folder.mkdir(parents=True)
    (folder / "orders_export-bad.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")

    api_page = sorted((sample_landing / "shopify" / "orders_api").glob("*.jsonl"))[0]
    page = json.loads(api_page.read_text().splitlines()[0])
    orders = page["response"]["orders"][:3]
    clear |= {o["email"] for o in orders if o.get("email")}
    api = root / "shopify" / "orders_api"
    api.mkdir(parents=True)
    (api / "orders-bad.jsonl").write_text(json.dumps(page)[:-40] + "\n")  # cut: not valid JSON
    names = {r[col["Name"]] for r in victims} | {o["name"] for o in orders}
    return root, clear - {""}, names


def _text_columns(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("select table_schema, table_name, column_name from information_schema.columns "
                       "where data_type in ('VARCHAR', 'JSON') or data_type like '%[]'").fetchall()


def _containing(con: duckdb.DuckDBPyConnection, values: set[str]) -> list[str]:
    """Every text column of the warehouse holding any of the values, even inside a longer text."""
    found = []
    for schema, table, column in _text_columns(con):
        hits = con.execute(f'select count(*) from "{schema}"."{table}" t, unnest(?::varchar[]) v(value) '
                           f'where contains(t."{column}"::varchar, v.value)', [sorted(values)]).fetchall()[0][0]
        if hits:
            found.append(f"{schema}.{table}.{column}")
    return found


def test_rejected_rows_keep_no_clear_personal_data_anywhere(sample_landing: Path, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    landing, clear, names = _bad_landing(sample_landing, tmp_path / "landing")
    assert len(clear) >= 12
    warehouse = tmp_path / "w.duckdb"
    results = load_with_results(["shopify_orders_csv", "shopify_orders_api"], landing, warehouse, PII_TEST_KEY)
    assert sum(r.rows_quarantined for r in results) >= 4

    con = duckdb.connect(str(warehouse), read_only=True)
    quarantined = con.execute("select file_name, source_row, column_name, raw_value, reason, line_hash "
                              "from raw.quarantine").fetchall()
    leaks = _containing(con, clear | {PII_TEST_KEY})
    con.close()
    assert leaks == [], "clear personal data (or the key) in the warehouse"
    assert all(value not in caplog.text for value in clear), "clear personal data in the log"

    # Every rejected row is there, with a reason; an unreadable line is found again by its keyed hash.
    assert any("BTC" == q[3] and "ISO 4217" in q[4] for q in quarantined)
    hashed = [q for q in quarantined if q[5]]
    assert len(hashed) == 4, quarantined  # the cut line, the two over-long lines, the broken API page
    for file_name, _, _, raw_value, _, line_hash in hashed:
        assert raw_value is None
        [number] = locate_line(Path(file_name), line_hash, PII_TEST_KEY)
        line = Path(file_name).read_text(encoding="utf-8").split("\n")[number - 1]
        assert any(name in line for name in names)
    proc = _ingest_cli(["locate", hashed[0][0], hashed[0][5]], tmp_path, PIPELINE_PII_KEY=PII_TEST_KEY)
    assert proc.returncode == 0 and proc.stdout.startswith(f"{hashed[0][0]}: line "), proc.stderr


def test_a_file_that_fails_whole_names_no_personal_data(sample_landing: Path, tmp_path: Path) -> None:
    landing, clear, _ = _bad_landing(sample_landing, tmp_path / "landing")
    export = landing / "shopify" / "orders_export" / "orders_export-bad.csv"
    header, *rest = export.read_text().split("\n", 1)
    export.write_text(header.replace("Lineitem price", "Lineitem cost") + "\n" + rest[0])
    with pytest.raises(MissingColumnError) as err:
        load_with_results(["shopify_orders_csv"], landing, tmp_path / "w.duckdb", PII_TEST_KEY)
    assert "'Lineitem price' is missing" in str(err.value)
    assert all(value not in str(err.value) for value in clear)


def _ingest_cli(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("PIPELINE_PII_KEY", "PIPELINE_DEMO")}
    base.update(PIPELINE_DATA_DIR=str(tmp_path), PIPELINE_WAREHOUSE=str(tmp_path / "w.duckdb"), **env)
    return subprocess.run([sys.executable, "-m", "ingest.cli", *args], env=base, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("env, expected", [
    ({}, "error: PIPELINE_PII_KEY is not set: set it to a long random secret"),
    ({"PIPELINE_PII_KEY": DEMO_PII_KEY}, "error: PIPELINE_PII_KEY is the public demo key, which only `pipeline demo`"),
    ({"PIPELINE_PII_KEY": "abc"}, "error: PIPELINE_PII_KEY is 3 characters long, too short to keep the pseudonyms"),
], ids=["missing key", "demo key outside the demo", "a key short enough to guess"])
def test_outside_the_demo_a_real_key_is_required(env: dict[str, str], expected: str, sample_landing: Path,
                                                 tmp_path: Path) -> None:
    proc = _ingest_cli(["load", "creators", "--landing", str(sample_landing)], tmp_path, **env)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()], "one readable line, no traceback"
    assert proc.stderr.startswith(expected) and "docs/pii.md" in proc.stderr
    assert "abc" not in proc.stderr.replace("PIPELINE_PII_KEY", ""), "the key itself is never printed"
    assert not (tmp_path / "w.duckdb").exists(), "nothing was written"
    if not env:  # a new key would be refused on the demo's warehouse: say how to work on that one
        assert "run the command with PIPELINE_DEMO=1 instead" in proc.stderr


def test_the_demo_runs_without_a_key(sample_landing: Path, tmp_path: Path) -> None:
    proc = _ingest_cli(["load", "creators", "--landing", str(sample_landing)], tmp_path, PIPELINE_DEMO="1")
    assert proc.returncode == 0, proc.stderr
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("select fingerprint from raw.pii_key_fingerprint").fetchall() == [
        (key_fingerprint(DEMO_PII_KEY),)]
    con.close()


def test_a_different_key_is_refused_and_points_to_rekey(sample_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["creators"], sample_landing, warehouse, PII_TEST_KEY)
    with pytest.raises(PiiKeyMismatch, match=r"another PII key .* `ingest rekey`"):
        load_with_results(["shopify_orders_csv"], sample_landing, warehouse, NEW_KEY)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from raw.load_manifest where source <> 'creators'").fetchall()[0][0] == 0
    assert con.execute("select count(*) from raw.shopify_order_lines_csv").fetchall()[0][0] == 0
    con.close()
    proc = _ingest_cli(["load", "shopify_orders_csv", "--landing", str(sample_landing)], tmp_path,
                       PIPELINE_PII_KEY=NEW_KEY)
    assert proc.returncode == 1 and proc.stderr.startswith("error: warehouse ") and "`ingest rekey`" in proc.stderr
    assert NEW_KEY not in proc.stderr and PII_TEST_KEY not in proc.stderr, "a key is never printed"


def _raw_snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw table's rows without the load's id and time (a fresh load has its own)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = {f"raw.{s.table}": "* exclude (_load_id, _loaded_at)" for s in ALL_SOURCES.values()}
    tables |= {"raw.quarantine": "* exclude (load_id, quarantined_at)",
               "raw.load_manifest": "* exclude (load_id, started_at, finished_at)",
               "raw.pii_key_fingerprint": "fingerprint"}
    snapshot = {t: sorted(con.execute(f"select {cols} from {t}").fetchall(), key=repr) for t, cols in tables.items()}
    con.close()
    return snapshot


def test_rekey_gives_the_same_pseudonyms_as_a_fresh_load_with_the_new_key(sample_landing: Path, loaded_warehouse: Path,
                                                                         tmp_path: Path) -> None:
    # The sample as loaded and gated for the suite, plus an export whose bad lines are quarantined (their hashes are
    # keyed too), from a landing folder of its own.
    bad = _bad_landing(sample_landing, tmp_path / "bad")[0]
    groups = ["marketing", "shopify", "social"]
    warehouse, fresh = tmp_path / "w.duckdb", tmp_path / "fresh.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    load_with_results(["shopify"], bad, warehouse, PII_TEST_KEY)
    before = _raw_snapshot(warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    load_ids = con.execute("select load_id, started_at from raw.load_manifest order by 1").fetchall()
    con.close()

    assert rekey(warehouse, NEW_KEY) == len(load_ids)
    load_with_results(groups, sample_landing, fresh, NEW_KEY)
    load_with_results(["shopify"], bad, fresh, NEW_KEY)
    after = _raw_snapshot(warehouse)
    assert after == _raw_snapshot(fresh)
    assert after["raw.shopify_order_lines_csv"] != before["raw.shopify_order_lines_csv"], "pseudonyms changed"
    assert after["raw.load_manifest"] == before["raw.load_manifest"]
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select load_id, started_at from raw.load_manifest order by 1").fetchall() == load_ids, \
        "each file is reloaded as the load it was: lineage and the gate's records stay valid"
    con.close()
    assert not list(tmp_path.glob("w.duckdb.rekey*")), "no work file left behind"

    with pytest.raises(PiiKeyMismatch):
        load_with_results(groups, sample_landing, warehouse, PII_TEST_KEY)
    assert {r.status for r in load_with_results(groups, sample_landing, warehouse, NEW_KEY)} == {"skipped"}
    assert rekey(warehouse, NEW_KEY) is None, "already re-keyed: nothing to do"


def test_rekey_refuses_when_a_loaded_file_is_gone(sample_landing: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(sample_landing / "marketing", landing / "marketing")
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["marketing"], landing, warehouse, PII_TEST_KEY)
    (landing / "marketing" / "campaigns.csv").unlink()
    with pytest.raises(Exception, match=r"campaigns.csv: loaded as campaigns-.* but missing: .* restore it"):
        rekey(warehouse, NEW_KEY)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select fingerprint from raw.pii_key_fingerprint").fetchall() == [
        (key_fingerprint(PII_TEST_KEY),)], "the warehouse is untouched"
    con.close()


@pytest.mark.slow
def test_after_rekey_the_next_dbt_build_holds_only_new_pseudonyms(built_warehouse: Path, sample_landing: Path,
                                                                 tmp_path: Path) -> None:
    from pipeline.dbt import run_dbt
    from pipeline.settings import load_settings

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    snapshot_rows = con.execute("select count(*) from snapshots.creator_profiles_snapshot").fetchall()[0][0]
    con.close()
    rekey(warehouse, NEW_KEY)
    con = duckdb.connect(str(warehouse), read_only=True)
    schemas = {r[0] for r in con.execute("select schema_name from information_schema.schemata").fetchall()}
    assert not schemas & {"staging", "intermediate", "marts"}, "the old pseudonyms' derived tables are gone"
    assert con.execute("select count(*) from snapshots.creator_profiles_snapshot").fetchall()[0][0] == snapshot_rows
    con.close()

    run_dbt(dataclasses.replace(load_settings(), warehouse_path=warehouse), "build")  # no --full-refresh needed

    header, *rows = _export_rows(sample_landing)
    emails = sorted({r[header.index("Email")].strip() for r in rows if r[header.index("Email")]})[:200]

    def pseudonym(key: str, value: str) -> str:
        return hashlib.sha256(f"{key}:{value.lower()}".encode()).hexdigest()[:32]

    con = duckdb.connect(str(warehouse), read_only=True)
    found = {r[0] for r in con.execute("select distinct customer_email_hash from staging.stg_shopify__order_lines_csv "
                                       "where customer_email_hash in (select unnest(?::varchar[]))",
                                       [[pseudonym(NEW_KEY, e) for e in emails]]).fetchall()}
    assert len(found) == len(emails)
    old = {pseudonym(PII_TEST_KEY, e) for e in emails}
    stale = [c for c in _containing(con, old) if c.split(".")[0] in ("staging", "intermediate", "marts")]
    con.close()
    assert stale == []
