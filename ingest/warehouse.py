"""The warehouse file: connection (with a readable error when another process holds it), the tables every load
writes besides its own raw table, and the fingerprint of the PII key its pseudonyms were made with."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from pathlib import Path

import duckdb

from ingest.connectors.redaction import redact
from ingest.errors import PiiKeyMismatch, WarehouseLocked, WarehouseMissing
from pipeline.settings import LOCK_WAIT_ENV, load_settings

log = logging.getLogger(__name__)

# DuckDB on Linux: 'Could not set lock on file "...": Conflicting lock is held in /usr/bin/python3 (PID 8582).'
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
# The fingerprint is the keyed hash of this constant: it tells keys apart and reveals nothing of the key.
FINGERPRINT_INPUT = "creator-pipeline PII key fingerprint v1"

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
-- A landing file skipped because its content was already loaded (a second download, a re-saved or touched file), by
-- path: the new-file sensor compares the landing folder with the manifest and this, so such a file is not new again
-- on every run.
create table if not exists raw.skipped_files (
    file_path varchar primary key,
    checksum varchar not null,
    loaded_as varchar not null,
    skipped_at timestamptz not null
);
-- A landing file that could not be loaded at all (no rows written), by path, with its modification time then: the
-- new-file sensor and the ingest DAG leave it out until it changes, so one bad delivery fails one run, not every
-- run until Airflow pauses the DAG (and later deliveries wait unseen). `ingest load` still tries it, to say why.
create table if not exists raw.unloadable_files (
    file_path varchar primary key,
    modified_ns bigint not null,
    failed_at timestamptz not null
);
create table if not exists raw.pii_key_fingerprint (
    fingerprint varchar not null,
    recorded_at timestamptz not null
);
-- Columns added since the first release: warehouses created before get them in place.
alter table raw.load_manifest add column if not exists records_already_delivered bigint default 0;
alter table raw.quarantine add column if not exists line_hash varchar;
alter table raw.load_manifest add column if not exists status varchar default 'loaded';  -- loaded | empty
alter table raw.load_manifest add column if not exists encoding varchar;  -- the text encoding the file was read in
"""


def connect(path: Path, read_only: bool = False, lock_wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse. While another process holds it, retry for ``lock_wait`` seconds (default
    $PIPELINE_WAREHOUSE_LOCK_WAIT_SECONDS, 0), then raise WarehouseLocked naming the holder. Reading a warehouse
    that does not exist raises WarehouseMissing (writing creates it)."""
    settings = load_settings()  # a malformed setting raises ValueError naming the variable
    if read_only:
        require_warehouse(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = _open(path, read_only, settings.warehouse_lock_wait if lock_wait is None else lock_wait)
    # The progress bar draws on stdout even without a terminal; our own logging reports progress.
    con.execute("set enable_progress_bar = false")
    # Bounded memory: past the limit DuckDB spills to its temp directory (<warehouse>.tmp) instead of growing.
    con.execute("set memory_limit = ?", [settings.ingest_memory_limit])
    if not read_only:
        con.execute(BOOTSTRAP)
    return con


def require_warehouse(path: Path) -> None:
    if not path.is_file():
        raise WarehouseMissing(f"no warehouse at {path} yet: run `ingest load` (or `pipeline demo`) first, or set "
                               "PIPELINE_WAREHOUSE to an existing warehouse file (or PIPELINE_DATA_DIR to the folder "
                               "that holds its warehouse.duckdb)")


def _open(path: Path, read_only: bool, lock_wait: float) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "Could not set lock" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseLocked(locked_message(path, str(exc), lock_wait)) from exc
            time.sleep(min(0.5, max(deadline - time.monotonic(), 0.01)))


def locked_message(path: Path, error: str, waited: float = 0) -> str:
    """What to tell a user about DuckDB's lock ``error`` on ``path``: who holds it, where BI reads, what to do."""
    match = _LOCK_HOLDER.search(error)
    if match:
        pid = match["pid"]
        holder = f"PID {pid} ({_command_line(pid) or match['program']})"
        retry = f"retry when PID {pid} ends"
    else:
        holder, retry = "another process", "retry when it ends"
    wait = f" (waited {waited:g} s)" if waited else f" (or set {LOCK_WAIT_ENV} to wait for it)"
    try:
        serving = f"the serving file {load_settings().serving_path}"
    except ValueError:  # a malformed setting must not hide the lock error this message reports
        serving = "the serving file (data/serving/current/marts.duckdb)"
    # The holder's command line may carry a secret passed as an argument.
    return redact(f"warehouse {path} is held by {holder}: DuckDB allows one writing process, or only readers, per "
                  f"file. BI tools must read {serving} (or its Parquet files), never the warehouse; {retry}{wait}")


def _command_line(pid: str) -> str:
    """The holder's command line, shortened: it says which tool it is (a BI tool, dbt, a notebook)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:  # not Linux, or the process ended meanwhile
        return ""
    text = " ".join(" ".join(a.decode(errors="replace").split()) for a in args if a)  # one line
    return text if len(text) <= 160 else text[:157] + "..."


def key_fingerprint(pii_key: str) -> str:
    return hashlib.sha256(f"{pii_key}:{FINGERPRINT_INPUT}".encode()).hexdigest()


def check_key_fingerprint(con: duckdb.DuckDBPyConnection, path: Path, pii_key: str) -> None:
    """The first load records the key's fingerprint; a load with another key is refused: the same customer would
    get two pseudonyms and new-customer counts would double."""
    fingerprint = key_fingerprint(pii_key)
    stored = con.execute("select fingerprint from raw.pii_key_fingerprint").fetchall()
    if not stored:
        if con.execute("select count(*) from raw.load_manifest").fetchall()[0][0]:
            log.warning("warehouse %s has no PII key fingerprint (built before fingerprints): recording this run's "
                        "key; if its data were pseudonymised with another key, run `ingest rekey`", path)
        con.execute("insert into raw.pii_key_fingerprint values (?, now())", [fingerprint])
    elif stored[0][0] != fingerprint:
        raise PiiKeyMismatch(
            f"warehouse {path} was pseudonymised with another PII key (fingerprint {stored[0][0][:12]}) than this "
            f"run's PIPELINE_PII_KEY (fingerprint {fingerprint[:12]}): loading on would give every customer two "
            f"pseudonyms. Set the key the warehouse was built with, or re-key the warehouse to this key with "
            f"`ingest rekey` (docs/pii.md)")
