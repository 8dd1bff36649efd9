"""Operations on the PII key of a built warehouse (docs/pii.md): re-key every pseudonym to a new key, and find a
quarantined line in its landing file by the keyed hash the quarantine keeps instead of the line."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path

from ingest.encoding import detect_encoding
from ingest.errors import IngestError
from ingest.lake import lake_path, sync
from ingest.loader import ensure_table, file_checksum, load_file
from ingest.sources import ALL_SOURCES
from ingest.sql import quote_ident
from ingest.warehouse import check_key_fingerprint, connect, key_fingerprint
from pipeline.publish import fsync_path
from pipeline.settings import check_pii_key, load_settings

log = logging.getLogger(__name__)

# The schemas dbt builds from the raw tables. Their pseudonyms are under the old key after a re-key, so rekey drops
# them and the next `dbt build` rebuilds them whole (an incremental model with no table is built in full). Seeds
# (reference) and the snapshot of creator profiles hold no customer data and are kept.
DBT_MODEL_SCHEMAS = ("staging", "intermediate", "marts")


def rekey(warehouse: Path, new_key: str) -> int | None:
    """Re-derive every pseudonym under ``new_key``. Hashes cannot be reversed, so the raw tables are rebuilt from
    the landing files the manifest lists, each reloaded as the load it was (same load id and time, same order),
    in a copy of the warehouse that replaces it in one rename. The dbt schemas are dropped: the next ``dbt build``
    rebuilds them. Returns the number of files reloaded, None if the warehouse already uses the key."""
    check_pii_key(new_key)
    if not warehouse.is_file():
        raise ValueError(f"no warehouse at {warehouse}: nothing to re-key (check PIPELINE_WAREHOUSE)")
    work = warehouse.with_name(warehouse.name + ".rekey")
    writer = connect(warehouse)
    writer.execute("checkpoint")  # fold any write-ahead log into the file we copy
    writer.close()
    # A read-only connection holds the file against writers until the swap, and never writes a log of its own.
    con = connect(warehouse, read_only=True)
    try:
        stored = con.execute("select fingerprint from raw.pii_key_fingerprint").fetchall()
        if stored and stored[0][0] == key_fingerprint(new_key):
            return None
        loads = con.execute("select load_id, source, file_path, checksum, started_at from raw.load_manifest "
                            "order by started_at, load_id").fetchall()
        _check_landing_files(loads)
        for stale in (work, work.with_name(work.name + ".wal")):
            stale.unlink(missing_ok=True)  # left by a killed rekey
        shutil.copyfile(warehouse, work)
        _rebuild(work, new_key, loads)
        os.replace(work, warehouse)
        fsync_path(warehouse.parent)  # the rename itself made durable
    finally:
        con.close()
        work.unlink(missing_ok=True)
    _rewrite_lake(warehouse)
    log.info("re-keyed warehouse %s: %d files reloaded; schemas %s dropped, the next dbt build rebuilds them",
             warehouse, len(loads), ", ".join(DBT_MODEL_SCHEMAS))
    return len(loads)


def _rewrite_lake(warehouse: Path) -> None:
    """The lake's batch files (PIPELINE_LAKE_DIR) hold the old key's pseudonyms: written again from the re-keyed
    warehouse (until that ends, a lake reader finds fewer batches, never a mix of keys)."""
    lake = lake_path(load_settings().lake_dir)
    if lake is None:
        return
    shutil.rmtree(lake / "raw", ignore_errors=True)
    con = connect(warehouse)
    try:
        written = sync(con, lake)
    finally:
        con.close()
    log.info("lake %s: %d batch files written again under the new key", lake, written)


def _check_landing_files(loads: list[tuple]) -> None:
    """Every loaded file must still be there, unchanged: it is the only place the clear values are."""
    for load_id, source, file_path, checksum, _ in loads:
        if source not in ALL_SOURCES:
            raise ValueError(f"load {load_id} is of source {source!r}, which this release does not declare: "
                             f"re-key with the release that loaded it")
        path = Path(file_path)
        if not path.is_file():
            raise IngestError(path, f"loaded as {load_id} but missing: re-keying reloads every loaded landing file; "
                              "restore it (from the landing folder's backup), then run `ingest rekey` again")
        if file_checksum(path) != checksum:
            raise IngestError(path, f"changed since it was loaded as {load_id} (checksum differs): restore the file "
                              "as it was loaded, then run `ingest rekey` again")


def _rebuild(work: Path, new_key: str, loads: list[tuple]) -> None:
    con = connect(work)
    try:
        for source in ALL_SOURCES.values():
            con.execute(f"drop table if exists raw.{quote_ident(source.table)}")
            ensure_table(con, source)
        con.execute("delete from raw.quarantine; delete from raw.load_manifest; delete from raw.pii_key_fingerprint")
        check_key_fingerprint(con, work, new_key)
        for load_id, source, file_path, _, started_at in loads:
            load_file(con, ALL_SOURCES[source], Path(file_path), new_key, as_load=(load_id, started_at))
        for schema in DBT_MODEL_SCHEMAS:
            con.execute(f"drop schema if exists {quote_ident(schema)} cascade")
        con.execute("checkpoint")
    finally:
        con.close()


def locate_line(path: Path, line_hash: str, pii_key: str) -> list[int]:
    """The numbers (1 = first) of the file's lines whose keyed hash is ``line_hash``: the quarantine keeps only that
    hash of a line it could not read, as the line may hold personal data. The hash is of the line's UTF-8 text, as
    ingest read it (a file in another encoding is decoded as the load decoded it)."""
    if not path.is_file():
        raise IngestError(path, "no such file: give the landing file named in raw.quarantine.file_name")
    prefix = pii_key.encode() + b":"
    with path.open(encoding=detect_encoding(path, load_settings().ingest_encoding), newline="\n") as fh:
        return [n for n, line in enumerate(fh, 1)
                if hashlib.sha256(prefix + line.rstrip("\r\n").encode()).hexdigest() == line_hash]
