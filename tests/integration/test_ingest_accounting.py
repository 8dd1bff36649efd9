"""Every row accounted for: files re-saved by Excel in another encoding, a file cut inside a quoted value, empty and
header-only files, files whose rows are (nearly) all rejected, and which of two deliveries of an order wins.
Real DuckDB files, the real loader, and the real `ingest` CLI in a subprocess where the exit code matters."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.errors import IngestError, MissingColumnError, RejectShareExceeded, UnreadableFileError
from ingest.loader import LoadResult
from ingest.pii import locate_line
from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs" / "shopify" / "orders_export"
ORDERS = Path("shopify") / "orders_export"


def _landing(tmp_path: Path, *files: str) -> Path:
    folder = tmp_path / "landing" / ORDERS
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copy(CORPUS / name, folder / name)
    return tmp_path / "landing"


@pytest.fixture
def task_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of an Airflow ingest task: this test's data folder and warehouse, the test key, nothing else
    of the caller's."""
    for name in [k for k in os.environ if k.startswith(("PIPELINE_", "SHOPIFY_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("PIPELINE_PII_KEY", PII_TEST_KEY)


def _load(tmp_path: Path) -> dict[str, LoadResult]:
    results = load_with_results(["shopify_orders_csv"], tmp_path / "landing", tmp_path / "w.duckdb", PII_TEST_KEY)
    return {Path(r.file).name: r for r in results}


def _query(tmp_path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_")}
    clean.update(PIPELINE_DATA_DIR=str(tmp_path), PIPELINE_WAREHOUSE=str(tmp_path / "w.duckdb"),
                 PIPELINE_PII_KEY=PII_TEST_KEY, **env)
    return subprocess.run([sys.executable, "-m", "ingest.cli", *args], env=clean, capture_output=True, text=True,
                          timeout=120)


def test_excel_encodings_load_every_row_with_the_right_characters(tmp_path: Path) -> None:
    """cp1252 (Excel on Windows: € and curly quotes are in 0x80-0x9F, which Latin-1 lacks), Latin-1, and Excel's
    "Unicode Text" (UTF-16 with BOM, tab-delimited): every row loads, with its characters, lineage on the original."""
    _landing(tmp_path, "cp1252.csv", "latin1.csv", "utf16_unicode_text.csv")
    results = _load(tmp_path)
    assert {n: (r.rows_read, r.rows_loaded, r.rows_quarantined) for n, r in results.items()} == {
        "cp1252.csv": (2, 2, 0), "latin1.csv": (1, 1, 0), "utf16_unicode_text.csv": (2, 2, 0)}
    rows = _query(tmp_path, "select order_name, lineitem_name, regexp_extract(_source_file, '[^/]+$'), _source_row "
                            "from raw.shopify_order_lines_csv order by order_name")
    assert rows == [("#2004", "Crème Café", "latin1.csv", 1),
                    ("#2101", "Crème “Zoë” Sérum – 30 ml", "cp1252.csv", 1),
                    ("#2102", "Café au lait — Ünïcödé", "cp1252.csv", 2),
                    ("#2201", "Crème Zoë 30 ml", "utf16_unicode_text.csv", 1),
                    ("#2202", "Ærø € Straße", "utf16_unicode_text.csv", 2)]
    assert sorted(_query(tmp_path, "select file_name, encoding from raw.load_manifest")) == [
        ("cp1252.csv", "cp1252"), ("latin1.csv", "cp1252"), ("utf16_unicode_text.csv", "utf-16")]


def test_a_declared_encoding_is_used_and_row_numbers_and_line_hashes_stay_right(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A Mac-Roman export with PIPELINE_INGEST_ENCODING=mac_roman: its characters are right, a bad row keeps its
    number, and an unreadable line can be found by `ingest locate` in the original (non-UTF-8) file."""
    lines = (CORPUS / "cp1252.csv").read_bytes().decode("cp1252").split("\r\n")
    cut = lines[2][:60]  # order #2102 cut short: unreadable, only its keyed hash is kept
    text = "\r\n".join([lines[0], lines[1].replace("USD", "BTC", 1), cut, lines[1].replace("#2101", "#2103")]) + "\r\n"
    folder = _landing(tmp_path) / ORDERS
    (folder / "mac.csv").write_bytes(text.replace("–", "-").replace("“", '"').replace("”", '"')
                                     .replace("€", "EUR").encode("mac_roman"))
    monkeypatch.setenv("PIPELINE_INGEST_ENCODING", "mac_roman")
    result = _load(tmp_path)["mac.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 1, 2)
    assert _query(tmp_path, "select order_name, lineitem_name, _source_row from raw.shopify_order_lines_csv") == [
        ("#2103", 'Crème "Zoë" Sérum - 30 ml', 3)]
    quarantined = _query(tmp_path, "select source_row, column_name, line_hash from raw.quarantine order by 1")
    assert [q[:2] for q in quarantined] == [(1, "Currency"), (2, None)]
    assert locate_line(folder / "mac.csv", quarantined[1][2], PII_TEST_KEY) == [3]


def test_bytes_the_declared_encoding_cannot_read_fail_the_file_with_what_to_do(tmp_path: Path) -> None:
    folder = _landing(tmp_path, "cp1252.csv") / ORDERS
    (folder / "cp1252.csv").write_bytes((folder / "cp1252.csv").read_bytes().replace(b"\x80", b"\x81"))
    with pytest.raises(UnreadableFileError) as err:
        _load(tmp_path)
    assert "cp1252.csv: is neither UTF-8 nor valid cp1252 (byte 0x81" in str(err.value)
    assert "set PIPELINE_INGEST_ENCODING" in str(err.value)
    assert _query(tmp_path, "select count(*) from raw.load_manifest") == [(0,)], "nothing of it is written"
    assert not list((tmp_path / "w.duckdb.tmp").glob("ingest-utf8-*")), "the UTF-8 copy is removed"


@pytest.mark.parametrize(("magic", "kind"), [(b"PK\x03\x04", "a zip archive, e.g. an Excel workbook (.xlsx)"),
                                           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel workbook (.xls)")])
def test_a_workbook_saved_under_a_csv_name_is_named_as_one_not_given_encoding_advice(
        magic: bytes, kind: str, tmp_path: Path) -> None:
    """Excel's "Save" keeps the .csv name but can write a workbook; read as text it got "neither UTF-8 nor valid
    cp1252 ... set PIPELINE_INGEST_ENCODING", which sends the user the wrong way."""
    folder = tmp_path / "landing" / ORDERS
    folder.mkdir(parents=True)
    if magic.startswith(b"PK"):
        with zipfile.ZipFile(folder / "orders_export.csv", "w") as workbook:  # what an .xlsx is, at the byte level
            workbook.writestr("[Content_Types].xml", "<Types/>")
            workbook.writestr("xl/workbook.xml", "<workbook/>")
    else:
        (folder / "orders_export.csv").write_bytes(magic + bytes(range(256)) * 8)
    with pytest.raises(UnreadableFileError) as err:
        _load(tmp_path)
    assert f"orders_export.csv: is {kind}, not a text file: open it and save (or export) it again as CSV UTF-8" \
        in str(err.value)
    assert "PIPELINE_INGEST_ENCODING" not in str(err.value)
    assert _query(tmp_path, "select count(*) from raw.load_manifest") == [(0,)], "nothing of it is written"


def _corpus_rows(name: str = "garbage_numeric.csv") -> list[list[str]]:
    """A corpus export's header and rows, to edit into a test's own file."""
    return list(csv.reader((CORPUS / name).read_text(encoding="utf-8-sig").splitlines()))


def _write_export(tmp_path: Path, name: str, rows: Iterable[list[str]]) -> None:
    folder = tmp_path / "landing" / ORDERS
    folder.mkdir(parents=True)
    with (folder / name).open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(rows)


def test_amounts_with_thousands_separators_load_and_a_decimal_comma_is_still_refused(tmp_path: Path) -> None:
    """Excel saves a cell as it shows it: with a thousands format, "1,020.00". A decimal comma stays refused (never
    8500 for "85,00"), and so does "1,020" without a decimal point, which a semicolon-separated export may mean as
    1.02."""
    rows = _corpus_rows()
    header = rows[0]
    rows[1][header.index("Subtotal")], rows[1][header.index("Total")] = "1,020.00", "1,101.60"
    rows[2][header.index("Lineitem price")] = "1,200.00"
    rows[3][header.index("Subtotal")] = "1,020"
    rows = rows[:4] + [[*rows[2]]]
    rows[4][header.index("Name")], rows[4][header.index("Subtotal")] = "#2998", "85,00"
    _write_export(tmp_path, "excel_formatted.csv", rows)
    result = _load(tmp_path)["excel_formatted.csv"]
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    assert _query(tmp_path, "select order_name, subtotal, total, lineitem_price from raw.shopify_order_lines_csv "
                            "order by 1") == [("#2001", Decimal("1020.00"), Decimal("1101.60"), Decimal("34.00")),
                                              ("#2002", Decimal("34.00"), Decimal("42.33"), Decimal("1200.00"))]
    [(reason,), (comma,)] = _query(tmp_path, "select reason from raw.quarantine order by source_row")
    assert "column `Subtotal`: '1,020' is not a number" in reason, reason
    # Named as what it most likely is, with what to do.
    assert ("column `Subtotal`: '85,00' has a decimal comma, as a spreadsheet set to a European language saves it "
            "(export the file again from its source, or save it with '.' as the decimal point)") in comma, comma


def test_an_order_id_a_spreadsheet_rounded_is_quarantined_not_loaded_as_another_number(tmp_path: Path) -> None:
    rows = _corpus_rows()[:3]
    rows.append(list(rows[2]))
    rows[1][rows[0].index("Id")] = "5.6E+12"  # DuckDB would cast it to 5600000000000
    rows[3][rows[0].index("Name")] = "#2999"
    rows[3][rows[0].index("Id")] = "not-a-number"  # holds an 'e', but no number: not "scientific notation"
    _write_export(tmp_path, "resaved.csv", rows)
    result = _load(tmp_path)["resaved.csv"]
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    [(reason,), (other,)] = _query(tmp_path, "select reason from raw.quarantine order by source_row")
    assert "column `Id`: '5.6E+12' is in scientific notation, not a whole number" in reason, reason
    assert "rounded by a spreadsheet" in reason
    assert "column `Id`: 'not-a-number' is not a whole number" in other, other


def test_the_oldest_export_header_ending_at_notes_loads(tmp_path: Path) -> None:
    """The spec: the oldest exports end at `Notes`; Note Attributes, Cancelled at and Refunded Amount come after it
    and were required, so a whole old export was refused."""
    rows = _corpus_rows()[:3]
    cut = rows[0].index("Notes") + 1
    _write_export(tmp_path, "orders_export_2019.csv", (row[:cut] for row in rows))
    result = _load(tmp_path)["orders_export_2019.csv"]
    assert (result.rows_loaded, result.rows_quarantined) == (2, 0)
    assert _query(tmp_path, "select count(*) from raw.shopify_order_lines_csv where refunded_amount is null and "
                            "cancelled_at is null and note_attributes is null") == [(2,)]


def test_files_that_cannot_be_loaded_are_named_together_after_every_other_file_loads(tmp_path: Path) -> None:
    """One file without a required column stopped the whole `ingest load`: the files after it (and every later
    source) were not loaded. Now each good file loads and commits, then every failed file is named."""
    landing = _landing(tmp_path, "missing_column.csv", "duplicated_header.csv", "latin1.csv", "cp1252.csv")
    social = landing / "followers"
    social.mkdir()
    shutil.copy(CORPUS.parents[1] / "followers" / "bad_rows.csv", social / "followers-1.csv")
    with pytest.raises(IngestError) as err:
        load_with_results(["shopify_orders_csv", "follower_snapshots"], landing, tmp_path / "w.duckdb",
                          PII_TEST_KEY)
    message = str(err.value)
    assert message.startswith(f"{landing}: 2 files could not be loaded (nothing of them was written; every other "
                              "file loaded):"), message
    assert "missing_column.csv: required column 'Lineitem price' is missing" in message
    assert "duplicated_header.csv" in message and "duplicated header" in message
    assert sorted(_query(tmp_path, "select file_name from raw.load_manifest")) == [
        ("cp1252.csv",), ("followers-1.csv",), ("latin1.csv",)]
    # one failed file: its own error, as before
    (landing / ORDERS / "duplicated_header.csv").unlink()
    with pytest.raises(MissingColumnError):
        _load(tmp_path)


def test_a_file_cut_inside_a_quoted_value_loads_its_complete_rows_and_quarantines_the_tail(tmp_path: Path) -> None:
    """Two complete orders (one with a quoted comma and a quoted line break), then the third opens a quote and the
    file ends. DuckDB's sniffer would give up or read quotes as text (splitting "Glow, Serum" silently)."""
    _landing(tmp_path, "cut_in_quotes.csv")
    result = _load(tmp_path)["cut_in_quotes.csv"]
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert _query(tmp_path, "select order_name, lineitem_name, _source_row from raw.shopify_order_lines_csv "
                            "order by 1") == [("#2301", "Glow, Serum 30ml", 1), ("#2302", "Glow Serum 30ml", 2)]
    [(row, reason, line_hash)] = _query(tmp_path, "select source_row, reason, line_hash from raw.quarantine")
    assert row == 3 and "values where the header has 79 columns" in reason and "the file was cut short" in reason
    # Physical line 5 (the first order's quoted line break takes two lines).
    assert locate_line(tmp_path / "landing" / ORDERS / "cut_in_quotes.csv", line_hash, PII_TEST_KEY) == [5]


def test_an_empty_file_is_recorded_as_empty_and_the_other_files_load(tmp_path: Path) -> None:
    folder = _landing(tmp_path, "empty.csv", "latin1.csv") / ORDERS
    (folder / "empty-2.csv").write_bytes(b"")
    results = _load(tmp_path)
    assert {n: r.status for n, r in results.items()} == {"empty.csv": "empty", "empty-2.csv": "empty",
                                                         "latin1.csv": "loaded"}
    assert "empty (0 bytes)" in (results["empty.csv"].warning or "")
    # Idempotent, and an empty file is known by its path (every empty file has the same checksum).
    assert {r.status for r in _load(tmp_path).values()} == {"skipped"}
    (folder / "empty-3.csv").write_bytes(b"")
    assert _load(tmp_path)["empty-3.csv"].status == "empty"
    assert sorted(_query(tmp_path, "select file_name, status, rows_read from raw.load_manifest")) == [
        ("empty-2.csv", "empty", 0), ("empty-3.csv", "empty", 0), ("empty.csv", "empty", 0),
        ("latin1.csv", "loaded", 1)]


def test_header_only_is_a_warning_and_a_file_over_the_reject_share_fails_the_cli_after_loading(tmp_path: Path) -> None:
    # missing_column.csv cannot be loaded at all: that error used to hide the summary, the warnings and the files
    # over the reject share. Every one of them is said.
    _landing(tmp_path, "header_only.csv", "all_rejected.csv", "cut_in_quotes.csv", "latin1.csv", "missing_column.csv")
    run = _cli(tmp_path, "load", "shopify_orders_csv", "--landing", str(tmp_path / "landing"))
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "files loaded: 4" in run.stdout and "rows quarantined: 4" in run.stdout
    assert "header_only.csv: the file has no rows (a header only)" in run.stderr
    assert "all_rejected.csv: every row (3) was quarantined" in run.stderr
    assert "error: " in run.stderr and "missing_column.csv: required column 'Lineitem price' is missing" in run.stderr
    error = run.stderr[run.stderr.index("error: 2 file(s) have more than"):]
    assert "more than 5% of their rows quarantined (PIPELINE_GATE_MAX_QUARANTINE_SHARE=0.05)" in error
    assert "all_rejected.csv: 3 of 3 rows (100%)" in error and "top reasons: Currency x3 (row 1: " in error
    assert "cut_in_quotes.csv: 1 of 3 rows (33%)" in error and "header_only.csv" not in error
    assert "pipeline gate admit" in error
    # Nothing lost: every file's good rows are committed, and loaded + quarantined = rows in each file.
    assert sorted(_query(tmp_path, "select file_name, rows_read, rows_loaded, rows_quarantined "
                                   "from raw.load_manifest")) == [
        ("all_rejected.csv", 3, 0, 3), ("cut_in_quotes.csv", 3, 2, 1), ("header_only.csv", 0, 0, 0),
        ("latin1.csv", 1, 1, 0)]


def test_the_reject_share_threshold_is_configurable(tmp_path: Path) -> None:
    _landing(tmp_path, "cut_in_quotes.csv")
    run = _cli(tmp_path, "load", "shopify_orders_csv", PIPELINE_GATE_MAX_QUARANTINE_SHARE="0.5")
    assert run.returncode == 0, run.stderr
    assert "files loaded: 1" in run.stdout


def test_the_airflow_ingest_task_fails_naming_the_file_after_committing_the_good_rows(tmp_path: Path,
                                                                                    task_env: None) -> None:
    from pipeline.tasks import ingest_group

    _landing(tmp_path, "all_rejected.csv", "latin1.csv")
    with pytest.raises(RejectShareExceeded) as err:
        ingest_group("shopify")
    assert "all_rejected.csv: 3 of 3 rows (100%)" in str(err.value) and "Currency x3" in str(err.value)
    assert _query(tmp_path, "select order_name from raw.shopify_order_lines_csv") == [("#2004",)]


def test_the_airflow_ingest_task_names_an_unloadable_file_and_still_logs_the_others_quarantine(
        tmp_path: Path, task_env: None, caplog: pytest.LogCaptureFixture) -> None:
    from pipeline.tasks import ingest_group

    _landing(tmp_path, "all_rejected.csv", "latin1.csv", "missing_column.csv")
    with pytest.raises(MissingColumnError, match="missing_column.csv"):
        ingest_group("shopify")
    assert "all_rejected.csv: 3 of 3 rows (100%)" in caplog.text
    assert _query(tmp_path, "select order_name from raw.shopify_order_lines_csv") == [("#2004",)]


def test_every_missing_required_column_is_named_at_once(tmp_path: Path) -> None:
    """A file without `Name` whose `Total` was renamed: the error named `Name` only, so the fix met a second
    refusal."""
    folder = _landing(tmp_path) / ORDERS
    with (CORPUS / "latin1.csv").open(encoding="latin-1", newline="") as fh:
        rows = list(csv.DictReader(fh))
    header = [h for h in rows[0] if h != "Name"]
    with (folder / "two_missing.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Order Total" if h == "Total" else h for h in header])
        writer.writerows([[row[h] for h in header] for row in rows])
    with pytest.raises(MissingColumnError, match=r"two_missing.csv: required columns 'Name', 'Total' are missing "
                                                 r"\(expected header: Name, ") as err:
        _load(tmp_path)
    assert err.value.columns == ["Name", "Total"]


def test_an_unloadable_file_fails_one_ingest_run_not_every_run_until_it_is_replaced(
        tmp_path: Path, task_env: None, caplog: pytest.LogCaptureFixture) -> None:
    """ingest_files (continuous) failed on the same bad file every run until Airflow paused it after 5: later
    deliveries were then never loaded, and no alert said so. Now the file fails one run; the new-file sensor and the
    next runs leave it out until it changes; `ingest load` still tries it, to say why."""
    from ingest.runs import unloaded_files
    from pipeline.tasks import ingest_group

    landing = _landing(tmp_path, "missing_column.csv")
    bad = landing / ORDERS / "missing_column.csv"
    with pytest.raises(MissingColumnError, match="missing_column.csv"):
        ingest_group("shopify")
    assert unloaded_files(["shopify"], landing, tmp_path / "w.duckdb") == [], "the sensor would start a run again"

    _landing(tmp_path, "latin1.csv")  # the next delivery
    assert unloaded_files(["shopify"], landing, tmp_path / "w.duckdb") == [landing / ORDERS / "latin1.csv"]
    summary = ingest_group("shopify")  # the run it starts loads it, and does not fail on the old file
    assert summary["files_loaded"] == 1
    assert ("missing_column.csv could not be loaded before and has not changed since: left out until it is "
            "replaced (`ingest load shopify_orders_csv` says why)") in caplog.text
    with pytest.raises(MissingColumnError, match="missing_column.csv"):
        _load(tmp_path)  # asked for by hand: tried, and the reason given

    shutil.copy(CORPUS / "all_rejected.csv", bad)  # replaced: a new modification time
    os.utime(bad, ns=(bad.stat().st_atime_ns, bad.stat().st_mtime_ns + 1_000_000_000))
    assert unloaded_files(["shopify"], landing, tmp_path / "w.duckdb") == [bad]
    with pytest.raises(RejectShareExceeded):  # loaded (its rows all quarantined), no longer unloadable
        ingest_group("shopify")
    assert _query(tmp_path, "select count(*) from raw.unloadable_files") == [(0,)]


def test_the_later_delivery_wins_whatever_the_file_names(tmp_path: Path) -> None:
    """Two exports of order #2001 land before one load: the corrected one is delivered later but its name sorts
    first. Files load in delivery order (modification time), so its load is the newer one and wins downstream."""
    folder = _landing(tmp_path) / ORDERS
    first, corrected = folder / "orders_export_2.csv", folder / "orders_export_1.csv"
    shutil.copy(CORPUS / "bom_semicolon.csv", first)
    text = (CORPUS / "redelivered.csv").read_text(encoding="utf-8-sig")
    assert "#2001" in text
    shutil.copy(CORPUS / "redelivered.csv", corrected)
    os.utime(first, ns=(1_700_000_000_000_000_000,) * 2)
    os.utime(corrected, ns=(1_700_000_100_000_000_000,) * 2)
    _load(tmp_path)
    # The staging rule (stg_shopify__order_lines_csv): the newest _loaded_at of an order wins.
    newest = _query(tmp_path, """
        select distinct order_name, regexp_extract(_source_file, '[^/]+$') from (
            select *, first_value(_load_id) over (partition by order_name order by _loaded_at desc, _load_id desc)
                as newest_load_id from raw.shopify_order_lines_csv)
        where _load_id = newest_load_id and order_name = '#2001'""")
    assert newest == [("#2001", "orders_export_1.csv")]


def test_a_shifted_record_is_found_again_by_its_hash_in_a_crlf_file_with_a_preamble_and_stray_quotes(
        tmp_path: Path) -> None:
    """GA4 writes '#' lines before the header and Windows line ends; a product name holds a stray inch mark (27"),
    which DuckDB's reader takes as text. Two records later hold one value too many. Each is quarantined with the hash
    of its own first line, so `ingest locate` finds that line, not a neighbour's."""
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "sources" / "ga4" / "landing_pages_2026-05.csv"
    preamble, rest = fixture.read_text().split("Landing page + query string", 1)
    header, *rows = ("Landing page + query string" + rest).splitlines()
    rows = [*rows[:3], '/products/monitor-27" promo,20260505,google / cpc,c2,9,4,0,0', *rows[3:],
            "/a,b,20260506,instagram / creator,c1,3,1,0,0", *rows[3:5], "/c,d,20260507,instagram / creator,c1,2,1,0,0"]
    folder = tmp_path / "landing" / "ga4"
    folder.mkdir(parents=True)
    path = folder / "landing_pages_crlf.csv"
    path.write_bytes("\r\n".join([*preamble.splitlines(), header, *rows]).encode() + b"\r\n")
    load_with_results(["ga4_landing_pages"], tmp_path / "landing", tmp_path / "w.duckdb", PII_TEST_KEY)
    lines = path.read_text().split("\n")
    found = []
    for reason, line_hash in _query(tmp_path, "select reason, line_hash from raw.quarantine where reason like "
                                              "'%values than the header%' order by source_row"):
        assert "more values than the header's 8 columns" in reason and line_hash, reason
        [number] = locate_line(path, line_hash, PII_TEST_KEY)
        found.append(lines[number - 1].rstrip("\r"))
    assert found == ["/a,b,20260506,instagram / creator,c1,3,1,0,0", "/c,d,20260507,instagram / creator,c1,2,1,0,0"]
