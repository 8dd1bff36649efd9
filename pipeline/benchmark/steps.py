"""The steps the benchmark measures, each run in its own child process: ``python -m pipeline.benchmark.steps``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb


def bare_csv(warehouse: str, files_json: str) -> None:
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    con.execute("create table t as select * from read_csv(?, union_by_name = true)", [json.loads(files_json)])


def ingest(warehouse: str, landing: str, *groups: str) -> None:
    from ingest.cli import load_with_results

    load_with_results(list(groups), Path(landing), Path(warehouse), "benchmark-key")


def gate(warehouse: str, quality_dir: str) -> None:
    """The raw gate, as the pipeline runs it before dbt: dbt reads only the batches it passed."""
    from expectations.gate import run_raw_gate

    rejected = run_raw_gate(Path(warehouse), Path(quality_dir), "benchmark")
    if rejected:
        raise SystemExit("the raw gate rejected benchmark batches:\n" + "\n".join(rejected))


def bare_sql(warehouse: str, sql_file: str) -> None:
    con = duckdb.connect(warehouse)
    con.execute("set enable_progress_bar = false")
    con.execute(Path(sql_file).read_text())


def count(warehouse: str, sql: str) -> None:
    print(duckdb.connect(warehouse, read_only=True).execute(sql).fetchall()[0][0])


if __name__ == "__main__":
    steps = {"bare_csv": bare_csv, "ingest": ingest, "gate": gate, "bare_sql": bare_sql, "count": count}
    steps[sys.argv[1]](*sys.argv[2:])
