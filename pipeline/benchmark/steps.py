"""The steps the benchmark measures, each run in its own child process: ``python -m pipeline.benchmark.steps``."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb

from pipeline.benchmark.dbt_nodes import bare_models
from pipeline.settings import load_settings
from serve.report.week import ReportWeek, week_before


def bare_csv(warehouse: str, files_json: str) -> None:
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    con.execute("create table t as select * from read_csv(?, union_by_name = true)", [json.loads(files_json)])


def ingest(warehouse: str, landing: str, *groups: str) -> None:
    from ingest.runs import load_with_results

    load_with_results(list(groups), Path(landing), Path(warehouse), "benchmark-key-not-secret")


def gate(warehouse: str, quality_dir: str) -> None:
    """The raw gate, as the pipeline runs it before dbt: dbt reads only the batches it passed."""
    from expectations.gate import run_raw_gate

    rejected = run_raw_gate(Path(warehouse), Path(quality_dir), "benchmark")
    if rejected:
        raise SystemExit("the raw gate rejected benchmark batches:\n" + "\n".join(rejected))


def bare_marts(warehouse: str, target_dir: str) -> None:
    """Every model dbt built, from its compiled SQL, as CREATE OR REPLACE in one DuckDB connection with dbt's DuckDB
    settings: the same marts without dbt (no tests, no per-node start-up, no transactions of its own)."""
    settings = load_settings()
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    con.execute("set memory_limit = ?", [settings.dbt_memory_limit])
    con.execute(f"set threads = {settings.duckdb_threads}")
    con.execute("set temp_directory = ?", [str(settings.dbt_temp_dir or f"{warehouse}.tmp")])
    for model in bare_models(Path(target_dir)):
        con.execute(f"create schema if not exists {model.schema}")
        con.execute(f"create or replace {model.kind} {model.relation} as {model.sql}")


def bare_landing(warehouse: str, landing: str) -> None:
    """Every landing file read into a table with DuckDB's own readers (one table per folder and format): the
    parsing ingest cannot avoid, without its typing, validation, PII hashing, lineage and quarantine."""
    readers = {".csv": "read_csv", ".jsonl": "read_json", ".json": "read_json"}
    groups: defaultdict[tuple[Path, str], list[str]] = defaultdict(list)
    for path in sorted(Path(landing).rglob("*")):
        if path.suffix in readers and path.stat().st_size:
            groups[(path.parent, path.suffix)].append(str(path))
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    for n, ((_folder, suffix), files) in enumerate(sorted(groups.items())):
        con.execute(f"create table t{n} as select * from {readers[suffix]}(?, union_by_name = true)", [files])


def bare_gate(warehouse: str, gate: str) -> None:
    """The gate's frame queries alone (raw: on the pending batches; marts: every mart), on a connection with the
    gate's settings: what the gate costs without GX, Parquet frames, Data Docs and its records."""
    from expectations.gate import batches_by_source, mart_frames, raw_frames
    from expectations.state import ensure_gate_tables, pending_batches
    from ingest.warehouse import connect

    con = connect(Path(warehouse))
    ensure_gate_tables(con)
    _, frames = raw_frames(batches_by_source(pending_batches(con))) if gate == "raw" else mart_frames(con)
    for sql in frames.values():
        con.execute(sql).fetchall()


def mart_gate(warehouse: str, quality_dir: str, run_id: str) -> None:
    from expectations.gate import run_mart_gate

    run_mart_gate(Path(warehouse), Path(quality_dir), run_id)


def publish(run_id: str) -> None:
    """As creator_pipeline's publish task (PIPELINE_WAREHOUSE, PIPELINE_SERVING_DIR): only what the gate passed."""
    from pipeline.tasks import publish_marts

    publish_marts(run_id)


def bare_publish(warehouse: str, out_dir: str) -> None:
    """One plain ``COPY (select * from mart) TO parquet`` per mart."""
    from pipeline.publish import MARTS

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("attach ? as wh (read_only)", [warehouse])
    for mart in MARTS:
        con.execute(f"copy (select * from wh.marts.{mart}) to '{Path(out_dir) / mart}.parquet' (format parquet)")


def _report_week(last_day: str) -> ReportWeek:
    """The week holding the sample's last day, as the demo's report reports it."""
    return week_before(datetime.combine(date.fromisoformat(last_day) + timedelta(days=1), time(7), UTC), "UTC")


def report(serving_path: str, report_dir: str, last_day: str) -> None:
    """The whole weekly report (queries, charts, HTML, PDF, Markdown), as ``pipeline report`` builds it."""
    from serve.report import build_report

    build_report(Path(serving_path), Path(report_dir), week=_report_week(last_day), timezone="UTC", on_stale="mark")


def bare_report(serving_path: str, last_day: str) -> None:
    """The report's queries alone (serve.report.data.collect), without charts and documents."""
    from serve.report.data import collect

    collect(Path(serving_path), _report_week(last_day))


def count(warehouse: str, sql: str) -> None:
    print(duckdb.connect(warehouse, read_only=True).execute(sql).fetchall()[0][0])


if __name__ == "__main__":
    steps = {"bare_csv": bare_csv, "ingest": ingest, "gate": gate, "bare_marts": bare_marts, "count": count,
             "bare_landing": bare_landing, "bare_gate": bare_gate, "mart_gate": mart_gate, "publish": publish,
             "bare_publish": bare_publish, "report": report, "bare_report": bare_report}
    steps[sys.argv[1]](*sys.argv[2:])
