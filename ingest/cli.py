"""``ingest``: load landing files into the warehouse's raw tables, report what the manifest holds, and re-key the
pseudonyms to a new PII key. The command line only: what it runs lives in ingest/runs.py and ingest/pii.py, which
the Airflow tasks and tests import."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

import duckdb

from ingest.errors import (
    IngestError,
    PiiKeyMismatch,
    RejectShareExceeded,
    WarehouseLocked,
    WarehouseMissing,
    WarehouseSchemaError,
)
from ingest.loader import unmatched_files
from ingest.pii import locate_line, rekey
from ingest.runs import load_sources, load_status, reject_shares_exceeded, summarise, unloadable
from ingest.sources import ALL_SOURCES, GROUPS
from pipeline.settings import Settings, airflow_home, check_pii_key, load_gate_settings, load_settings


def _print_status(warehouse: Path) -> None:
    rows = load_status(warehouse)
    if not rows:
        raise WarehouseMissing(f"warehouse {warehouse} has no loads yet: run `ingest load` first")
    width = max(len("source"), *(len(r[0]) for r in rows))
    print(f"{'source':{width}} {'files':>6} {'empty':>6} {'read':>10} {'loaded':>10} {'quarantined':>12}")
    for r in rows:
        print(f"{r[0]:{width}} {r[1]:>6} {r[2]:>6} {r[3]:>10} {r[4]:>10} {r[5]:>12}")


def reader_gone() -> int:
    """Output piped into a reader that stopped (`| head`): end quietly, as a Unix tool does, and keep Python from
    reporting the broken pipe again when it flushes stdout at exit."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1


def add_command(sub: argparse._SubParsersAction, name: str, help: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A subcommand whose own --help opens with what the list of commands says of it (unless it has a description
    of its own)."""
    kwargs.setdefault("description", help[0].upper() + help[1:] + ".")
    return sub.add_parser(name, help=help, **kwargs)


def main(argv: list[str] | None = None) -> int:
    try:
        settings = load_settings()
    except ValueError as exc:  # a malformed setting: the message names the variable
        print(f"error: {exc}", file=sys.stderr)
        return 1
    parser = argparse.ArgumentParser(prog="ingest", description="Load landing files into raw DuckDB tables "
                                     "(idempotent by file checksum; rejected rows go to raw.quarantine).")
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = add_command(sub, "load", help="load sources (all by default) from the landing folder")
    p_load.add_argument("sources", nargs="*", default=list(GROUPS),
                        help=f"source names or groups {sorted(GROUPS)}; default: all")
    p_load.add_argument("--landing", type=Path, default=settings.landing_dir,
                        help=f"landing folder (default $PIPELINE_LANDING_DIR = {settings.landing_dir})")
    fetch_help = ("fetch API pages into the landing folder (credentials: env vars SHOPIFY_SHOP_URL + "
                  "SHOPIFY_ACCESS_TOKEN, INSTAGRAM_GRAPH_URL + INSTAGRAM_ACCESS_TOKEN, or Airflow connections "
                  "shopify_default / instagram_graph)")
    p_fetch = add_command(sub, "fetch", fetch_help, description=fetch_help[0].upper() + fetch_help[1:] + (
        ". Shopify orders resume from the stored cursor; pages are landed as JSON lines and loaded by `ingest load`."))
    p_fetch.add_argument("api", choices=("shopify", "instagram"),
                         help="shopify: orders (Admin REST API); instagram: every creator account's media and stories")
    p_fetch.add_argument("--landing", type=Path, default=settings.landing_dir,
                         help=f"landing folder (default $PIPELINE_LANDING_DIR = {settings.landing_dir})")
    add_command(sub, "status", help="files loaded per source, rows loaded and quarantined")
    add_command(sub, "rekey", help="re-derive every pseudonym under the key now in PIPELINE_PII_KEY: rebuilds the "
                "raw tables from the loaded landing files and swaps the warehouse in one step (docs/pii.md)")
    p_locate = add_command(sub, "locate", help="find a quarantined line in its landing file by raw.quarantine."
                           "line_hash (needs the PIPELINE_PII_KEY it was loaded with)")
    p_locate.add_argument("file", type=Path, help="the landing file (raw.quarantine.file_name)")
    p_locate.add_argument("line_hash", help="raw.quarantine.line_hash")
    add_command(sub, "sources", help="list the sources with their file patterns")
    add_command(sub, "docs", help="print docs/input-templates.md (every input file, column by column) from the "
                "source declarations")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return _run(args, settings)
    except BrokenPipeError:
        return reader_gone()
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

        # Credentials may be an Airflow connection: look for it where `pipeline airflow connections add` put it.
        os.environ["AIRFLOW_HOME"] = airflow_home()
        try:
            landed = fetch_configured("shopify" if args.api == "shopify" else "social", args.landing,
                                      settings.warehouse_path)
        except ConnectorError as exc:  # redacted: it names the URL without its token
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print("\n".join(map(str, landed)) or "nothing fetched (no credentials configured?); `ingest load` loads the "
              "files already landed")
        return 0
    if args.command == "docs":
        from ingest.docs import render

        print(render(), end="")
        return 0
    if args.command == "sources":
        name_width = max(len(s.name) for s in ALL_SOURCES.values())
        pattern_width = max(len(s.pattern) for s in ALL_SOURCES.values())
        for s in ALL_SOURCES.values():
            print(f"{s.name:{name_width}}  {s.pattern:{pattern_width}}  raw.{s.table}  {s.description}")
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
    results, failed = load_sources(args.sources, args.landing, settings.warehouse_path, settings.pii_key)
    loaded = [ALL_SOURCES[s] for name in args.sources for s in GROUPS.get(name, (name,))]
    for path, patterns in unmatched_files(args.landing, loaded, ALL_SOURCES.values()):
        print(f"warning: {path}: matches no source's file pattern, so it was not loaded; files in its folder load "
              f"as {', '.join(patterns)}: rename or convert it (`ingest sources` lists every pattern)", file=sys.stderr)
    if not results and not failed:
        raise IngestError(args.landing, f"no files of {', '.join(args.sources)} in the landing folder: "
                          "`ingest sources` lists where each source's files go")
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in summarise(results).items()))
    for r in results:
        if r.warning:
            print(f"warning: {r.file}: {r.warning}", file=sys.stderr)
    # Both, when both: a file that could not be loaded does not hide another file's quarantined rows.
    errors = [e for e in (unloadable(args.landing, failed),
                          reject_shares_exceeded(results, load_gate_settings().max_quarantine_share)) if e]
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
