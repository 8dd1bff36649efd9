"""The dbt manifest Airflow draws the dbt task group from (dags/creator_pipeline.py, Cosmos ``LoadMode.DBT_MANIFEST``).

The DAG processor re-parses the DAG file every 30 s: reading a JSON file costs milliseconds there, ``dbt parse``
seconds. So the manifest is made once per project change, by ``dbt parse`` when Airflow is prepared (every
``pipeline airflow …`` command and ``pipeline demo``, pipeline/airflow_env.py), into a path of its own that no
build rewrites, and swapped in whole so the DAG processor never reads half a file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pipeline.settings import Settings

# dbt's own output folders: changes there are not changes of the project.
_NOT_SOURCE = frozenset({"target", "logs", "dbt_packages"})


def manifest_path(dbt_project_dir: Path) -> Path:
    return dbt_project_dir / "target" / "airflow" / "manifest.json"


def ensure_manifest(settings: Settings) -> Path:
    """The manifest of the project as it is now: parsed again when a project file is newer than it."""
    path = manifest_path(settings.dbt_project_dir)
    if path.is_file() and _newest_source_mtime(settings.dbt_project_dir) <= path.stat().st_mtime:
        return path
    from pipeline.dbt import run_dbt

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as target:
        run_dbt(settings, "parse", "--target-path", target)
        os.replace(Path(target) / "manifest.json", path)
    return path


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for root, dirs, files in os.walk(project_dir):
        if Path(root) == project_dir:
            dirs[:] = [d for d in dirs if d not in _NOT_SOURCE]
        newest = max([newest, *(os.stat(os.path.join(root, f)).st_mtime for f in files)])
    return newest


if __name__ == "__main__":  # the image build makes the manifest ahead (Dockerfile)
    from pipeline.settings import load_settings

    print(ensure_manifest(load_settings()))
