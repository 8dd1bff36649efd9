"""Run dbt against the warehouse named by the settings.

dbt runs as a child process: dbt-duckdb keeps its DuckDB connection for the life of the process, and DuckDB
refuses a second, differently configured connection to the same file in one process, which breaks the quality
gate when Airflow runs tasks in one process (``airflow dags test``). A child process also costs ~3 s, the same
as dbt's own start-up (docs/decisions.md).

The child gets its own process group, and this module owns its end: when the task is killed (SIGTERM, SIGINT),
times out (Airflow raises inside the task) or fails while streaming, the whole group gets SIGTERM, then SIGKILL
after a grace period; if this process itself is SIGKILLed, the kernel kills dbt with it. No dbt is left holding
the warehouse lock after its task is gone.

Configuration that changes what incremental models hold (brand handles, the reporting currency, any dbt var) takes
effect on the next build: every whole-project build records the configuration it ran with in the warehouse, and
the next one runs with --full-refresh when it differs, saying why (docs/decisions.md). It also records a checksum of
the project's code (seeds included): unit tests test the code, not the data, and seeds are code too, so the scheduled
build (``daily_run=True``) of the code a recorded build already ran leaves out both, and the data tests on the seeds
alone; a full refresh and any code change run them. With PIPELINE_DBT_UNIT_TESTS=never no build runs the unit tests
(CI does: the test suite builds the sample).
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import yaml

from ingest.warehouse import WarehouseLocked, connect, locked_message
from pipeline.settings import BRAND_HANDLES_MISSING, Settings

log = logging.getLogger(__name__)

# Under Airflow's supervisor SIGKILL follows SIGTERM after 5 s: dbt must be gone before this process is.
GRACE_SECONDS = 3.0
# Linux's prctl, looked up here: the child may only make the call between fork and exec, not load a library.
_PRCTL = getattr(ctypes.CDLL(None), "prctl", None)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# The line of a traceback that names the exception, e.g. "_duckdb.IOException: IO Error: ..."
_EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")
# DuckDB's reason under dbt's "Runtime Error in model ...", e.g. "Constraint Error: NOT NULL constraint failed: ..." or
# "Out of Memory Error: failed to allocate ..."
_DATABASE_ERROR = re.compile(r"^[A-Z][a-z]+( [A-Za-z]+)* Error: ")
# dbt's pointer to a failed test's stored rows: select * from "<database>"."<schema>"."<table>"
_STORED_FAILURES = re.compile(r'^\s*select \* from "[^"]+"\."(?P<schema>[^"]+)"\."(?P<table>[^"]+)"\s*$')
# Commands that take --vars, and those that build the whole project unless a selection narrows them. Every command
# gets the same vars: a command run with other vars (`source freshness` without any) makes dbt discard its saved
# partial parse, so it and the next build each parsed the whole project again (~10 s on a busy 2-core box).
_TAKES_VARS = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "parse", "show", "list", "ls", "docs",
                         "source"})
_BUILDS = frozenset({"build", "run"})
# Commands that read only the project's files: they need no free warehouse (``dbt parse`` at deploy time).
_NO_WAREHOUSE = frozenset({"parse", "list", "ls"})
_SELECTION = frozenset({"--select", "-s", "--models", "-m", "--exclude", "--selector", "--resource-type",
                        "--resource-types", "--exclude-resource-type"})
# Where each whole-project build records its configuration: the next build compares with the newest row.
BUILD_CONFIG_TABLE = "raw.dbt_build_config"
_CREATE_BUILD_CONFIG = (f"create table if not exists {BUILD_CONFIG_TABLE} (config json not null, "
                        "full_refresh boolean not null, built_at timestamptz not null); "
                        f"alter table {BUILD_CONFIG_TABLE} add column if not exists code_checksum varchar; "
                        f"alter table {BUILD_CONFIG_TABLE} add column if not exists finished boolean default true")
# The folders of the dbt project whose files are its code (models, tests, macros, seeds, snapshots), and its config.
_CODE_FOLDERS = ("models", "macros", "tests", "seeds", "snapshots")
_CODE_FILES = ("dbt_project.yml",)
# What a build of unchanged code leaves out: unit tests (they passed on this code), seeds (loaded from these files) and
# the data tests on seeds alone (they check these files). "cautious": a test of a model against a seed (a
# relationships test) still runs, as the model's data is new.
SAME_CODE_EXCLUDES = ("--exclude-resource-type", "unit_test", "--exclude", "resource_type:seed",
                      "--indirect-selection", "cautious")
# What every build leaves out with PIPELINE_DBT_UNIT_TESTS=never (a deployment whose CI ran the unit tests, as dbt
# advises: they test the code on fixed inputs, not the day's data), unless the command names unit tests itself.
NO_UNIT_TESTS = ("--exclude-resource-type", "unit_test")
# What the Spark target does not build (docs/scale-out.md): the snapshot (dbt-spark snapshots only Delta, Iceberg or
# Hudi tables, none installable here) and the unit tests (their fixtures are DuckDB SQL). Both run on DuckDB.
DUCKDB_ONLY = ("--exclude-resource-type", "unit_test", "--exclude-resource-type", "snapshot")
# Settings that change no result: paths (moving the warehouse) and resources (memory cap, threads, spill folder).
_NOT_CONFIGURATION = frozenset({"PIPELINE_WAREHOUSE", "DBT_PROFILES_DIR", "PIPELINE_DBT_MEMORY_LIMIT",
                                "PIPELINE_DBT_THREADS", "PIPELINE_DUCKDB_THREADS", "PIPELINE_DBT_TEMP_DIR"})


class DbtFailed(Exception):
    """dbt failed; ``data_tests_failed``: only data tests failed (dbt ran; nothing errored), so the same data fails
    the same way again and a retry would only wait."""

    def __init__(self, message: str, data_tests_failed: bool = False) -> None:
        super().__init__(message)
        self.data_tests_failed = data_tests_failed


def run_dbt(settings: Settings, *args: str, echo: Callable[[str], None] | None = None, daily_run: bool = False
            ) -> None:
    """``run_dbt(settings, "build")``; raises DbtFailed when dbt cannot start or exits non-zero (saying which
    node failed, or what stopped it). ``echo`` gets each line dbt writes, as written (also ``--log-format json``
    lines, which Cosmos reads: pipeline/dbt_cli.py). ``daily_run``: an incremental whole-project build of unchanged
    code leaves out unit tests, seeds and the seeds' own tests (opt-in: Cosmos's task group draws a task for each
    seed, which waits for its result)."""
    command = f"dbt {' '.join(args)}"
    with _one_dbt_per_target(_target_dir(settings, args), command):
        _run_dbt(settings, command, args, echo, daily_run)


def _run_dbt(settings: Settings, command: str, args: tuple[str, ...], echo: Callable[[str], None] | None,
             daily_run: bool) -> None:
    last = None if args and args[0] in _NO_WAREHOUSE else _check_warehouse_free(settings, command)
    args = _with_settings_vars(settings, args)
    config = _build_config(settings, args) if _builds_whole_project(args) else None
    code = code_checksum(settings.dbt_project_dir) if config is not None else None
    changed = _config_change(last, config) if config is not None else None
    if changed:
        if "--full-refresh" not in args:
            log.warning("%s: running with --full-refresh, because %s: incremental models keep what earlier builds "
                        "computed, so they are rebuilt under the new configuration", command, changed)
            args = (*args, "--full-refresh")
        # Recorded before dbt starts: a build stopped half-way leaves some incremental models rebuilt under this
        # configuration and others not, so the next build must rebuild them all, even under the earlier configuration.
        _record_config(settings, config, full_refresh=True, code=code, finished=False)
    elif config is not None and "--full-refresh" not in args and daily_run and last and code == last.code_checksum:
        log.info("%s: without unit tests, seeds and the seeds' tests, as the project's code is unchanged since the "
                 "last successful build (a code change or --full-refresh runs them)", command)
        args = (*args, *SAME_CODE_EXCLUDES)
    args = (*args, *unit_test_excludes(settings, args))
    argv = [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(settings.dbt_project_dir),
            "--profiles-dir", str(settings.dbt_project_dir)]
    cwd, by_name = warehouse_by_name(settings)
    # No anonymous usage events leave the machine, whatever dbt_project.yml says; no colour codes in the log lines
    # and failure messages (dbt colours its output even without a terminal).
    env = {**os.environ, **settings.dbt_env(), **by_name, "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
    log.info("running: %s", command)
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True, preexec_fn=die_with_parent if _PRCTL else None)
    output: list[str] = []
    with _group_ended_on_exit(proc):
        _stream(proc, output, echo)
    if proc.returncode != 0:
        raise DbtFailed(_failure_message(settings, command, proc.returncode, output),
                        data_tests_failed=_only_data_tests_failed(proc.returncode, output))
    # A test that warned (severity warn) and stores its rows with a message says what it found, not only a count.
    for message in _stored_failure_messages(settings, output):
        log.warning("%s: a test warned: %s", command, message)
    if config is not None:
        _record_config(settings, config, full_refresh="--full-refresh" in args, code=code)


def _target_dir(settings: Settings, args: tuple[str, ...]) -> Path:
    """The folder this dbt command writes its artefacts to: its ``--target-path``, else the settings'."""
    if "--target-path" in args:
        return settings.dbt_project_dir / args[args.index("--target-path") + 1]  # an absolute path replaces the base
    return settings.dbt_target_dir


def dbt_target_lock(target: Path) -> Path:
    """The file ``run_dbt`` locks while its dbt writes the target folder ``target``."""
    return target.with_name(f"{target.name}.pipeline-dbt.lock")


@contextmanager
def _one_dbt_per_target(target: Path, command: str) -> Iterator[None]:
    """Wait while another dbt writes the same target folder: dbt keeps its saved parse, manifest and results there,
    and two at once overwrite each other's (dbt's docs: one invocation per target path). A parse started ahead of the
    first task (``pipeline demo``) is one such dbt; the kernel frees the lock with its holder, also after kill -9. The
    lock file lies beside the folder, not in it: ``dbt clean`` deletes the folder."""
    target.mkdir(parents=True, exist_ok=True)
    with dbt_target_lock(target).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("%s: waiting for the dbt that is writing %s to finish", command, target)
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def warehouse_by_name(settings: Settings) -> tuple[Path, dict[str, str]]:
    """Where dbt runs, and the profile's warehouse and spill folder relative to it: the warehouse's folder, and the
    file's name. dbt keeps its saved parse only while the profile's connection settings are unchanged; given by name,
    they are the same for every warehouse called warehouse.duckdb, so a command on another warehouse file (a copy, each
    test's own) re-uses the saved parse instead of parsing the whole project again (about 10 s). A relative spill
    folder or DBT_LOG_PATH still means one in the project, as when dbt ran there (dbt reads its target path from the
    project itself). A folder that does not exist yet (``dbt parse`` before the first load) keeps the full paths."""
    warehouse = settings.warehouse_path.resolve()
    if not warehouse.parent.is_dir():
        return settings.dbt_project_dir, {}
    # an absolute path replaces the base
    spill = settings.dbt_project_dir / settings.dbt_temp_dir if settings.dbt_temp_dir else Path(f"{warehouse.name}.tmp")
    logs = settings.dbt_project_dir / os.environ.get("DBT_LOG_PATH", "logs")
    return warehouse.parent, {"PIPELINE_WAREHOUSE": warehouse.name, "PIPELINE_DBT_TEMP_DIR": str(spill),
                              "DBT_LOG_PATH": str(logs)}


def _with_settings_vars(settings: Settings, args: tuple[str, ...]) -> tuple[str, ...]:
    """The settings' dbt vars added to ``--vars`` (vars the caller gives win). A command that reads or writes data
    refuses to run without the brand's handles; one that reads only the project's files (``dbt parse`` at deploy
    time, for the manifest Cosmos draws its tasks from) does not need them."""
    if not args or args[0] not in _TAKES_VARS:
        return args
    at = args.index("--vars") + 1 if "--vars" in args else None
    given = (yaml.safe_load(args[at]) or {}) if at else {}
    merged = {**settings.dbt_vars(), **given}
    if not merged["brand_handles"] and args[0] not in _NO_WAREHOUSE:
        raise ValueError(BRAND_HANDLES_MISSING)
    if at is None:
        return (*args, "--vars", json.dumps(merged))
    return (*args[:at], json.dumps(merged), *args[at + 1:])


def unit_test_excludes(settings: Settings, args: tuple[str, ...]) -> tuple[str, ...]:
    """What a dbt command adds under PIPELINE_DBT_UNIT_TESTS=never: the exclusion of unit tests, for a build or test
    that does not select or exclude them itself (``--select test_type:unit``, ``--resource-type unit_test``)."""
    if settings.dbt_unit_tests != "never" or not args or args[0] not in ("build", "test"):
        return ()
    if any("unit_test" in arg or "test_type:unit" in arg for arg in args):
        return ()
    return NO_UNIT_TESTS


def _builds_whole_project(args: tuple[str, ...]) -> bool:
    return bool(args) and args[0] in _BUILDS and not _SELECTION.intersection(args)


def _build_config(settings: Settings, args: tuple[str, ...]) -> dict[str, dict[str, object]]:
    """Everything a build's results depend on besides the data and the code: the project's vars, the vars given
    on the command line and the settings dbt reads from the environment."""
    project = yaml.safe_load((settings.dbt_project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return {
        "project vars": project.get("vars") or {},
        "command-line vars": yaml.safe_load(args[args.index("--vars") + 1]) or {},
        "settings": {k: v for k, v in settings.dbt_env().items() if k not in _NOT_CONFIGURATION},
    }


def _config_change(last: _LastBuild | None, config: dict[str, dict[str, object]]) -> str | None:
    """What differs from the configuration of the last complete build (None: nothing)."""
    if last is None:
        return "no earlier build recorded its configuration"
    if not last.finished:
        return ("the last build, a full refresh for a new configuration, did not finish: its incremental models may "
                "hold rows of either configuration")
    before = last.config
    changes = [f"{name} {before.get(part, {}).get(name)!r} -> {now.get(name)!r}"
               for part, now in config.items()
               for name in sorted(set(now) | set(before.get(part, {})))
               if now.get(name) != before.get(part, {}).get(name)]
    return "the configuration changed since the last build: " + "; ".join(changes) if changes else None


def code_checksum(project_dir: Path) -> str:
    """SHA-256 of the dbt project's code: every file's path and content (a renamed or moved file changes it too)."""
    digest = hashlib.sha256()
    files = [project_dir / name for name in _CODE_FILES] + sorted(
        path for folder in _CODE_FOLDERS for path in (project_dir / folder).rglob("*") if path.is_file())
    for path in files:
        digest.update(f"{path.relative_to(project_dir).as_posix()}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _record_config(settings: Settings, config: dict[str, dict[str, object]], full_refresh: bool, code: str | None,
                   finished: bool = True) -> None:
    try:
        con = connect(settings.warehouse_path)
    except WarehouseLocked as exc:
        log.warning("the build's configuration was not recorded (%s): the next build runs with --full-refresh", exc)
        return
    try:
        con.execute(_CREATE_BUILD_CONFIG)
        con.execute(f"insert into {BUILD_CONFIG_TABLE} (config, full_refresh, built_at, code_checksum, finished) "
                    "values (?, ?, now(), ?, ?)", [json.dumps(config, sort_keys=True), full_refresh, code, finished])
    finally:
        con.close()


class _LastBuild(NamedTuple):
    config: dict[str, dict[str, object]]
    code_checksum: str | None  # None: recorded before builds recorded their code
    finished: bool  # False: recorded as a full refresh for a new configuration started, and no build finished since


def _check_warehouse_free(settings: Settings, command: str) -> _LastBuild | None:
    """Open and close the warehouse once, so dbt never starts on a file another process holds. Returns what the
    last complete build recorded (None: no build recorded anything)."""
    try:
        con = connect(settings.warehouse_path)
    except WarehouseLocked as exc:
        raise DbtFailed(f"{command} did not start: {exc}") from exc
    try:
        con.execute(_CREATE_BUILD_CONFIG)
        row = con.execute(f"select config, code_checksum, finished from {BUILD_CONFIG_TABLE} "
                          "order by built_at desc limit 1").fetchone()
    finally:
        con.close()
    return _LastBuild(json.loads(row[0]), row[1], row[2]) if row else None


def _stream(proc: subprocess.Popen[str], output: list[str], echo: Callable[[str], None] | None) -> None:
    assert proc.stdout is not None
    for raw in proc.stdout:
        raw = raw.rstrip()
        if echo is not None:
            echo(raw)
        for line in _text_lines(raw):
            log.info("dbt | %s", line)
            output.append(line)
    proc.wait()


def _text_lines(line: str) -> list[str]:
    """The lines dbt would have written as text: a ``--log-format json`` line's message, else the line itself."""
    if line.startswith("{"):
        try:
            return str(json.loads(line)["info"]["msg"]).splitlines() or [""]
        except (ValueError, KeyError, TypeError):
            pass
    return [line]


def _failure_message(settings: Settings, command: str, returncode: int, output: list[str]) -> str:
    for line in output:
        if "Could not set lock on file" in line:
            return f"{command} could not open the warehouse: {locked_message(settings.warehouse_path, line)}"
    if returncode < 0:
        return f"{command} was stopped by {signal.Signals(-returncode).name} before it finished; run it again."
    failures = [line.strip() for line in output
                if " ERROR " in line or "Failure in" in line or line.lstrip().startswith("Database Error")
                or _DATABASE_ERROR.match(line.strip())]
    # dbt crashed without its own error summary: its exception line says what happened.
    failures = failures or [line for line in output if _EXCEPTION_LINE.match(line)][-1:]
    failures = failures[:5] + _stored_failure_messages(settings, output)
    message = f"{command} failed (exit {returncode}): " + (" | ".join(failures) or "see the dbt output above")
    if any("Failure in test " in line for line in output):
        held_back = _held_back_note(settings)
        message += f". Note: {held_back}" if held_back else ""
    return message


def _only_data_tests_failed(returncode: int, output: list[str]) -> bool:
    """dbt exited 1 after its summary with test failures ("Failure in test ...", or a unit test's "Failure in
    unit_test ...": the same code fails it again) and no error of any node ("Runtime Error in model ...", "Database
    Error in test ...", which a retry may not meet: memory, a lock)."""
    return (returncode == 1 and any(f"Failure in {kind} " in line for line in output for kind in ("test", "unit_test"))
            and not any(" Error in " in line for line in output))


def _stored_failure_messages(settings: Settings, output: list[str]) -> list[str]:
    """What the failed tests that store their rows with a ``message`` column say (e.g. fx_rate_present: "no
    EUR→USD rate on 2026-03-01 ..."), the first three of each: dbt itself prints only how many rows failed."""
    tables = [m for m in map(_STORED_FAILURES.match, output) if m]
    if not tables:
        return []
    messages: list[str] = []
    try:
        con = connect(settings.warehouse_path, read_only=True)
    except WarehouseLocked:
        return []  # dbt's own lines still say which test failed
    try:
        for table in tables:
            relation = f'"{table["schema"]}"."{table["table"]}"'
            columns = {c[0] for c in con.execute(f"describe {relation}").fetchall()}
            if "message" not in columns:
                continue
            count, first = con.execute(f"select count(*), list(message order by message)[:3] from {relation}"
                                       ).fetchone()
            messages += first + ([f"... and {count - len(first)} more in {relation}"] if count > len(first) else [])
    finally:
        con.close()
    return messages


def _held_back_note(settings: Settings) -> str | None:
    """A data test that fails may come from a batch the raw gate rejected (orders naming a creator whose creators.csv
    was held back): say which batches are held back."""
    from expectations.state import held_back_note

    try:
        con = connect(settings.warehouse_path, read_only=True)
    except WarehouseLocked:
        return None
    try:
        return held_back_note(con)
    finally:
        con.close()


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> None:
    """The kernel sends ``sig`` to this process when its parent dies (kill -9 leaves the parent no handler). Called
    in dbt's child before exec; no-op where there is no prctl."""
    if _PRCTL:
        _PRCTL(_PR_SET_PDEATHSIG, int(sig))


class _Terminated(BaseException):
    """SIGTERM while dbt runs, raised so that the stack unwinds (a blocking read or wait included)."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise _Terminated


@contextmanager
def _group_ended_on_exit(proc: subprocess.Popen[str]) -> Iterator[None]:
    """However the block is left (dbt done, an exception, Airflow's timeout, Ctrl-C, SIGTERM), dbt's group ends.

    The default SIGTERM action would end this process without unwinding, leaving dbt behind, so while dbt runs
    SIGTERM raises instead; once dbt's group is ended, SIGTERM does what it did before: the previous handler runs
    (Airflow's task runner calls on_kill, then the task fails on dbt's exit status) or this process terminates.
    """
    in_main_thread = threading.current_thread() is threading.main_thread()  # handlers live in the main thread
    previous = signal.getsignal(signal.SIGTERM) or signal.SIG_DFL
    if in_main_thread:
        signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not interrupt the group's ending
        _end_group(proc)
        signal.signal(signal.SIGTERM, previous)
        if callable(previous):
            previous(signal.SIGTERM, None)
        else:
            os.kill(os.getpid(), signal.SIGTERM)
    finally:
        _end_group(proc)
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _end_group(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to dbt's process group, SIGKILL to whatever is left of it after the grace period."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return  # the group is already empty
    try:
        proc.wait(GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        log.warning("dbt (pid %d) did not stop within %.0f s of SIGTERM: killing its process group",
                    proc.pid, GRACE_SECONDS)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
