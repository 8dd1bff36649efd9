"""Run dbt against the warehouse named by the settings.

dbt runs as a child process: dbt-duckdb keeps its DuckDB connection for the life of the process, and DuckDB
refuses a second, differently configured connection to the same file in one process, which breaks the quality
gate when Airflow runs tasks in one process (``airflow dags test``). A child process also costs ~3 s, the same
as dbt's own start-up (docs/decisions.md).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

from pipeline.settings import Settings

log = logging.getLogger(__name__)


class DbtFailed(Exception):
    pass


def run_dbt(settings: Settings, *args: str) -> None:
    """``run_dbt(settings, "build")``; raises DbtFailed when dbt exits non-zero (its log says which node)."""
    argv = [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(settings.dbt_project_dir),
            "--profiles-dir", str(settings.dbt_project_dir)]
    env = {**os.environ, **settings.dbt_env()}
    log.info("running: dbt %s", " ".join(args))
    proc = subprocess.Popen(argv, env=env, cwd=settings.dbt_project_dir, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    failures = []
    for line in proc.stdout:
        line = line.rstrip()
        log.info("dbt | %s", line)
        if " ERROR " in line or "Failure in" in line or line.lstrip().startswith("Database Error"):
            failures.append(line.strip())
    if proc.wait() != 0:
        raise DbtFailed(f"dbt {' '.join(args)} failed (exit {proc.returncode}): " + " | ".join(failures[:5]))
