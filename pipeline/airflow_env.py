"""The environment Airflow runs in locally: embedded defaults (SQLite metadata, LocalExecutor, no examples,
parallelism 4) under a project-local AIRFLOW_HOME. docker-compose.yml sets the same AIRFLOW__* variables."""

from __future__ import annotations

import os

from pipeline.settings import PROJECT_ROOT, Settings

AIRFLOW_DEFAULTS = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
    # The default 32 starts 32 worker processes (~1.3 GB); 4 is plenty for one DuckDB writer.
    "AIRFLOW__CORE__PARALLELISM": "4",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
}


def airflow_env(settings: Settings) -> dict[str, str]:
    """os.environ plus the Airflow and pipeline variables; values already set in the environment win."""
    env = dict(os.environ)
    env.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / ".airflow"))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    for key, value in AIRFLOW_DEFAULTS.items():
        env.setdefault(key, value)
    env.setdefault("PIPELINE_DATA_DIR", str(settings.data_dir))
    env.setdefault("PIPELINE_WAREHOUSE", str(settings.warehouse_path))
    env.setdefault("PIPELINE_LANDING_DIR", str(settings.landing_dir))
    env.setdefault("PIPELINE_SERVING_DIR", str(settings.serving_dir))
    env.setdefault("PIPELINE_REPORT_DIR", str(settings.report_dir))
    env.setdefault("PIPELINE_QUALITY_DIR", str(settings.quality_dir))
    return env
