"""``pipeline benchmark spark``: the same dbt project built on both targets from the same gated batches: DuckDB (the
warehouse file) and Spark (dbt-spark in session mode: a local Spark in a JVM started by dbt's process). Prints the
wall time and peak memory of each build, Spark's fixed start-up cost, then one more day of orders and snapshots built
incrementally on each, and checks after each build that both hold the same marts.

Needs the optional extra (`uv run --extra spark`) and Java 17."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from pipeline.benchmark.run import Measurement, count_rows, dbt_command, ensure_landing, measure, split_last_day, step
from pipeline.benchmark.same_marts import compare_marts
from pipeline.dbt import DUCKDB_ONLY
from pipeline.publish import MARTS
from pipeline.settings import load_settings

GROUPS = ("marketing", "shopify", "social")


def bench_spark(scale: str, root: Path) -> list[Measurement]:
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        raise SystemExit("the Spark target needs the optional extra: `uv run --extra spark pipeline benchmark spark` "
                         "(and Java 17: apt-get install openjdk-17-jre-headless)")
    landing = ensure_landing(scale, root)
    work = root / scale / "spark"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse, lake, spark_dir = work / "warehouse.duckdb", work / "lake", work / "spark"
    split_last_day(landing, work / "landing_all_but_last_day", work / "landing_last_day")
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    env = {**os.environ, **settings.dbt_env(), "PIPELINE_LAKE_DIR": str(lake), "PIPELINE_SPARK_DIR": str(spark_dir),
           "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")}

    def load(folder: Path, *groups: str) -> None:
        """Not timed: the same gated batches for both targets (ingest writes the lake Spark reads beside the
        DuckDB file)."""
        subprocess.run(step("ingest", warehouse, folder, *groups), env=env, check=True)
        subprocess.run(step("gate", warehouse, work / "quality"), env=env, check=True)

    def dbt(target: str, *args: str) -> tuple[float, float]:
        return measure(dbt_command(settings, *args, "--target", target), env=env, cwd=settings.dbt_project_dir,
                       tree=True)

    def same_marts(build: str) -> None:
        """The two targets must build the same marts, or their times compare different work."""
        differences = compare_marts(warehouse, spark_dir / "warehouse" / "marts.db")
        if differences:
            raise RuntimeError(f"scale {scale}, {build}: the published marts differ between DuckDB and Spark:\n  "
                               + "\n  ".join(differences))
        print(f"scale {scale}, {build}: the {len(MARTS)} published marts are the same on Spark and on DuckDB, row "
              "for row", flush=True)

    load(work / "landing_all_but_last_day", *GROUPS)
    rows = count_rows(warehouse, "select sum(rows_loaded) from raw.load_manifest")
    # Start-up: `dbt debug` opens a connection to the target; on Spark that starts the JVM and a Spark session.
    s, mb = dbt("dev", "debug")
    duck_start = Measurement(scale, "dbt debug, DuckDB target (start-up)", 0, s, mb)
    s, mb = dbt("spark", "debug")
    spark_start = Measurement(scale, "dbt debug, Spark target (start-up)", 0, s, mb, duck_start)
    # The same nodes on both: models, seeds and data tests (the unit tests and the snapshot run on DuckDB only).
    s, mb = dbt("dev", "build", "--full-refresh", *DUCKDB_ONLY)
    duck = Measurement(scale, "dbt build, DuckDB target", rows, s, mb)
    s, mb = dbt("spark", "build", "--full-refresh", *DUCKDB_ONLY)
    spark = Measurement(scale, "dbt build, Spark target", rows, s, mb, duck)
    same_marts("full build")
    # One more day of orders and snapshots, built incrementally on each (ratio: that engine's full build).
    load(work / "landing_last_day", "shopify", "social")
    day = count_rows(warehouse, "select sum(rows_loaded) from raw.load_manifest") - rows
    s, mb = dbt("dev", "build", *DUCKDB_ONLY)
    duck_day = Measurement(scale, f"  incremental, DuckDB (+{day} raw rows)", day, s, mb, duck)
    s, mb = dbt("spark", "build", *DUCKDB_ONLY)
    spark_day = Measurement(scale, f"  incremental, Spark (+{day} raw rows)", day, s, mb, spark)
    same_marts("after the incremental build")
    return [duck_start, spark_start, duck, spark, duck_day, spark_day]
