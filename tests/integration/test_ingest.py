"""Ingest into a real DuckDB file: idempotence, row accounting, quarantine, missing columns, PII."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.errors import MissingColumnError, WarehouseSchemaError
from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY


def test_every_file_accounts_for_every_row(loaded_warehouse: Path) -> None:
    con = duckdb.connect(str(loaded_warehouse), read_only=True)
    bad = con.execute("select file_name from raw.load_manifest where rows_read <> rows_loaded + rows_quarantined"
                      ).fetchall()
    per_source = dict(con.execute("select source, count(*) from raw.load_manifest group by 1").fetchall())
    raw_lines = con.execute("select count(*) from raw.shopify_order_lines_csv").fetchall()[0][0]
    manifest_lines = con.execute("select sum(rows_loaded) from raw.load_manifest where source = "
                                 "'shopify_orders_csv'").fetchall()[0][0]
    con.close()
    assert bad == []
    assert per_source["shopify_orders_csv"] >= 1 and per_source["instagram_media_insights"] >= 1
    assert raw_lines == manifest_lines


def test_reloading_same_files_is_a_no_op(sample_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    first = load_with_results(["marketing", "shopify"], sample_landing, warehouse, PII_TEST_KEY)
    second = load_with_results(["marketing", "shopify"], sample_landing, warehouse, PII_TEST_KEY)
    assert {r.status for r in first} == {"loaded"}
    assert {r.status for r in second} == {"skipped"}
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*) from raw.load_manifest").fetchall()[0][0] == len(first)
    con.close()


def test_bad_rows_are_quarantined_and_good_rows_still_land(sample_landing: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "marketing").mkdir(parents=True)
    for template in ("creators.csv", "campaigns.csv"):  # contracts must name known creators and campaigns
        shutil.copy(sample_landing / "marketing" / template, landing / "marketing" / template)
    src = (sample_landing / "marketing" / "contracts.csv").read_text().splitlines()
    header, good = src[0], src[1:3]
    rest = "," * (header.count(",") - 11)  # the template's later optional columns (exclusivity), left empty
    broken = [
        f"ct_neg,cr_00001,cmp_001,USD,-5,1,2.00,0,0,,,0{rest}",           # negative fee
        f"ct_txt,cr_00001,cmp_001,USD,abc,1,2.00,0,0,,,0{rest}",          # garbage in a money column
        f"ct_wide,cr_00001,cmp_001,USD,10,1,2.00,0,0,,,0{rest},surplus",  # one field too many
    ]
    (landing / "marketing" / "contracts.csv").write_text("\n".join([header, *good, *broken]) + "\n")
    warehouse = tmp_path / "w.duckdb"
    *_, result = load_with_results(["creators", "campaigns", "contracts"], landing, warehouse, PII_TEST_KEY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (5, 2, 3)
    con = duckdb.connect(str(warehouse), read_only=True)
    quarantine = con.execute("select source_row, column_name, raw_value, reason from raw.quarantine "
                             "where source = 'contracts' order by source_row").fetchall()
    con.close()
    assert quarantine[0][:3] == (3, "flat_fee", "-5") and "expected an amount >= 0" in quarantine[0][3]
    assert quarantine[1][:3] == (4, "flat_fee", "abc")
    assert "column `flat_fee`: 'abc' is not a number" in quarantine[1][3]
    assert quarantine[2][:3] == (5, None, None)
    assert f"it has more values than the header's {header.count(',') + 1} columns" in quarantine[2][3], quarantine


def test_a_row_of_separators_only_is_skipped_like_a_blank_line(sample_landing: Path, tmp_path: Path) -> None:
    """Excel saves a row it once touched as ",,,,": nothing in it to load or to lose. Quarantined as a broken row it
    pushed a five-row template over the reject share, and the raw gate kept the whole file out of the marts."""
    landing = tmp_path / "landing"
    (landing / "marketing").mkdir(parents=True)
    for template in ("creators.csv", "campaigns.csv"):
        shutil.copy(sample_landing / "marketing" / template, landing / "marketing" / template)
    src = (sample_landing / "marketing" / "contracts.csv").read_text().splitlines()
    header, good = src[0], src[1:3]
    separators = "," * header.count(",")
    rest = "," * (header.count(",") - 11)
    lines = [header, good[0], separators, good[1], f"ct_neg,cr_00001,cmp_001,USD,-5,1,2.00,0,0,,,0{rest}",
             " " + separators, separators]
    (landing / "marketing" / "contracts.csv").write_text("\r\n".join(lines) + "\r\n")
    warehouse = tmp_path / "w.duckdb"
    *_, result = load_with_results(["creators", "campaigns", "contracts"], landing, warehouse, PII_TEST_KEY)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    con = duckdb.connect(str(warehouse), read_only=True)
    quarantine = con.execute("select source_row, column_name from raw.quarantine where source = 'contracts'"
                             ).fetchall()
    rows = con.execute("select _source_row from raw.contracts order by 1").fetchall()
    con.close()
    # Row numbers stay the file's: the separators row is record 2, so the bad row is record 4 (line 5).
    assert quarantine == [(4, "flat_fee")] and rows == [(1,), (3,)]


def test_missing_required_column_fails_the_file_naming_file_and_column(sample_landing: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(sample_landing / "marketing", landing / "marketing")
    path = landing / "marketing" / "campaigns.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:2] + line.split(",")[3:]) for line in lines) + "\n")
    with pytest.raises(MissingColumnError) as err:
        load_with_results(["campaigns"], landing, tmp_path / "w.duckdb", PII_TEST_KEY)
    assert "campaigns.csv" in str(err.value) and "'start_date'" in str(err.value)


def test_a_raw_column_of_another_type_stops_the_load_before_it_mixes_types(sample_landing: Path,
                                                                         tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["creators"], sample_landing, warehouse, PII_TEST_KEY)
    con = duckdb.connect(str(warehouse))  # as an older release built it: pseudonyms as hex text
    con.execute("alter table raw.woocommerce_orders alter column email_hash set data type varchar")
    con.close()
    with pytest.raises(WarehouseSchemaError, match=r"email_hash is VARCHAR .* now declares UHUGEINT"):
        load_with_results(["woocommerce_orders"], sample_landing, warehouse, PII_TEST_KEY)


def test_no_clear_personal_data_reaches_the_warehouse(sample_landing: Path, loaded_warehouse: Path) -> None:
    import csv

    export = next((sample_landing / "shopify" / "orders_export").glob("*.csv"))
    with export.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Billing Name"]][:200]
    clear = {v for r in rows for v in (r["Email"], r["Billing Name"], r["Billing Address1"], r["Billing Phone"]) if v}
    # Creators' names are public business data (the creators template); a customer may share one by chance.
    with (sample_landing / "marketing" / "creators.csv").open(newline="") as fh:
        clear -= {r["creator_name"] for r in csv.DictReader(fh)}
    assert len(clear) > 100
    con = duckdb.connect(str(loaded_warehouse), read_only=True)
    tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    found = []
    for schema, table in tables:
        cols = [c for c, t in con.execute(f'select column_name, data_type from information_schema.columns '
                                          f"where table_schema = '{schema}' and table_name = '{table}'").fetchall()
                if t in ("VARCHAR", "JSON")]
        for col in cols:
            hit = con.execute(f'select count(*) from "{schema}"."{table}" where "{col}"::varchar in '
                              f"(select unnest(?::varchar[]))", [sorted(clear)]).fetchall()[0][0]
            if hit:
                found.append(f"{schema}.{table}.{col}")
    con.close()
    assert found == []


@pytest.mark.parametrize("redelivery", ["redelivered_bad_line.csv", "redelivered_cut_line.csv"])
def test_a_redelivery_with_a_bad_line_keeps_the_orders_last_good_version_whole(redelivery: str,
                                                                                tmp_path: Path) -> None:
    """A corrected export re-delivers orders #2001 (two lines, one bad) and #2002. Downstream the newest version of
    an order wins (stg_shopify__order_lines_csv): #2001 must stay as first delivered, with its currency and totals,
    not become its lone good line without them."""
    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs" / "shopify" / "orders_export"
    landing = tmp_path / "landing"
    folder = landing / "shopify" / "orders_export"
    folder.mkdir(parents=True)
    warehouse = tmp_path / "w.duckdb"
    shutil.copy(corpus / "bom_semicolon.csv", folder / "orders_export-1.csv")
    load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)
    shutil.copy(corpus / redelivery, folder / "orders_export-2.csv")
    load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)

    con = duckdb.connect(str(warehouse), read_only=True)
    newest = con.execute("""
        select order_name, regexp_extract(_source_file, '[^/]+$'), count(*), any_value(currency), any_value(total)
        from (select *, first_value(_load_id) over (partition by order_name order by _loaded_at desc, _load_id desc)
              as newest_load_id from raw.shopify_order_lines_csv)
        where _load_id = newest_load_id group by all order by 1""").fetchall()
    quarantined = con.execute("select column_name, raw_value, reason from raw.quarantine order by source_row"
                              ).fetchall()
    con.close()
    assert newest == [("#2001", "orders_export-1.csv", 1, "USD", Decimal("42.33")),
                      ("#2002", "orders_export-2.csv", 1, "USD", Decimal("40.00"))]
    assert len(quarantined) == 2
    assert ("Name", "#2001") in [q[:2] for q in quarantined]
    assert any(": another line of the same record (Name #2001) was rejected" in q[2] for q in quarantined)


def test_data_lines_that_all_end_with_a_delimiter_the_header_lacks_still_load(sample_landing: Path,
                                                                              tmp_path: Path) -> None:
    """Some tools end every data line with a delimiter and the header without one. Each record then has one empty
    value more than the header: the file loads whole, and a record shifted by an unquoted comma is still caught."""
    landing = tmp_path / "landing"
    (landing / "marketing").mkdir(parents=True)
    header, *rows = (sample_landing / "marketing" / "creators.csv").read_text().splitlines()
    shifted = rows[4].replace(",", ", x,", 1)  # one unquoted value more, as `Petrov, Ivan` typed in
    (landing / "marketing" / "creators.csv").write_text("\n".join([header, *(r + "," for r in rows[:4]),
                                                                   shifted + ",", *(r + "," for r in rows[5:])]) + "\n")
    [result] = load_with_results(["creators"], landing, tmp_path / "w.duckdb", PII_TEST_KEY)
    assert (result.rows_loaded, result.rows_quarantined) == (len(rows) - 1, 1), result
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    [(row, reason)] = con.execute("select source_row, reason from raw.quarantine").fetchall()
    con.close()
    assert row == 5 and "more values than the header's" in reason, reason
