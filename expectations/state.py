"""The gate's state in the warehouse: each batch's status, the gated views dbt reads, and every gate run.

``raw.batch_gate`` holds one row per batch (manifest load id) the raw gate has judged: ``passed`` or
``rejected``, and ``admitted`` once an operator lets a rejected batch in (who, why and when are kept). A batch
without a row is pending: the next raw gate validates it, whichever run loaded it.

dbt's sources are the views ``gated.<raw table>``: the raw rows of passed and admitted batches only. An admitted
batch's rows count as loaded when they were admitted, so the incremental models (which pick rows loaded after
their watermark) take them in on the next run, and as the newest delivery of their records.

``raw.gate_runs`` holds one row per gate run; for the mart gate also the fingerprint of the marts it judged, so
publish can refuse marts that are not exactly the ones that passed in the same DAG run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from ingest.lake import lake_path, write_gate_state
from ingest.loader import ensure_table
from ingest.sources import ALL_SOURCES
from ingest.sql import quote_ident
from pipeline.settings import load_settings

ACCEPTED = ("passed", "admitted")

DDL = """
create schema if not exists gated;
create table if not exists raw.batch_gate (
    load_id varchar primary key,
    source varchar not null,
    status varchar not null check (status in ('passed', 'rejected', 'admitted')),
    checked_at timestamptz not null,
    gate_run varchar not null,
    failures varchar,
    decided_by varchar,
    decision_reason varchar,
    decided_at timestamptz
);
create table if not exists raw.gate_runs (
    gate varchar not null,
    run_id varchar not null,
    checked_at timestamptz not null,
    success boolean not null,
    failures varchar,
    marts_fingerprint varchar,
    mart_rows json
);
"""


class AdmitError(ValueError):
    """The batch cannot be admitted; the message says why and what to do."""


@dataclass(frozen=True)
class Batch:
    load_id: str
    source: str
    file_name: str


def ensure_gate_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The state tables, and a gated view over every raw table (recreated each run: new sources appear)."""
    con.execute(DDL)
    accepted = ", ".join(f"'{s}'" for s in ACCEPTED)
    for source in ALL_SOURCES.values():
        ensure_table(con, source)  # a source with no delivery yet still gets its (empty) gated view
        table = quote_ident(source.table)
        con.execute(
            f"create or replace view gated.{table} as select r.* replace ("
            "case when g.status = 'admitted' then greatest(r._loaded_at, g.decided_at) else r._loaded_at end "
            f"as _loaded_at) from raw.{table} r join raw.batch_gate g on g.load_id = r._load_id "
            f"and g.status in ({accepted})")


def pending_batches(con: duckdb.DuckDBPyConnection) -> list[Batch]:
    """Every loaded batch the raw gate has not judged yet, oldest first."""
    rows = con.execute("select m.load_id, m.source, m.file_name from raw.load_manifest m anti join raw.batch_gate g "
                       "using (load_id) order by m.started_at, m.load_id").fetchall()
    return [Batch(*r) for r in rows]


def record_batches(con: duckdb.DuckDBPyConnection, gate_run: str, batches: list[Batch],
                   failures: dict[str, list[str]]) -> None:
    """One transaction: every judged batch gets its status (rejected when it has failures)."""
    if not batches:
        return
    now = datetime.now(UTC)
    con.execute("begin transaction")
    try:
        con.executemany(
            "insert into raw.batch_gate (load_id, source, status, checked_at, gate_run, failures) "
            "values (?, ?, ?, ?, ?, ?)",
            [[b.load_id, b.source, "rejected" if failures.get(b.load_id) else "passed", now, gate_run,
              "; ".join(failures.get(b.load_id, [])) or None] for b in batches])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    _snapshot_to_lake(con)


def _snapshot_to_lake(con: duckdb.DuckDBPyConnection) -> None:
    """With a lake (PIPELINE_LAKE_DIR), its copy of the verdicts, so readers of the lake gate as the views do."""
    lake = lake_path(load_settings().lake_dir)
    if lake is not None:
        write_gate_state(con, lake)


def rejected_in_run(con: duckdb.DuckDBPyConnection, gate_run: str) -> list[tuple[str, str, str, str]]:
    """(load_id, source, file_name, failures) of the batches this gate run rejected and nobody admitted since."""
    return con.execute(
        "select g.load_id, g.source, m.file_name, g.failures from raw.batch_gate g join raw.load_manifest m "
        "using (load_id) where g.gate_run = ? and g.status = 'rejected' order by m.started_at, g.load_id",
        [gate_run]).fetchall()


def admit(con: duckdb.DuckDBPyConnection, load_id: str, reason: str, decided_by: str) -> None:
    """Let a rejected batch into the marts from the next run on, recording who decided and why."""
    if not reason.strip():
        raise AdmitError("give the reason for admitting the batch (--reason '...'): it is kept with the decision")
    row = con.execute("select status from raw.batch_gate where load_id = ?", [load_id]).fetchall()
    if not row:
        known = con.execute("select count(*) from raw.load_manifest where load_id = ?", [load_id]).fetchall()[0][0]
        raise AdmitError(f"batch {load_id!r} " + (
            "has not been validated yet: the next pipeline run validates it" if known else
            "is not in raw.load_manifest: `pipeline gate status` lists the batches and their load ids"))
    if row[0][0] != "rejected":
        raise AdmitError(f"batch {load_id!r} is {row[0][0]}, not rejected: nothing to admit")
    # The status condition again: a concurrent admission (or re-judgement) between the check and here is not
    # overwritten.
    updated = con.execute("update raw.batch_gate set status = 'admitted', decided_by = ?, decision_reason = ?, "
                          "decided_at = ? where load_id = ? and status = 'rejected' returning load_id",
                          [decided_by, reason.strip(), datetime.now(UTC), load_id]).fetchall()
    if not updated:
        raise AdmitError(f"batch {load_id!r} changed while it was being admitted: run the command again")
    _snapshot_to_lake(con)


def batch_statuses(con: duckdb.DuckDBPyConnection, everything: bool = False) -> list[tuple]:
    """(load_id, source, file, status, checked_at, failures, decided_by, reason, decided_at): rejected and
    admitted batches, and pending ones; ``everything`` adds the passed ones and the superseded ones (rejected, then
    delivered again and loaded: the same file, or every record of it in a later file under another name; nothing
    left to decide)."""
    rows = con.execute(
        """
        select m.load_id, m.source, m.file_name,
               case when g.status = 'rejected' and exists (
                        select 1 from raw.load_manifest as later where later.source = m.source
                        and later.file_path = m.file_path and later.started_at > m.started_at)
                    then 'superseded' else coalesce(g.status, 'pending') end as status,
               g.checked_at, g.failures, g.decided_by, g.decision_reason, g.decided_at, m.started_at
        from raw.load_manifest as m left join raw.batch_gate as g using (load_id)
        order by m.started_at, m.load_id""").fetchall()
    rows = [(*row[:3], "superseded", *row[4:]) if row[3] == "rejected" and _delivered_again(con, row) else row
            for row in rows]
    return [row[:-1] for row in rows if everything or row[3] not in ("passed", "superseded")]


def _delivered_again(con: duckdb.DuckDBPyConnection, batch: tuple) -> bool:
    """Every record of the rejected ``batch`` (by its source's key) is in a later load of the source: a corrected
    export saved under a new name (orders_export_1 (1).csv) replaced it."""
    load_id, source_name, *_, started_at = batch
    source = ALL_SOURCES.get(source_name)
    if source is None:
        return False
    key = ", ".join(quote_ident(k) for k in source.key)
    table = f"raw.{quote_ident(source.table)}"
    return con.execute(
        f"select exists (select 1 from {table} where _load_id = $load) and not exists ("
        f"select {key} from {table} where _load_id = $load except select {key} from {table} as r "
        f"join raw.load_manifest as m on m.load_id = r._load_id where m.source = $source and m.started_at > $at)",
        {"load": load_id, "source": source_name, "at": started_at}).fetchone()[0]


def held_back(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every rejected batch the marts are built without (whichever run rejected it): "batch <id> (<source>, file
    <name>)"."""
    if not con.execute("select 1 from information_schema.tables where table_schema = 'raw' "
                       "and table_name = 'batch_gate'").fetchall():
        return []
    return [f"batch {load_id} ({source}, file {file_name})"
            for load_id, source, file_name, status, *_ in batch_statuses(con) if status == "rejected"]


def held_back_note(con: duckdb.DuckDBPyConnection) -> str | None:
    """Says which rejected batches the marts are built without, for a failure they may explain (an empty mart, a
    creator id unknown to the models because creators.csv was rejected); None when no batch is held back."""
    held = held_back(con)
    if not held:
        return None
    return (f"the raw gate holds {len(held)} rejected batch(es) out of the marts, which may be why: "
            + "; ".join(held[:5]) + (f"; and {len(held) - 5} more" if len(held) > 5 else "")
            + ". `pipeline gate status` says why each was rejected: deliver a corrected file, or "
            "`pipeline gate admit LOAD_ID --reason TEXT`")


def marts_fingerprint(con: duckdb.DuckDBPyConnection, marts: tuple[str, ...]) -> tuple[str, dict[str, int]]:
    """An order-independent checksum of every mart's rows (and the row counts): equal fingerprints, same marts."""
    parts, rows = [], {}
    for mart in marts:
        count, digest = con.execute(f"select count(*), coalesce(sum(hash(t)::hugeint), 0)::varchar "
                                    f"from marts.{quote_ident(mart)} t").fetchall()[0]
        parts.append(f"{mart}:{count}:{digest}")
        rows[mart] = count
    return "|".join(parts), rows


def record_gate_run(con: duckdb.DuckDBPyConnection, gate: str, run_id: str, success: bool, failures: list[str],
                    fingerprint: str | None = None, mart_rows: dict[str, int] | None = None) -> None:
    con.execute("insert into raw.gate_runs values (?, ?, ?, ?, ?, ?, ?)",
                [gate, run_id, datetime.now(UTC), success, "; ".join(failures) or None, fingerprint,
                 json.dumps(mart_rows) if mart_rows is not None else None])


def last_passed_mart_rows(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the marts when the mart gate last passed ({} before the first pass)."""
    row = con.execute("select mart_rows from raw.gate_runs where gate = 'marts' and success "
                      "order by checked_at desc limit 1").fetchall()
    return json.loads(row[0][0]) if row else {}


def mart_gate_verdict(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[bool, str | None] | None:
    """(success, fingerprint) of the newest mart gate of this DAG run, None if it has none."""
    if not con.execute("select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'gate_runs'"
                       ).fetchall()[0][0]:
        return None  # no gate has ever run on this warehouse
    row = con.execute("select success, marts_fingerprint from raw.gate_runs where gate = 'marts' and run_id = ? "
                      "order by checked_at desc limit 1", [run_id]).fetchall()
    return (row[0][0], row[0][1]) if row else None
