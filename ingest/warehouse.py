"""The warehouse file: connection, and the tables every load writes besides its own raw table."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

BOOTSTRAP = """
create schema if not exists raw;
create table if not exists raw.load_manifest (
    load_id varchar primary key,
    source varchar not null,
    file_path varchar not null,
    file_name varchar not null,
    checksum varchar not null,
    file_bytes bigint not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    records_already_delivered bigint not null,
    extra_columns varchar[],
    started_at timestamptz not null,
    finished_at timestamptz not null
);
create table if not exists raw.quarantine (
    load_id varchar not null,
    source varchar not null,
    file_name varchar not null,
    source_row bigint,
    column_name varchar,
    raw_value varchar,
    reason varchar not null,
    quarantined_at timestamptz not null
);
-- Columns added since the first release: warehouses created before get them in place.
alter table raw.load_manifest add column if not exists records_already_delivered bigint default 0;
"""


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    # The progress bar draws on stdout even without a terminal; our own logging reports progress.
    con.execute("set enable_progress_bar = false")
    # Bounded memory: past the limit DuckDB spills to its temp directory (<warehouse>.tmp) instead of growing.
    con.execute("set memory_limit = ?", [os.environ.get("PIPELINE_INGEST_MEMORY_LIMIT", "1GB")])
    if not read_only:
        con.execute(BOOTSTRAP)
    return con
