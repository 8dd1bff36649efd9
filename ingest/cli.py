"""``ingest``: load landing files into the warehouse's raw tables, report what the manifest holds, and re-key the
pseudonyms to a new PII key."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import shutil
import sys
from pathlib import Path

import duckdb

from ingest.encoding import detect_encoding
from ingest.errors import (
    IngestError,
    PiiKeyMismatch,
    RejectShareExceeded,
    WarehouseLocked,
    WarehouseMissing,
    WarehouseSchemaError,
)
from ingest.loader import ensure_table, file_checksum, load_file, unmatched_files
from ingest.runs import check_reject_shares, load_with_results, summarise
from ingest.sources import ALL_SOURCES, GROUPS
from ingest.sql import quote_ident
from ingest.warehouse import check_key_fingerprint, connect, key_fingerprint
from pipeline.publish import fsync_path
from pipeline.settings import Settings, check_pii_key, load_gate_settings, load_settings

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
    log.info("re-keyed warehouse %s: %d files reloaded; schemas %s dropped, the next dbt build rebuilds them",
             warehouse, len(loads), ", ".join(DBT_MODEL_SCHEMAS))
    return len(loads)


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


def _print_status(warehouse: Path) -> None:
    con = connect(warehouse, read_only=True)
    try:
        rows = con.execute("select source, count(*), count(*) filter (where file_bytes = 0), sum(rows_read), "
                           "sum(rows_loaded), sum(rows_quarantined) from raw.load_manifest group by source "
                           "order by source").fetchall()
    finally:
        con.close()
    if not rows:
        raise WarehouseMissing(f"warehouse {warehouse} has no loads yet: run `ingest load` first")
    print(f"{'source':28} {'files':>6} {'empty':>6} {'read':>10} {'loaded':>10} {'quarantined':>12}")
    for r in rows:
        print(f"{r[0]:28} {r[1]:>6} {r[2]:>6} {r[3]:>10} {r[4]:>10} {r[5]:>12}")


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except ValueError as exc:  # a malformed setting: the message names the variable
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(prog="ingest", description="Load landing files into raw DuckDB tables "
                                     "(idempotent by file checksum; rejected rows go to raw.quarantine).")
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="load sources (all by default) from the landing folder")
    p_load.add_argument("sources", nargs="*", default=list(GROUPS),
                        help=f"source names or groups {sorted(GROUPS)}; default: all")
    p_load.add_argument("--landing", type=Path, default=settings.landing_dir,
                        help=f"landing folder (default $PIPELINE_LANDING_DIR = {settings.landing_dir})")
    p_fetch = sub.add_parser("fetch", help="fetch API pages into the landing folder (credentials: env vars "
                             "SHOPIFY_SHOP_URL + SHOPIFY_ACCESS_TOKEN, INSTAGRAM_GRAPH_URL + "
                             "INSTAGRAM_ACCESS_TOKEN, or Airflow connections shopify_default / instagram_graph)")
    p_fetch.add_argument("api", choices=("shopify", "instagram"))
    p_fetch.add_argument("--landing", type=Path, default=settings.landing_dir)
    sub.add_parser("status", help="files loaded per source, rows loaded and quarantined")
    sub.add_parser("rekey", help="re-derive every pseudonym under the key now in PIPELINE_PII_KEY: rebuilds the raw "
                   "tables from the loaded landing files and swaps the warehouse in one step (docs/pii.md)")
    p_locate = sub.add_parser("locate", help="find a quarantined line in its landing file by raw.quarantine."
                              "line_hash (needs the PIPELINE_PII_KEY it was loaded with)")
    p_locate.add_argument("file", type=Path, help="the landing file (raw.quarantine.file_name)")
    p_locate.add_argument("line_hash", help="raw.quarantine.line_hash")
    sub.add_parser("sources", help="list the sources with their file patterns")
    sub.add_parser("docs", help="print docs/input-templates.md (every input file, column by column) from the source "
                   "declarations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return _run(args, settings)
    except (IngestError, ValueError, WarehouseLocked, WarehouseMissing, WarehouseSchemaError, PiiKeyMismatch,
            RejectShareExceeded) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except duckdb.Error as exc:  # its later lines can quote a file's content, personal data included
        print(f"error: {str(exc).splitlines()[0]}", file=sys.stderr)
    return 1


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "fetch":
        from ingest.connectors import fetch_configured
        from ingest.connectors.http import ConnectorError

        try:
            landed = fetch_configured("shopify" if args.api == "shopify" else "social", args.landing,
                                      settings.warehouse_path)
        except ConnectorError as exc:  # redacted: it names the URL without its token
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("\n".join(map(str, landed)) or "nothing fetched (no credentials configured?)")
        return 0
    if args.command == "docs":
        from ingest.docs import render

        print(render(), end="")
        return 0
    if args.command == "sources":
        for s in ALL_SOURCES.values():
            print(f"{s.name:28} {s.pattern:40} raw.{s.table}  {s.description}")
        return 0
    if args.command == "status":
        _print_status(settings.warehouse_path)
        return 0
    if args.command == "locate":
        found = locate_line(args.file, args.line_hash, check_pii_key(settings.pii_key))
        print(f"{args.file}: line {', '.join(map(str, found))}" if found else
              f"{args.file}: no line has this hash (another key, or the file changed since it was loaded)")
        return 0 if found else 1
    if args.command == "rekey":
        files = rekey(settings.warehouse_path, settings.pii_key)
        print("the warehouse already uses this key: nothing to do" if files is None else
              f"re-keyed: {files} files reloaded; run the pipeline (dbt build, then publish) to rebuild the marts")
        return 0
    results = load_with_results(args.sources, args.landing, settings.warehouse_path, settings.pii_key)
    loaded = [ALL_SOURCES[s] for name in args.sources for s in GROUPS.get(name, (name,))]
    for path, patterns in unmatched_files(args.landing, loaded, ALL_SOURCES.values()):
        print(f"warning: {path}: matches no source's file pattern, so it was not loaded; files in its folder load "
              f"as {', '.join(patterns)}: rename or convert it (`ingest sources` lists every pattern)", file=sys.stderr)
    if not results:
        raise IngestError(args.landing, f"no files of {', '.join(args.sources)} in the landing folder: "
                          "`ingest sources` lists where each source's files go")
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summarise(results).items()))
    for r in results:
        if r.warning:
            print(f"warning: {r.file}: {r.warning}", file=sys.stderr)
    check_reject_shares(results, load_gate_settings().max_quarantine_share)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
