"""The same dbt project on two engines (issue 17): the scale-S sample built on DuckDB and on local Spark (dbt-spark,
session mode) from the same gated batches gives the same published marts, row for row: money and every other exact
type equal, floating-point rates within 1e-9.

The DuckDB build is the shared built_warehouse. Spark reads the gated batches from a lake (prepare_spark_sources),
builds the project (`dbt build --target spark`: models and data tests; the unit tests and the snapshot run on DuckDB
only, pipeline/dbt.py DUCKDB_ONLY) in a dbt child process, and DuckDB reads the Spark marts back from their Parquet
files (pipeline/benchmark/same_marts.py compares them).
An incremental build on Spark (insert_overwrite of the partitions holding a changed key, macros/incremental.sql) is
checked the same way: deliveries A then B of tests/integration/test_incremental.py, then C (one order, comment and
post's insights again), built on Spark after each (models and seeds: the data tests pass on Spark in the full build
above), against DuckDB's full build of all three; B must leave the days
before it and C every bucket but the changed key's as the previous build wrote them.
Needs the optional extra `spark` (dbt-spark, pyspark) and Java 17: `uv run --extra spark pytest -m spark`.
"""

from __future__ import annotations

import csv
import dataclasses
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.benchmark.same_marts import compare_marts
from pipeline.dbt import DUCKDB_ONLY, run_dbt
from pipeline.settings import Settings, load_settings
from tests.conftest import PII_TEST_KEY
from tests.integration.test_incremental import CUTOFF, deliveries

pytestmark = pytest.mark.spark

SPARK_BUILD_TIMEOUT_SECONDS = 1800


def require_spark() -> None:
    if importlib.util.find_spec("dbt.adapters.spark") is None or shutil.which("java") is None:
        pytest.fail("the spark target needs the optional extra `spark` (dbt-spark[session], pyspark: "
                    "`uv run --extra spark pytest -m spark`) and Java 17 (apt-get install openjdk-17-jre-headless)")


def prepare_spark_sources(landing: Path, folder: Path) -> dict[str, str]:
    """The sample's gated batches where the spark target reads them, as the environment its build needs: the same
    landing files ingested and gated as for loaded_warehouse, with a lake (PIPELINE_LAKE_DIR: ingest and the gate
    write the batches and verdicts as Parquet, macros/spark_sources.sql reads them)."""
    lake = folder / "lake"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIPELINE_LAKE_DIR", str(lake))
        load_with_results(["marketing", "shopify", "social"], landing, folder / "warehouse.duckdb", PII_TEST_KEY)
        assert run_raw_gate(folder / "warehouse.duckdb", folder / "quality", "spark") == []
    return {"PIPELINE_LAKE_DIR": str(lake)}


def build_on_spark(settings: Settings, sources: dict[str, str], spark_dir: Path, *, data_tests: bool = True) -> str:
    """`dbt build --target spark` in a child process with the same vars as the DuckDB build; dbt's output. Without
    ``data_tests`` it builds the models and seeds only (the data tests pass on Spark in the spark_marts build)."""
    env = {**os.environ, **settings.dbt_env(), **sources, "PIPELINE_SPARK_DIR": str(spark_dir),
           "SPARK_LOCAL_IP": "127.0.0.1",  # no network interface lookup: the build runs offline
           # Its own artefacts: a DuckDB dbt run of this test process keeps its partial-parse cache.
           "DBT_TARGET_PATH": str(spark_dir / "dbt-target"), "DBT_LOG_PATH": str(spark_dir / "dbt-logs"),
           "DO_NOT_TRACK": "1", "DBT_USE_COLORS": "false"}
    skip_tests = () if data_tests else ("--exclude-resource-type", "test")
    argv = [str(Path(sys.executable).with_name("dbt")), "build", "--target", "spark", *DUCKDB_ONLY, *skip_tests,
            "--vars", json.dumps(settings.dbt_vars()), "--project-dir", str(settings.dbt_project_dir),
            "--profiles-dir", str(settings.dbt_project_dir)]
    done = subprocess.run(argv, env=env, cwd=settings.dbt_project_dir, capture_output=True, text=True,
                          timeout=SPARK_BUILD_TIMEOUT_SECONDS, check=False)
    if done.returncode != 0:
        summary = [line for line in done.stdout.splitlines() if " WARN " not in line][-80:]
        pytest.fail(f"dbt build --target spark failed (exit {done.returncode}); the model or test that failed and "
                    "why (port its SQL through macros/portable*.sql; full log in "
                    f"{spark_dir / 'dbt-logs'}):\n" + "\n".join(summary))
    return done.stdout


@pytest.fixture(scope="module")
def spark_marts(sample_landing: Path, built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory,
                pytestconfig: pytest.Config) -> Path:
    """The Spark build's marts folder (one folder of Parquet files per mart)."""
    require_spark()
    folder = tmp_path_factory.mktemp("spark")
    started = time.monotonic()
    sources = prepare_spark_sources(sample_landing, folder)
    output = build_on_spark(load_settings(), sources, folder / "spark")
    finished = next((line for line in output.splitlines() if "Finished running" in line), "")
    reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:  # the wall time is part of the result (docs/scale-out.md)
        seconds = time.monotonic() - started
        reporter.write_line(f"\nspark target at S: ingest and gate with a lake, then dbt build: {seconds:.0f} s; "
                            f"dbt: {finished.strip()}")
    return folder / "spark" / "warehouse" / "marts.db"


def test_every_published_mart_is_the_same_on_spark_as_on_duckdb(built_warehouse: Path, spark_marts: Path) -> None:
    differences = compare_marts(built_warehouse, spark_marts)
    assert not differences, ("published marts differ between DuckDB and Spark (first differing rows; a difference is "
                             "a SQL construct that behaves differently on the two engines: port it through "
                             "macros/portable*.sql, see stack-notes.md, Portable SQL):\n" + "\n".join(differences))


def test_spark_checks_the_marts_keys_it_does_not_enforce(spark_marts: Path) -> None:
    """Spark's Parquet tables ignore the contracts' not_null constraints: the singular test enabled off DuckDB checks
    every declared key there, and it ran and passed in the Spark build."""
    results = json.loads((spark_marts.parents[1] / "dbt-target" / "run_results.json").read_text())["results"]
    [check] = [r for r in results if r["unique_id"].startswith("test.creator_pipeline.assert_mart_keys_not_null")]
    assert check["status"] == "pass", check


def _with_one_value_changed(spark_marts: Path, folder: Path, mart: str, column: str, change: str) -> Path:
    """A copy of a Spark mart with `column` changed by the SQL `change` (of x) in the rows of the smallest first
    column among those where it is not null, as a marts folder."""
    con = duckdb.connect()
    spark = f"read_parquet('{spark_marts / mart}/*.parquet')"
    first = con.sql(f"describe select * from {spark}").fetchall()[0][0]
    (folder / mart).mkdir(parents=True)
    row = f'(select min("{first}") from {spark} where "{column}" is not null)'
    value = change.replace("x", f'"{column}"')
    con.sql(f"""copy (select * replace (case when "{first}" = {row} then {value} else "{column}" end as "{column}")
                from {spark}) to '{folder / mart}/part-0.parquet' (format parquet)""")
    return folder


@pytest.mark.parametrize(("column", "change", "differs"), [
    ("net_revenue", "x + 0.01", True),  # a cent
    ("roas", "x * (1 + 1e-6)", True),
    ("roas", "x * (1 + 1e-12)", False),  # a float's last digits
])
def test_the_comparison_fails_on_a_changed_cent_or_rate(built_warehouse: Path, spark_marts: Path, tmp_path: Path,
                                                         column: str, change: str, differs: bool) -> None:
    """The comparison can fail: one value of the Spark creator_roi changed (and a change within 1e-9 passes)."""
    changed = _with_one_value_changed(spark_marts, tmp_path, "creator_roi", column, change)
    differences = compare_marts(built_warehouse, changed, ("creator_roi",))
    if differs:
        assert [d for d in differences if d.startswith("creator_roi [") and f"column {column} " in d
                and "DuckDB" in d and "Spark" in d], differences
    else:
        assert differences == []


def _partition_files(spark_dir: Path, schema: str, model: str) -> dict[str, dict[str, int]]:
    """A Spark table's partitions: folder name (e.g. snapshot_date=2026-10-01) -> its data files and their mtimes."""
    table = spark_dir / "warehouse" / f"{schema}.db" / model
    return {part.name: {f.name: f.stat().st_mtime_ns for f in part.glob("*.parquet")}
            for part in sorted(table.glob("*=*"))}


def _one_of_each(a: Path, c: Path) -> None:
    """Delivery C: one order of delivery A again with a refund, one comment again with its text edited, and one
    post's insights again (a key of each ID-keyed model, so each should rewrite only the bucket holding it)."""
    export = sorted((a / "shopify" / "orders_export").glob("orders_export-0*.csv"))[0]
    with export.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    first = next(r for r in rows if r["Financial Status"] == "paid")
    order = [r for r in rows if r["Name"] == first["Name"]]
    order[0] = {**order[0], "Financial Status": "partially_refunded", "Refunded Amount": "5.00"}
    _write_csv(c / "shopify" / "orders_export" / "orders_export-c.csv", order, "utf-8-sig")
    with (a / "comments" / "comment_samples.csv").open(encoding="utf-8", newline="") as fh:
        comment = next(csv.DictReader(fh))
    _write_csv(c / "comments" / "comment_samples-c.csv", [{**comment, "text": comment["text"] + " (edited)"}], "utf-8")
    insights = (a / "instagram" / "media_insights-0001.jsonl").read_text().splitlines(keepends=True)[0]
    (c / "instagram").mkdir(parents=True)
    (c / "instagram" / "media_insights-c.jsonl").write_text(insights)


def _write_csv(path: Path, rows: list[dict], encoding: str) -> None:
    path.parent.mkdir(parents=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def test_an_incremental_build_on_spark_equals_a_full_build_on_duckdb(sample_landing: Path, tmp_path: Path) -> None:
    require_spark()
    a, b = tmp_path / "a", tmp_path / "b"
    deliveries(sample_landing, a, b)
    spark_dir, warehouse = tmp_path / "spark", tmp_path / "warehouse.duckdb"
    settings = load_settings()
    build_on_spark(settings, prepare_spark_sources(a, tmp_path), spark_dir, data_tests=False)
    by_day = {("staging", "stg_tracking__follower_snapshots"), ("intermediate", "int_follower_deltas")}
    before = {table: _partition_files(spark_dir, *table) for table in by_day}
    build_on_spark(settings, prepare_spark_sources(b, tmp_path), spark_dir, data_tests=False)  # B beside A

    # Every incremental model ran as one: an insert overwrite of partitions (dbt's run folder keeps what ran).
    manifest = json.loads((spark_dir / "dbt-target" / "manifest.json").read_text())
    incremental = {node["name"]: node for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"}
    assert len(incremental) >= 10, sorted(incremental)
    for name, node in incremental.items():
        ran = spark_dir / "dbt-target" / "run" / node["package_name"] / node["original_file_path"]
        assert "insert overwrite table" in ran.read_text(), f"{name} did not run incrementally on Spark"
        assert node["config"]["partition_by"], f"{name} has no partition on Spark"
    # A day before delivery B's first is not written again: its files are the ones the first build wrote.
    for table, days in before.items():
        after = _partition_files(spark_dir, *table)
        kept = {day for day in days if day.split("=")[1] < CUTOFF}
        assert kept and all(after[day] == days[day] for day in kept), f"{table}: days before {CUTOFF} rewritten"
        assert any(day.split("=")[1] >= CUTOFF for day in after.keys() - days.keys()), f"{table}: no new day"

    # Delivery C changes one key of each ID-keyed model: each rewrites the one bucket holding it, no other.
    c = tmp_path / "c"
    _one_of_each(a, c)
    by_bucket = {(node["schema"], name) for name, node in incremental.items()
                 if node["config"]["partition_by"] == ["key_bucket"]}
    assert len(by_bucket) == 7, sorted(by_bucket)
    buckets_before = {table: _partition_files(spark_dir, *table) for table in by_bucket}
    build_on_spark(settings, prepare_spark_sources(c, tmp_path), spark_dir, data_tests=False)
    for table, buckets in buckets_before.items():
        after = _partition_files(spark_dir, *table)
        assert after.keys() == buckets.keys(), f"{table}: buckets {sorted(buckets)} became {sorted(after)}"
        rewritten = sorted(bucket for bucket in buckets if after[bucket] != buckets[bucket])
        assert len(rewritten) == 1, f"{table}: {rewritten} rewritten of {len(buckets)}; expected the one with the key"

    # DuckDB builds the same warehouse (A, B and C) from scratch: the marts must be the same, row for row.
    run_dbt(dataclasses.replace(settings, warehouse_path=warehouse), "build", "--full-refresh")
    differences = compare_marts(warehouse, spark_dir / "warehouse" / "marts.db")
    assert not differences, ("Spark's incremental build and DuckDB's full build differ (a model whose incremental "
                             "filter on Spark misses a row of a partition it writes):\n" + "\n".join(differences))
