"""``pipeline benchmark``: wall time, rows/s and peak memory of ingest and dbt at several data sizes, each beside a
bare-DuckDB baseline measured in the same run, as a ratio.

Every measured step runs in its own child process, so its peak RSS is its own (``os.wait4``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from pipeline.airflow_env import SETUP_COMMANDS, airflow_env
from pipeline.evaluate import evaluate_files
from pipeline.settings import Settings, load_settings

BARE_ROI_SQL = Path(__file__).with_name("bare_roi.sql")
# creator_pipeline with only its dbt task group run (Cosmos watcher: one dbt build, a task per node); the other
# tasks are marked successful (airflow dags test --mark-success-pattern).
NOT_DBT_TASKS = r"(?!dbt\.).*"


@dataclasses.dataclass
class Measurement:
    scale: str
    step: str
    rows: int
    seconds: float
    peak_rss_mb: float

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def measure(argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """Run a command to completion; return its wall seconds and its own peak RSS in MB."""
    with tempfile.TemporaryFile("w+") as output:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            output.seek(0)
            raise RuntimeError(f"{' '.join(argv[:4])}... failed: {output.read()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024


def _step(name: str, *args: object) -> list[str]:
    return [sys.executable, "-m", "pipeline.benchmark.steps", name, *map(str, args)]


def _count(warehouse: Path, sql: str) -> int:
    return int(subprocess.check_output(_step("count", warehouse, sql)).strip())


def ensure_landing(scale: str, root: Path) -> Path:
    landing = root / scale / "landing"
    if not (landing / "manifest.json").exists():
        print(f"generating scale {scale} into {landing} ...", flush=True)
        subprocess.run([sys.executable, "-m", "pipeline.generate.cli", "--scale", scale, "--seed", "42",
                        "--out", str(landing)], check=True, stdout=subprocess.DEVNULL)
    return landing


def bench_ingest(scale: str, root: Path) -> list[Measurement]:
    """The Shopify CSV export through the full ingest (typing, validation, PII hashing, lineage, quarantine,
    manifest) against a bare CREATE TABLE AS SELECT * FROM read_csv of the same files."""
    landing = ensure_landing(scale, root)
    files = sorted(str(p) for p in (landing / "shopify" / "orders_export").glob("*.csv"))
    work = root / scale / "ingest"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bare_db, our_db = work / "bare.duckdb", work / "ours.duckdb"
    out = []
    s, mb = measure(_step("bare_csv", bare_db, json.dumps(files)))
    out.append(Measurement(scale, "bare DuckDB read_csv CTAS", _count(bare_db, "select count(*) from t"), s, mb))
    s, mb = measure(_step("ingest", our_db, landing, "shopify_orders_csv"))
    rows = _count(our_db, "select sum(rows_read) from raw.load_manifest")
    out.append(Measurement(scale, "ingest load shopify_orders_csv", rows, s, mb))
    return out


def bench_dbt(scale: str, root: Path) -> list[Measurement]:
    """dbt build (every model, test and unit test) and a dbt run of the ROI lineage only, against the bare DuckDB
    script computing the same ROI per contract; then an incremental dbt build after one more day of data."""
    landing = ensure_landing(scale, root)
    work = root / scale / "dbt"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    held_back = _split_last_day(landing, work / "landing_all_but_last_day", work / "landing_last_day")
    warehouse = work / "warehouse.duckdb"
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    env = {**os.environ, **settings.dbt_env()}
    subprocess.run(_step("ingest", warehouse, work / "landing_all_but_last_day", "marketing", "shopify", "social"),
                   check=True)
    subprocess.run(_step("gate", warehouse, work / "quality"), check=True)  # not timed: dbt reads only gated batches
    dbt = [str(Path(sys.executable).with_name("dbt")), "--quiet"]
    project = ["--project-dir", str(settings.dbt_project_dir), "--profiles-dir", str(settings.dbt_project_dir)]
    rows = _count(warehouse, "select count(*) from raw.shopify_order_lines_csv")
    out = []
    s, mb = measure(_step("bare_sql", warehouse, BARE_ROI_SQL))
    out.append(Measurement(scale, "bare DuckDB ROI script", rows, s, mb))
    subprocess.run([*dbt, "seed", *project], env=env, cwd=settings.dbt_project_dir, check=True)  # not timed
    s, mb = measure([*dbt, "run", "--full-refresh", "--select", "+creator_roi", *project], env=env,
                    cwd=settings.dbt_project_dir)
    out.append(Measurement(scale, "dbt run +creator_roi (full refresh)", rows, s, mb))
    s, mb = measure([*dbt, "build", "--full-refresh", *project], env=env, cwd=settings.dbt_project_dir)
    out.append(Measurement(scale, PLAIN_BUILD, rows, s, mb))
    out += bench_airflow_dbt(scale, work, settings, rows)
    _check_same_roi(warehouse)
    # Verdict precision and recall against the planted cases, on the full build's marts.
    evaluation = evaluate_files(warehouse, landing / "ground_truth.json", schema="marts")
    print(f"scale {scale}, planted cases:\n{evaluation.as_text()}\n", flush=True)
    subprocess.run(_step("ingest", warehouse, work / "landing_last_day", "shopify", "social"), check=True)
    subprocess.run(_step("gate", warehouse, work / "quality"), check=True)
    s, mb = measure([*dbt, "build", *project], env=env, cwd=settings.dbt_project_dir)
    out.append(Measurement(scale, f"dbt build, incremental (+{held_back} order lines)", held_back, s, mb))
    return out


def bench_airflow_dbt(scale: str, work: Path, settings: Settings, rows: int) -> list[Measurement]:
    """The same full build as creator_pipeline's dbt task group runs it under ``airflow dags test``: the group's span
    (first dbt task start to last end, from Airflow's metadata DB) and the whole command (Airflow start-up, DAG
    parse included). The warehouse holds no recorded build configuration, so run_dbt builds with --full-refresh,
    as the plain build above."""
    env = {**airflow_env(settings), "AIRFLOW_HOME": str(work / "airflow"), "PIPELINE_DATA_DIR": str(work),
           "PIPELINE_WAREHOUSE": str(settings.warehouse_path), "PIPELINE_DBT_TASKS": "models"}
    airflow = [sys.executable, "-m", "airflow"]
    for command in SETUP_COMMANDS:  # not timed
        subprocess.run([*airflow, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    s, mb = measure([*airflow, "dags", "test", "creator_pipeline", "--mark-success-pattern", NOT_DBT_TASKS], env=env)
    con = sqlite3.connect(work / "airflow" / "airflow.db")
    try:
        first, last, tasks, failed = con.execute(
            "select min(start_date), max(end_date), count(*), count(*) filter (where state <> 'success') "
            "from task_instance where task_id like 'dbt.%'").fetchone()
    finally:
        con.close()
    if failed:
        raise RuntimeError(f"{failed} of the {tasks} dbt tasks did not succeed: see {work / 'airflow' / 'logs'}")
    span = (_timestamp(last) - _timestamp(first)).total_seconds()
    return [Measurement(scale, f"Airflow dbt task group ({tasks} tasks), its span", rows, span, mb),
            Measurement(scale, "  airflow dags test of that group, whole command", rows, s, mb)]


def _timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _check_same_roi(warehouse: Path) -> None:
    import duckdb

    con = duckdb.connect(str(warehouse))
    con.execute(BARE_ROI_SQL.read_text())
    diff = con.execute("select count(*) from bare_roi b join marts.creator_roi m using (contract_id) "
                       "where b.net_revenue <> m.net_revenue or b.creator_cost <> m.creator_cost").fetchall()[0][0]
    con.close()
    if diff:
        raise RuntimeError(f"the bare ROI script disagrees with the mart on {diff} contracts: not a fair baseline")


def _split_last_day(landing: Path, before: Path, last: Path) -> int:
    """Copy the landing folder without the last day's orders and snapshots; put those in a second folder."""
    info = json.loads((landing / "manifest.json").read_text())
    last_day = info["end"]
    for folder in (before, last):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(landing, before, ignore=shutil.ignore_patterns("orders_api", "follower_snapshots.csv"))
    import duckdb

    con = duckdb.connect()
    (last / "followers").mkdir(parents=True)
    (last / "shopify" / "orders_api").mkdir(parents=True)
    snapshots = landing / "followers" / "follower_snapshots.csv"
    con.execute(f"copy (select * from read_csv('{snapshots}', all_varchar=true) where snapshot_date < '{last_day}') "
                f"to '{before / 'followers' / 'follower_snapshots.csv'}' (header)")
    con.execute(f"copy (select * from read_csv('{snapshots}', all_varchar=true) where snapshot_date = '{last_day}') "
                f"to '{last / 'followers' / 'follower_snapshots-last-day.csv'}' (header)")
    # API pages are the newest orders: the pages holding the last day go in the second delivery.
    kept, moved, lines_moved = [], [], 0
    for page_file in sorted((landing / "shopify" / "orders_api").glob("*.jsonl")):
        for line in page_file.read_text().splitlines(keepends=True):
            orders = json.loads(line)["response"]["orders"]
            if any(o["created_at"][:10] >= last_day for o in orders):
                moved.append(line)
                lines_moved += sum(len(o["line_items"]) for o in orders)
            else:
                kept.append(line)
    (before / "shopify" / "orders_api").mkdir(parents=True, exist_ok=True)
    (before / "shopify" / "orders_api" / "orders-before.jsonl").write_text("".join(kept))
    (last / "shopify" / "orders_api" / "orders-last-day.jsonl").write_text("".join(moved))
    return lines_moved


PLAIN_BUILD = "dbt build, all models + tests"


def print_table(rows: list[Measurement]) -> None:
    print(f"{'scale':5} {'step':52} {'rows':>11} {'wall s':>8} {'rows/s':>11} {'peak RSS MB':>11} {'vs bare':>8} "
          f"{'vs build':>8}")
    baseline: dict[str, Measurement] = {}
    build: dict[str, Measurement] = {}
    for m in rows:
        if m.step.startswith("bare"):
            baseline[m.scale] = m
        if m.step == PLAIN_BUILD:
            build[m.scale] = m
        base = baseline.get(m.scale)
        ratio = ""
        if base and m is not base:
            ratio = f"{base.seconds / m.seconds:.2f}x" if "incremental" not in m.step else ""
        # The dbt task group's time over one plain dbt build of the same data (goal at M: at most 1.10x).
        overhead = f"{m.seconds / build[m.scale].seconds:.2f}x" if "airflow" in m.step.lower() else ""
        print(f"{m.scale:5} {m.step:52} {m.rows:>11,} {m.seconds:>8.2f} {m.rows_per_s:>11,.0f} "
              f"{m.peak_rss_mb:>11,.0f} {ratio:>8} {overhead:>8}")


def main(kind: str, scales: list[str], root: Path) -> None:
    results: list[Measurement] = []
    for scale in scales:
        results += bench_ingest(scale, root) if kind == "ingest" else bench_dbt(scale, root)
        print_table(results)
        print(flush=True)
    print("'vs bare' = bare DuckDB wall time / this step's wall time (1.00x = as fast as bare DuckDB; "
          "throughput ratio for ingest). 'vs build' = this step's wall time / one plain dbt build's.")

