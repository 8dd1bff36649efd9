"""Run dbt against the warehouse named by the settings.

dbt runs as a child process: dbt-duckdb keeps its DuckDB connection for the life of the process, and DuckDB
refuses a second, differently configured connection to the same file in one process, which breaks the quality
gate when Airflow runs tasks in one process (``airflow dags test``). A child process also costs ~3 s, the same
as dbt's own start-up (docs/decisions.md).

The child gets its own process group, and this module owns its end: when the task is killed (SIGTERM, SIGINT),
times out (Airflow raises inside the task) or fails while streaming, the whole group gets SIGTERM, then SIGKILL
after a grace period; if this process itself is SIGKILLed, the kernel kills dbt with it. No dbt is left holding
the warehouse lock after its task is gone.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.warehouse import WarehouseLocked, connect, locked_message
from pipeline.settings import Settings

log = logging.getLogger(__name__)

# Under Airflow's supervisor SIGKILL follows SIGTERM after 5 s: dbt must be gone before this process is.
GRACE_SECONDS = 3.0
# Linux's prctl, looked up here: the child may only make the call between fork and exec, not load a library.
_PRCTL = getattr(ctypes.CDLL(None), "prctl", None)
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# The line of a traceback that names the exception, e.g. "_duckdb.IOException: IO Error: ..."
_EXCEPTION_LINE = re.compile(r"^[\w.]+(Error|Exception): ")


class DbtFailed(Exception):
    pass


def run_dbt(settings: Settings, *args: str) -> None:
    """``run_dbt(settings, "build")``; raises DbtFailed when dbt cannot start or exits non-zero (saying which
    node failed, or what stopped it)."""
    command = f"dbt {' '.join(args)}"
    _check_warehouse_free(settings, command)
    argv = [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(settings.dbt_project_dir),
            "--profiles-dir", str(settings.dbt_project_dir)]
    # No anonymous usage events leave the machine, whatever dbt_project.yml says; no colour codes in the log lines
    # and failure messages (dbt colours its output even without a terminal).
    env = {**os.environ, **settings.dbt_env(), "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_USE_COLORS": "false"}
    log.info("running: %s", command)
    proc = subprocess.Popen(argv, env=env, cwd=settings.dbt_project_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            preexec_fn=_die_with_parent if _PRCTL else None)
    output: list[str] = []
    with _group_ended_on_exit(proc):
        _stream(proc, output)
    if proc.returncode != 0:
        raise DbtFailed(_failure_message(settings, command, proc.returncode, output))


def _check_warehouse_free(settings: Settings, command: str) -> None:
    """Open and close the warehouse once, so dbt never starts on a file another process holds."""
    try:
        connect(settings.warehouse_path).close()
    except WarehouseLocked as exc:
        raise DbtFailed(f"{command} did not start: {exc}") from exc


def _stream(proc: subprocess.Popen[str], output: list[str]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip()
        log.info("dbt | %s", line)
        output.append(line)
    proc.wait()


def _failure_message(settings: Settings, command: str, returncode: int, output: list[str]) -> str:
    for line in output:
        if "Could not set lock on file" in line:
            return f"{command} could not open the warehouse: {locked_message(settings.warehouse_path, line)}"
    if returncode < 0:
        return f"{command} was stopped by {signal.Signals(-returncode).name} before it finished; run it again."
    failures = [line.strip() for line in output
                if " ERROR " in line or "Failure in" in line or line.lstrip().startswith("Database Error")]
    # dbt crashed without its own error summary: its exception line says what happened.
    failures = failures or [line for line in output if _EXCEPTION_LINE.match(line)][-1:]
    return f"{command} failed (exit {returncode}): " + (" | ".join(failures[:5]) or "see the dbt output above")


def _die_with_parent() -> None:
    """In the child before exec: the kernel SIGKILLs dbt if this process dies (kill -9 leaves no handler)."""
    _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL))


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
