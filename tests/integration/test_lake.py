"""With PIPELINE_LAKE_DIR set, ingest also writes every committed raw batch as Parquet partitioned by load date,
and the gate's verdicts beside them (ingest/lake.py): DuckDB reads exactly the raw rows back, re-loading changes
nothing, a killed load leaves no file, and a rejected batch is in the lake but not in what the gating admits. The
`spark` test reads the same lake through the dbt spark target's macro (macros/spark_sources.sql)."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from expectations.state import admit
from ingest.lake import GATE_STATE, portable_columns, write_gate_state
from ingest.runs import load_with_results
from ingest.sources import ALL_SOURCES
from ingest.warehouse import connect
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY
from tests.integration.test_crash_safety import LOAD, _started, big_export  # noqa: F401 (a fixture)
from tests.integration.test_gate import _deliver, _one_line_order, _sample_orders

GROUPS = ["marketing", "shopify", "social"]
# What a reader of the lake admits: the rule of expectations/state.py's gated views.
GATED = ("select r.* exclude (load_date, _loaded_at), case when g.status = 'admitted' then greatest(r._loaded_at, "
         "g.decided_at) else r._loaded_at end as _loaded_at from read_parquet('{lake}/raw/{table}/**/*.parquet', "
         "hive_partitioning = true, union_by_name = true) r join read_parquet('{lake}/" + str(GATE_STATE) + "') g "
         "on g.load_id = r._load_id and g.status in ('passed', 'admitted')")


@pytest.fixture
def lake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    lake = tmp_path / "lake"
    monkeypatch.setenv("PIPELINE_LAKE_DIR", str(lake))
    return lake


def _files(lake: Path) -> dict[str, tuple[int, int]]:
    """Every Parquet file of the lake's raw batches: path -> (size, mtime)."""
    return {str(p.relative_to(lake)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in (lake / "raw").glob("*/*/*.parquet") if p.name != "empty.parquet"}


def _differences(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> tuple[int, int, int]:
    """(rows of raw.<table>, raw rows not in the lake, lake rows not in raw): multisets, pseudonyms as hex."""
    raw = f"select {portable_columns(con, f'raw.{table}')} from raw.{table}"
    lake_rows = (f"select * exclude (load_date) from read_parquet('{lake}/raw/{table}/**/*.parquet', "
                 "hive_partitioning = true, union_by_name = true)")
    count = con.execute(f"select count(*) from raw.{table}").fetchall()[0][0]
    missing = con.execute(f"select count(*) from ({raw} except all {lake_rows})").fetchall()[0][0]
    extra = con.execute(f"select count(*) from ({lake_rows} except all {raw})").fetchall()[0][0]
    return count, missing, extra


def _gated_differences(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> tuple[int, int]:
    gated = f"select {portable_columns(con, f'gated.{table}')} from gated.{table}"
    from_lake = GATED.format(lake=lake, table=table)
    return (con.execute(f"select count(*) from ({gated} except all {from_lake})").fetchall()[0][0],
            con.execute(f"select count(*) from ({from_lake} except all {gated})").fetchall()[0][0])


@pytest.fixture
def lake_loaded(sample_landing: Path, lake_env: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    warehouse = tmp_path / "warehouse.duckdb"
    load_with_results(GROUPS, sample_landing, warehouse, PII_TEST_KEY)
    yield warehouse, lake_env


def test_duckdb_reads_back_exactly_the_raw_rows_and_reloading_changes_nothing(
        sample_landing: Path, lake_loaded: tuple[Path, Path]) -> None:
    warehouse, lake = lake_loaded
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        loaded = {t for (t,) in con.execute("select distinct s from (select source as s from raw.load_manifest "
                                            "where rows_loaded > 0)").fetchall()}
        assert len(loaded) >= 10, f"the sample loads most sources, or the test proves little: {loaded}"
        for source in ALL_SOURCES.values():
            count, missing, extra = _differences(con, lake, source.table)
            assert (missing, extra) == (0, 0), f"{source.table}: {count} raw rows, {missing} not in the lake, " \
                                               f"{extra} in the lake only"
        # Each batch lies in the partition of its load date (UTC), in a file named after its load id.
        wrong = con.execute(f"select count(*) from read_parquet('{lake}/raw/*/*/*.parquet', hive_partitioning = "
                            "true, filename = true, union_by_name = true) where not contains(filename, "
                            "'empty.parquet') and (load_date <> (_loaded_at at time zone 'UTC')::date or not "
                            "ends_with(filename, '/' || _load_id || '.parquet'))").fetchall()[0][0]
        batches = con.execute("select count(*) from raw.load_manifest where rows_loaded > 0").fetchall()[0][0]
    finally:
        con.close()
    assert wrong == 0
    before = _files(lake)
    assert len(before) == batches
    assert not list(lake.rglob("*.tmp")), "no temporary file left behind"

    assert {r.status for r in load_with_results(GROUPS, sample_landing, warehouse, PII_TEST_KEY)} <= {"skipped",
                                                                                                       "empty"}
    assert _files(lake) == before, "re-loading the same files must not rewrite the lake"

    # A run killed after its commit but before writing the lake: the next run writes the missing batch.
    lost = next(iter(before))
    (lake / lost).unlink()
    load_with_results(GROUPS, sample_landing, warehouse, PII_TEST_KEY)
    assert set(_files(lake)) == set(before)


def test_a_load_killed_mid_batch_leaves_no_file_and_the_rerun_writes_it_once(
        big_export: tuple[Path, int], lake_env: Path, tmp_path: Path) -> None:  # noqa: F811 (the fixture)
    landing, rows = big_export
    warehouse = tmp_path / "w.duckdb"
    started = time.perf_counter()
    load_with_results(["shopify_orders_csv"], landing, tmp_path / "timing.duckdb", PII_TEST_KEY)
    full_load = time.perf_counter() - started
    shutil.rmtree(lake_env)
    outcomes = []
    for fraction in (0.3, 0.5, 0.7):
        proc = _started(LOAD, str(landing), str(warehouse), PII_TEST_KEY)  # inherits PIPELINE_LAKE_DIR
        time.sleep(full_load * fraction)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        committed = _committed(warehouse)
        in_lake = set(_files(lake_env)) if lake_env.exists() else set()
        outcomes.append((proc.returncode, len(committed), len(in_lake)))
        # A kill after the commit may leave the batch out of the lake (the next run writes it), never the reverse.
        assert {Path(f).stem for f in in_lake} <= committed, ("a batch that never committed is in the lake", outcomes)
        if committed:
            break
    print("kill outcomes (exit code, committed batches, lake files):", outcomes)
    assert outcomes[0][0] == -signal.SIGKILL and outcomes[0][1] == 0, f"no kill landed mid-batch: {outcomes}"

    load_with_results(["shopify_orders_csv"], landing, warehouse, PII_TEST_KEY)
    [batch] = _committed(warehouse)
    [written] = _files(lake_env)
    assert written.endswith(f"/{batch}.parquet")
    con = duckdb.connect()
    assert con.execute(f"select count(*) from '{lake_env / written}'").fetchall()[0][0] == rows


def _committed(warehouse: Path) -> set[str]:
    """Load ids of the committed batches with rows (none before the warehouse has its manifest)."""
    if not warehouse.exists():
        return set()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {i for (i,) in con.execute("select load_id from raw.load_manifest where rows_loaded > 0").fetchall()}
    except duckdb.CatalogException:
        return set()
    finally:
        con.close()


def test_a_rejected_batch_is_in_the_lake_but_not_gated_until_admitted(
        sample_landing: Path, lake_loaded: tuple[Path, Path], tmp_path: Path) -> None:
    warehouse, lake = lake_loaded
    assert run_raw_gate(warehouse, tmp_path / "quality", "run-0") == []
    header, rows = _sample_orders(sample_landing)
    absurd = _one_line_order(rows, "#LAKE-900K", Currency="USD", Subtotal="900000.00", Total="900000.00",
                             **{"Lineitem price": "900000.00", "Lineitem quantity": "1"})
    load_id = _deliver(warehouse, tmp_path / "landing", header, [absurd])
    [message] = run_raw_gate(warehouse, tmp_path / "quality", "run-1")
    assert load_id in message
    table = ALL_SOURCES["shopify_orders_csv"].table

    def lake_rows_of_batch(gated: bool) -> int:
        query = GATED.format(lake=lake, table=table) if gated else (
            f"select * from read_parquet('{lake}/raw/{table}/**/*.parquet', hive_partitioning = true)")
        return duckdb.connect().execute(f"select count(*) from ({query}) where _load_id = ?", [load_id]
                                        ).fetchall()[0][0]

    assert lake_rows_of_batch(gated=False) == 1 and lake_rows_of_batch(gated=True) == 0
    con = connect(warehouse)
    try:
        for source in ALL_SOURCES.values():
            assert _gated_differences(con, lake, source.table) == (0, 0), source.table
        admit(con, load_id, "a real wholesale order", "test")
        assert _gated_differences(con, lake, table) == (0, 0), "an admitted batch counts as loaded when admitted"
    finally:
        con.close()
    assert lake_rows_of_batch(gated=True) == 1


@pytest.mark.spark
def test_spark_reads_the_lake_through_the_source_macro(lake_loaded: tuple[Path, Path], tmp_path: Path) -> None:
    warehouse, lake = lake_loaded
    assert run_raw_gate(warehouse, tmp_path / "quality", "run-0") == []
    con = connect(warehouse)
    try:
        con.execute("update raw.batch_gate set status = 'rejected' where load_id = (select min(_load_id) "
                    "from raw.shopify_order_lines_csv)")  # one batch out, so gated and raw counts differ
        write_gate_state(con, lake)
        expected = con.execute("select (select count(*) from raw.shopify_order_lines_csv), "
                               "(select count(*) from gated.shopify_order_lines_csv), "
                               "(select count(*) from gated.woocommerce_orders), "
                               "(select count(*) from raw.comment_scores)").fetchall()[0]
    finally:
        con.close()
    assert expected[0] > expected[1] > 0 and expected[2] == 0 and expected[3] > 0, \
        "one batch out, a source with no batch yet (it must be declared too), and comment scores"
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    spark_dir = tmp_path / "spark"
    env = {**os.environ, **settings.dbt_env(), "PIPELINE_SPARK_DIR": str(spark_dir), "SPARK_LOCAL_IP": "127.0.0.1",
           "DBT_TARGET_PATH": str(spark_dir / "dbt-target"), "DBT_LOG_PATH": str(spark_dir / "dbt-logs"),
           "DO_NOT_TRACK": "1", "DBT_USE_COLORS": "false"}
    query = ("select (select count(*) from raw.shopify_order_lines_csv) as raw_rows, (select count(*) from "
             "gated.shopify_order_lines_csv) as gated_rows, "
             "(select count(*) from gated.woocommerce_orders) as no_batch, "
             "(select count(*) from raw.comment_scores) as scores")

    def dbt(*args: str) -> str:
        argv = [str(Path(sys.executable).with_name("dbt")), *args, "--target", "spark", "--project-dir",
                str(settings.dbt_project_dir), "--profiles-dir", str(settings.dbt_project_dir)]
        done = subprocess.run(argv, env=env, cwd=settings.dbt_project_dir, capture_output=True, text=True,
                              timeout=900, check=False)
        assert done.returncode == 0, done.stdout[-4000:]
        return done.stdout

    # The hook every Spark build runs first (the metastore is kept in spark_dir), then a query of what it declared.
    dbt("run-operation", "register_spark_sources")
    shown = dbt("show", "--inline", query, "--output", "json", "--log-format", "text")
    counts = json.loads(shown[shown.index("{"):shown.rindex("}") + 1])["show"][0]
    assert (counts["raw_rows"], counts["gated_rows"], counts["no_batch"], counts["scores"]) == expected


def _lake_pseudonyms(con: duckdb.DuckDBPyConnection, lake: Path, table: str) -> set[str]:
    """Every non-null pseudonym (a UHUGEINT column of raw.<table>, as hex in the lake) in the lake's files."""
    columns = [c for (c,) in con.execute("select column_name from duckdb_columns() where schema_name = 'raw' and "
                                         "table_name = ? and data_type = 'UHUGEINT'", [table]).fetchall()]
    assert columns, f"raw.{table} has no pseudonymised column"
    files = f"read_parquet('{lake}/raw/{table}/**/*.parquet', hive_partitioning = true)"
    return {v for column in columns for (v,) in con.execute(f'select distinct "{column}" from {files} '
                                                           f'where "{column}" is not null').fetchall()}


def test_a_rekey_writes_the_lake_again_under_the_new_key(lake_loaded: tuple[Path, Path]) -> None:
    """The lake's batches hold pseudonyms: after `ingest rekey` they must be the new key's, as in the warehouse, or
    a lake reader would join old-key customers to new-key ones."""
    from ingest.pii import rekey

    warehouse, lake = lake_loaded
    table = "shopify_order_lines_csv"  # pseudonymised customer columns
    with duckdb.connect(str(warehouse), read_only=True) as con:
        old = _lake_pseudonyms(con, lake, table)

    assert rekey(warehouse, "a-new-key-for-the-lake-test") is not None

    with duckdb.connect(str(warehouse), read_only=True) as con:
        count, missing, extra = _differences(con, lake, table)
        new = _lake_pseudonyms(con, lake, table)
    assert count > 0 and (missing, extra) == (0, 0), f"{missing} re-keyed rows not in the lake, {extra} stale ones"
    assert old and new and not old & new, "no pseudonym of the old key is left in the lake"
