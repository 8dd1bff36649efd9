"""Several Airflow commands, in order, in one Airflow process:

    python -m pipeline.airflow_batch '[["db", "migrate"], ["dags", "test", "ingest_files"]]'

Each ``airflow`` process pays Airflow's import (~3 s here), and ``airflow dags test`` another ~7 s before its first
task starts; later DAG runs in the same process start at once. Measured in the demo on a fresh clone
(docs/benchmarks.md): the two setup commands took 8.9 s as two processes and 2.0 s in one; ``weekly_report`` 22.3 s
in a process of its own and 5.8 s as the third DAG run of one.

Each command runs through Airflow's own CLI parser, as ``airflow <command>`` would, except the project's own step
``FAIL_ABANDONED_RUNS`` (pipeline/airflow_runs.py), which needs Airflow's metadata DB too. Before and after each
this prints a line starting with ``MARKER`` and a JSON object (the command; then its exit status and seconds), for
the caller to follow (not with ``--no-markers`` first: a person runs it); it stops at the first command that fails
and exits 1.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

MARKER = "pipeline-airflow-step "
FAIL_ABANDONED_RUNS = ("pipeline", "fail-abandoned-test-runs")  # the project's step: pipeline/airflow_runs.py
# Before the commands: no marker lines (a person runs the batch, not a caller that follows them).
NO_MARKERS = "--no-markers"


def main(argv: list[str]) -> int:
    markers = argv[0] != NO_MARKERS
    commands: list[list[str]] = json.loads(argv[-1])

    def say(**fields: object) -> None:
        if markers:
            print(MARKER + json.dumps(fields), flush=True)

    from airflow.cli import cli_parser

    parser = cli_parser.get_parser()
    for command in commands:
        say(command=command)
        started = time.perf_counter()
        status = 0
        try:
            if tuple(command) == FAIL_ABANDONED_RUNS:
                from pipeline.airflow_runs import ABANDONED, fail_abandoned_test_runs

                for line in fail_abandoned_test_runs():
                    print(ABANDONED + line, flush=True)
            else:
                args = parser.parse_args(command)
                ended: list[str] = []
                with _task_states(ended) if command[:2] == ["tasks", "test"] else nullcontext():
                    args.func(args)
                if failed := [state for state in ended if state in _FAILED]:
                    print(f"task {args.task_id} of {args.dag_id} ended {failed[0]} (its error is above)", flush=True)
                    status = 1
        except SystemExit as exc:  # argparse, and `dags test` when the DAG run failed ("DagRun failed")
            status = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
            if isinstance(exc.code, str):
                print(exc.code, flush=True)
        except Exception:
            traceback.print_exc()
            status = 1
        sys.stdout.flush()
        sys.stderr.flush()
        say(command=command, exit=status, seconds=round(time.perf_counter() - started, 1))
        if status:
            return 1
    return 0


_FAILED = ("failed", "up_for_retry", "upstream_failed")


@contextmanager
def _task_states(ended: list[str]) -> Iterator[None]:
    """Record in ``ended`` the state each task of ``airflow tasks test`` ended in. Airflow 3.1's ``tasks test`` logs a
    failed task's error and exits 0, so a script or an operator re-running one step would take the failure for a
    success; the batch exits 1 instead."""
    from airflow.cli.commands import task_command

    run_task = task_command._run_task

    def recorded(*, ti: object, **kwargs: object) -> object:
        try:
            return run_task(ti=ti, **kwargs)
        finally:
            ended.append(str(getattr(ti.state, "value", ti.state)))

    task_command._run_task = recorded
    try:
        yield
    finally:
        task_command._run_task = run_task


def _end_without_teardown(status: list[int]) -> None:
    """The last exit handler (registered first): after Airflow's own (logging flushed, database sessions closed), end
    the process at once with ``status[0]``. The interpreter's teardown of every module Airflow, GX and dbt's imports
    loaded took 2.7 s after the demo's last DAG run, and frees nothing another process needs."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status[0])


if __name__ == "__main__":
    exit_status = [1]  # also when main raises: Python prints the traceback, then runs the exit handlers
    atexit.register(_end_without_teardown, exit_status)
    exit_status[0] = main(sys.argv[1:])
