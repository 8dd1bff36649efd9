"""``pipeline benchmark stages``: every step of a daily run in order on one warehouse (ingest, raw gate, dbt build,
mart gate, publish, weekly report), each beside a bare-DuckDB baseline doing the same reading and computing without
the pipeline around it. Rows = the rows the step reads."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path

from pipeline.benchmark.run import Measurement, count_rows, dbt_command, ensure_landing, measure, step
from pipeline.publish import MARTS
from pipeline.settings import load_settings

GROUPS = ("marketing", "shopify", "social")
RUN_ID = "benchmark"
MART_ROWS = "select " + " + ".join(f"(select count(*) from marts.{m})" for m in MARTS)


def done(m: Measurement) -> Measurement:
    """Print a step as soon as it is measured: an L run takes an hour, and a run stopped half-way keeps its figures."""
    print(f"{m.scale} {m.step.strip()}: {m.rows:,} rows, {m.seconds:.2f} s, peak RSS {m.peak_rss_mb:,.0f} MB",
          flush=True)
    return m


def bench_stages(scale: str, root: Path) -> list[Measurement]:
    landing = ensure_landing(scale, root)
    last_day = json.loads((landing / "manifest.json").read_text())["end"]
    work = root / scale / "stages"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse, quality, serving = work / "warehouse.duckdb", work / "quality", work / "serving"
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse, serving_dir=serving)
    env = {**os.environ, **settings.dbt_env(), "PIPELINE_SERVING_DIR": str(serving)}

    def pair(name: str, rows: int, ours: list[str], bare_name: str, bare: list[str]) -> list[Measurement]:
        """The bare baseline first (read-only, or on files of its own), then the step itself."""
        s, mb = measure(bare, env=env)
        baseline = done(Measurement(scale, f"  bare: {bare_name}", rows, s, mb))
        s, mb = measure(ours, env=env)
        return [baseline, done(Measurement(scale, name, rows, s, mb, baseline))]

    bare_db = work / "bare_landing.duckdb"
    s, mb = measure(step("bare_landing", bare_db, landing))
    bare = done(Measurement(scale, "  bare: DuckDB read_csv/read_json of every file",
                            count_rows(bare_db, "select sum(estimated_size) from duckdb_tables()"), s, mb))
    bare_db.unlink()  # at L it is gigabytes: the disk is shared
    s, mb = measure(step("ingest", warehouse, landing, *GROUPS), env=env)
    raw_rows = count_rows(warehouse, "select sum(rows_read) from raw.load_manifest")
    out = [bare, done(Measurement(scale, f"ingest load {' '.join(GROUPS)}", raw_rows, s, mb, bare))]

    raw_rows = count_rows(warehouse, "select sum(rows_loaded) from raw.load_manifest")
    out += pair("raw gate, every new batch (GX)", raw_rows, step("gate", warehouse, quality),
                "the raw suites' frame queries", step("bare_gate", warehouse, "raw"))

    subprocess.run(dbt_command(settings, "seed"), env=env, cwd=settings.dbt_project_dir, check=True,
                   stdout=subprocess.DEVNULL)  # not timed
    s, mb = measure(dbt_command(settings, "build", "--full-refresh"), env=env, cwd=settings.dbt_project_dir)
    # Its bare baseline (every model's compiled SQL) is `pipeline benchmark dbt`: a second copy of the warehouse at L
    # would not fit beside this one on the shared disk.
    out.append(done(Measurement(scale, "dbt build --full-refresh (ratio: benchmark dbt)", raw_rows, s, mb)))

    mart_rows = count_rows(warehouse, MART_ROWS)
    out += pair("mart gate, every mart (GX)", mart_rows, step("mart_gate", warehouse, quality, RUN_ID),
                "the mart suites' frame queries", step("bare_gate", warehouse, "marts"))
    parquet = work / "bare_parquet"
    parquet.mkdir()
    out += pair("publish (DuckDB file + Parquet, checked)", mart_rows, step("publish", RUN_ID),
                "COPY each mart TO parquet", step("bare_publish", warehouse, parquet))
    shutil.rmtree(parquet)
    serving_file = settings.serving_path.resolve()
    out += pair("weekly report (queries, charts, PDF)", count_rows(serving_file, MART_ROWS.replace("marts.", "")),
                step("report", serving_file, work / "reports", last_day),
                "the report's queries", step("bare_report", serving_file, last_day))
    return out
