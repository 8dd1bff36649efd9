"""``dbt`` as Cosmos starts it (pipeline/bin/dbt, the executable of the dbt task group in dags/creator_pipeline.py).

Cosmos builds each dbt command (the producer's one ``dbt build``, a cleared model's ``dbt run --select``) and runs it
in a copy of the project; this starts it through ``run_dbt`` instead, so a dbt started by Airflow gets what every
pipeline dbt gets: the settings' env and ``--vars``, the warehouse lock probe, ``--full-refresh`` after a
configuration change, dbt's process group ended with its task, the stored failing-test messages. dbt's own lines
(Cosmos reads the producer's ``--log-format json`` events from them) pass through to stdout unchanged.

Cosmos's ``--project-dir``/``--profiles-dir``/``--profile``/``--target`` are dropped: dbt runs on the project itself
(not Cosmos's copy), so ``target/run_results.json`` is where the pipeline reads it. One dbt at a time: model tasks
re-run after a clear run in parallel outside the warehouse pool (they only read XCom otherwise), so they queue here for
the warehouse.
"""

from __future__ import annotations

import fcntl
import logging
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.dbt import DbtFailed, die_with_parent, run_dbt
from pipeline.settings import Settings, load_settings

# Flags Cosmos adds that name its temporary copy of the project: each takes one value.
_COSMOS_PATH_FLAGS = frozenset({"--project-dir", "--profiles-dir", "--profile", "--target"})


def without_cosmos_paths(args: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _COSMOS_PATH_FLAGS:
            skip = True
        else:
            kept.append(arg)
    return kept


@contextmanager
def one_dbt_at_a_time(settings: Settings) -> Iterator[None]:
    """Wait for any other dbt started this way on the same warehouse to finish (the kernel frees the lock with its
    holder, also after kill -9)."""
    lock_file = Path(f"{settings.warehouse_path}.dbt.lock")
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def main(argv: list[str] | None = None) -> int:
    die_with_parent(signal.SIGTERM)  # Cosmos's task gone (even by kill -9): this ends dbt's group on the way out
    # Warnings (e.g. why the build runs with --full-refresh) reach the task log; dbt's lines come as they are.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stdout)
    settings = load_settings()
    try:
        with one_dbt_at_a_time(settings):
            run_dbt(settings, *without_cosmos_paths(sys.argv[1:] if argv is None else argv),
                    echo=lambda line: print(line, flush=True))
    except DbtFailed as exc:
        print(f"ERROR {exc}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
