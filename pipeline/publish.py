"""Publish the marts for readers: every publish is a new, complete version, switched to in one atomic step.

DuckDB allows one writer or many readers per file, never both, so readers never open the warehouse. Each publish
builds a hidden directory beside the versions (the marts as a DuckDB file in a storage version older embedded
DuckDBs read, one Parquet file per mart, ``manifest.json`` written last), renames it to ``versions/<id>`` and then
points the symlink ``current`` at it by renaming a new symlink over the old one: a reader that resolves ``current``
once sees one whole version, never a gap and never two versions mixed. ``marts.duckdb`` is a fixed link to
``current/marts.duckdb`` for readers configured before versions existed (one file, opened once: still atomic).

The last K versions stay, so a reader that resolved ``current`` just before a switch still finds its files. A
publish killed at any point leaves ``current`` untouched; the next publish removes what it left behind. One
publish at a time: an ``flock`` (released by the kernel when its holder dies) guards the directory.
docs/serving.md is the readers' recipe.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypedDict

import duckdb

from pipeline.settings import load_settings

log = logging.getLogger(__name__)

MARTS = ("creator_vetting", "creator_vetting_reasons", "creator_vetting_evidence", "order_attribution", "creator_roi",
         "creator_weekly_performance", "campaign_performance", "creator_follower_history", "contract_deliverables",
         "contract_exclusivity_breaches", "budget_recommendations", "creator_customer_value",
         "content_post_performance", "content_format_performance", "posting_time_performance",
         "seeding_performance", "seeding_programme", "rate_fairness", "rate_review")
SERVING_STORAGE_VERSION = "v1.4.0"
DEFAULT_KEEP_VERSIONS = 3

VERSIONS = "versions"
CURRENT = "current"
SERVING_DB = "marts.duckdb"
MANIFEST = "manifest.json"
PARQUET_VERSION_KEY = "pipeline_version"
_LOCK = ".publish.lock"
_TMP = ".tmp-"  # every name a publish writes before it is complete starts with this
# What the single-file layout before versions left: its killed publishes' temp files and its Parquet folder.
_LEGACY = (".marts-", ".parquet-")
_LEGACY_PARQUET = "parquet"
_ID_FORMAT = "%Y%m%dT%H%M%S%fZ"


class Publication(TypedDict):
    version: str
    path: str
    rows: dict[str, int]


class PublishError(RuntimeError):
    """A published copy does not match the warehouse; nothing was switched."""


class MartsChanged(PublishError):
    """The marts differ from the ones the mart gate passed."""


def publish(warehouse: Path, serving_dir: Path, marts: tuple[str, ...] = MARTS, *,
            keep: int = DEFAULT_KEEP_VERSIONS, expected_fingerprint: str | None = None) -> Publication:
    """Publish the warehouse's marts as a new version of ``serving_dir`` and make it current.

    With ``expected_fingerprint`` (what the mart gate passed), the marts are checked against it on the same read-only
    attachment the copy uses, which keeps every writer out until the copy is done: what is checked is what is
    published (``MartsChanged`` otherwise)."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1 (the current version), got {keep}: "
                         "set PIPELINE_SERVING_KEEP_VERSIONS to 1 or more")
    versions = serving_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    with _exclusive(serving_dir / _LOCK):
        _remove_leftovers(serving_dir)
        version = _new_version_id(versions)
        build = serving_dir / f"{_TMP}{version}"
        try:
            rows = _write_version(warehouse, build, version, marts, expected_fingerprint)
            os.rename(build, versions / version)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        fsync_path(versions)
        _link(serving_dir / CURRENT, f"{VERSIONS}/{version}")
        _link(serving_dir / SERVING_DB, f"{CURRENT}/{SERVING_DB}")
        _keep_newest(versions, keep)
    log.info("published version %s to %s: %s", version, serving_dir, rows)
    return {"version": version, "path": str(versions / version), "rows": rows}


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    with lock_path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield  # closing the file (or the holder's death) releases the lock


def _remove_leftovers(serving_dir: Path) -> None:
    """Remove what killed publishes left: unfinished builds and temp links, versions never made current."""
    link = serving_dir / CURRENT
    current = os.readlink(link).rsplit("/", 1)[-1] if link.is_symlink() else ""
    stale = [p for p in serving_dir.iterdir() if p.name.startswith((_TMP, *_LEGACY))]
    if (serving_dir / _LEGACY_PARQUET).is_dir() and not (serving_dir / _LEGACY_PARQUET).is_symlink():
        stale.append(serving_dir / _LEGACY_PARQUET)
    # Version ids grow with every publish, so a version newer than current was never switched to.
    stale += [p for p in (serving_dir / VERSIONS).iterdir() if p.name > current]
    for path in stale:
        log.info("removing %s, left by an interrupted publish", path)
        _remove(path)


def _new_version_id(versions: Path) -> str:
    now = datetime.now(UTC)
    newest = max((p.name for p in versions.iterdir()), default="")
    # Ids must sort in publish order (leftover detection and retention rely on it), even if the clock stepped back.
    if newest and now.strftime(_ID_FORMAT) <= newest:
        now = datetime.strptime(newest, _ID_FORMAT).replace(tzinfo=UTC) + timedelta(microseconds=1)
    return now.strftime(_ID_FORMAT)


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write_version(warehouse: Path, build: Path, version: str, marts: tuple[str, ...],
                   expected_fingerprint: str | None) -> dict[str, int]:
    """Write one complete version into ``build``; every copy is counted against the warehouse."""
    from expectations.state import marts_fingerprint  # the gate imports this module: imported when used

    (build / "parquet").mkdir(parents=True)
    published_at = datetime.now(UTC)
    rows: dict[str, int] = {}
    settings = load_settings()
    # Bounded memory at any size: without a cap DuckDB keeps every block it read cached, up to 80% of the RAM; past
    # the cap it spills beside the versions (a name the next publish's clean-up removes if this one is killed).
    spill = build.parent / f"{_TMP}spill-{version}"
    con = duckdb.connect(config={"memory_limit": settings.ingest_memory_limit, "threads": settings.duckdb_threads,
                                 "temp_directory": str(spill)})
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {_sql_path(warehouse)} as wh (read_only)")
        if expected_fingerprint is not None:
            con.execute("use wh")
            if marts_fingerprint(con, marts)[0] != expected_fingerprint:
                raise MartsChanged(f"the marts in {warehouse} changed since the mart gate passed them (another dbt "
                                   "run or a manual change?); nothing was published: run the DAG again so the "
                                   "gate validates them")
        con.execute(f"attach {_sql_path(build / SERVING_DB)} as serving "
                    f"(storage_version '{SERVING_STORAGE_VERSION}')")
        for mart in marts:
            parquet = _sql_path(build / "parquet" / f"{mart}.parquet")
            con.execute(f"create table serving.main.{mart} as select * from wh.marts.{mart}")
            con.execute(f"copy serving.main.{mart} to {parquet} "
                        f"(format parquet, kv_metadata {{{PARQUET_VERSION_KEY}: '{version}'}})")
            expected, in_db, in_parquet = con.execute(
                f"select (select count(*) from wh.marts.{mart}), (select count(*) from serving.main.{mart}), "
                f"(select count(*) from read_parquet({parquet}))").fetchall()[0]
            if not expected == in_db == in_parquet:
                raise PublishError(f"publish check failed for mart {mart} from {warehouse}: {expected} rows in the "
                                   f"warehouse, {in_db} in {SERVING_DB}, {in_parquet} in parquet/{mart}.parquet; "
                                   "nothing was published, the current version stays: rerun the publish task")
            rows[mart] = expected
        con.execute("create table serving.main.publication as "
                    "select ?::varchar as version, ?::timestamptz as published_at, ?::varchar as source",
                    [version, published_at, str(warehouse)])
        con.execute("detach serving")  # checkpoints: the file is complete and has no WAL beside it
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    manifest = {"version": version, "published_at": published_at.isoformat(), "source": str(warehouse),
                "duckdb": {"file": SERVING_DB, "storage_version": SERVING_STORAGE_VERSION},
                "marts": {m: {"rows": n, "parquet": f"parquet/{m}.parquet"} for m, n in rows.items()}}
    (build / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    # On disk before `current` can point here: a power cut must not leave it pointing at empty files.
    for path in (*build.rglob("*"), build):
        fsync_path(path)
    return rows


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries (so a rename into it survives a power cut), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` (relative, so the folder can be mounted anywhere) in one rename."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    tmp = link.with_name(f"{_TMP}{link.name}")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    fsync_path(link.parent)


def _keep_newest(versions: Path, keep: int) -> None:
    for old in sorted(p.name for p in versions.iterdir())[:-keep]:
        _remove(versions / old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
