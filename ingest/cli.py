"""``ingest``: load landing files into the warehouse's raw tables, and report what the manifest holds."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from ingest.errors import IngestError
from ingest.loader import LoadResult, ensure_table, load_source
from ingest.sources import ALL_SOURCES, GROUPS
from ingest.warehouse import connect
from pipeline.settings import DEMO_PII_KEY, load_settings

log = logging.getLogger(__name__)


def load_with_results(names: list[str], landing: Path, warehouse: Path, pii_key: str) -> list[LoadResult]:
    """Load the named sources (or groups); the Airflow ingest tasks call this same function."""
    expanded = [s for name in names for s in GROUPS.get(name, (name,))]
    unknown = [n for n in expanded if n not in ALL_SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}: choose from {sorted(ALL_SOURCES)} or groups {sorted(GROUPS)}")
    if pii_key == DEMO_PII_KEY:
        log.warning("personal data is pseudonymised with the public demo key: set PIPELINE_PII_KEY for real data")
    con = connect(warehouse)
    try:
        for source in ALL_SOURCES.values():
            ensure_table(con, source)  # every raw table exists, even for a source with no delivery yet
        return [r for name in expanded for r in load_source(con, ALL_SOURCES[name], landing, pii_key)]
    finally:
        con.close()


def summarise(results: list[LoadResult]) -> dict[str, int]:
    loaded = [r for r in results if r.status == "loaded"]
    return {"files_loaded": len(loaded), "files_skipped": len(results) - len(loaded),
            "rows_loaded": sum(r.rows_loaded for r in loaded),
            "rows_quarantined": sum(r.rows_quarantined for r in loaded)}


def main(argv: list[str] | None = None) -> int:
    settings = load_settings()
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
    sub.add_parser("sources", help="list the sources with their file patterns")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    if args.command == "fetch":
        from ingest.connectors import fetch_configured

        landed = fetch_configured("shopify" if args.api == "shopify" else "social", args.landing,
                                  settings.warehouse_path)
        print("\n".join(map(str, landed)) or "nothing fetched (no credentials configured?)")
        return 0
    if args.command == "sources":
        for s in ALL_SOURCES.values():
            print(f"{s.name:28} {s.pattern:40} raw.{s.table}  {s.description}")
        return 0
    if args.command == "status":
        con = connect(settings.warehouse_path, read_only=True)
        rows = con.execute("select source, count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined) "
                           "from raw.load_manifest group by source order by source").fetchall()
        print(f"{'source':28} {'files':>6} {'read':>10} {'loaded':>10} {'quarantined':>12}")
        for r in rows:
            print(f"{r[0]:28} {r[1]:>6} {r[2]:>10} {r[3]:>10} {r[4]:>12}")
        return 0
    try:
        totals = summarise(load_with_results(args.sources, args.landing, settings.warehouse_path, settings.pii_key))
    except (IngestError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
