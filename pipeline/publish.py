"""Publish the marts to the serving file BI tools read, atomically.

DuckDB allows one writer or many readers per file, never both, so readers never open the warehouse: the marts
are copied into a new file (written in a storage version older embedded DuckDBs read), checked, and swapped into
place with ``os.replace``; a reader mid-query keeps its old file. One Parquet file per mart goes beside it.
"""

from __future__ import annotations

import logging
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)

MARTS = ("creator_vetting", "creator_vetting_reasons", "order_attribution", "creator_roi", "creator_weekly_performance",
         "campaign_performance")
SERVING_STORAGE_VERSION = "v1.4.0"


def publish(warehouse: Path, serving_dir: Path, marts: tuple[str, ...] = MARTS) -> dict[str, int]:
    serving_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    tmp_db = serving_dir / f".marts-{stamp}.duckdb"
    tmp_parquet = serving_dir / f".parquet-{stamp}"
    tmp_parquet.mkdir()
    counts: dict[str, int] = {}
    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach '{warehouse}' as wh (read_only)")
        con.execute(f"attach '{tmp_db}' as serving (storage_version '{SERVING_STORAGE_VERSION}')")
        for mart in marts:
            con.execute(f"create table serving.main.{mart} as select * from wh.marts.{mart}")
            con.execute(f"copy serving.main.{mart} to '{tmp_parquet / (mart + '.parquet')}' (format parquet)")
            expected = con.execute(f"select count(*) from wh.marts.{mart}").fetchall()[0][0]
            got = con.execute(f"select count(*) from serving.main.{mart}").fetchall()[0][0]
            if got != expected:
                raise RuntimeError(f"publish check failed for {mart}: {got} rows copied, {expected} expected")
            counts[mart] = got
        con.execute("create table serving.main.publication as select ?::timestamptz as published_at, ? as source",
                    [datetime.now(UTC), str(warehouse)])
        con.execute("detach serving")
    except Exception:
        con.close()
        tmp_db.unlink(missing_ok=True)
        shutil.rmtree(tmp_parquet, ignore_errors=True)
        raise
    con.close()
    final_parquet = serving_dir / "parquet"
    os.replace(tmp_db, serving_dir / "marts.duckdb")
    # A directory cannot be replaced atomically over a non-empty one: swap via a rename of the old one.
    old = serving_dir / f".parquet-old-{stamp}"
    if final_parquet.exists():
        os.replace(final_parquet, old)
    os.replace(tmp_parquet, final_parquet)
    shutil.rmtree(old, ignore_errors=True)
    log.info("published %s to %s", counts, serving_dir)
    return counts
