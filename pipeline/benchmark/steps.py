"""The steps the benchmark measures, each run in its own child process: ``python -m pipeline.benchmark.steps``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from pipeline.benchmark.dbt_nodes import bare_models
from pipeline.settings import load_settings


def bare_csv(warehouse: str, files_json: str) -> None:
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    con.execute("create table t as select * from read_csv(?, union_by_name = true)", [json.loads(files_json)])


def ingest(warehouse: str, landing: str, *groups: str) -> None:
    from ingest.runs import load_with_results

    load_with_results(list(groups), Path(landing), Path(warehouse), "benchmark-key")


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


def count(warehouse: str, sql: str) -> None:
    print(duckdb.connect(warehouse, read_only=True).execute(sql).fetchall()[0][0])


if __name__ == "__main__":
    steps = {"bare_csv": bare_csv, "ingest": ingest, "gate": gate, "bare_marts": bare_marts, "count": count}
    steps[sys.argv[1]](*sys.argv[2:])
