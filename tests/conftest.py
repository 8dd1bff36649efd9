"""Shared fixtures. Airflow is pointed at a throw-away AIRFLOW_HOME before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airflow-home-"))
os.environ.setdefault("AIRFLOW_HOME", str(_AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(Path(__file__).resolve().parent.parent / "dags"))
# dbt's artefacts (manifest, run_results.json, the partial-parse cache, logs) go to a folder of this test process:
# the two workers of `pytest -n 2`, and a developer's own dbt runs, never read or overwrite each other's.
_DBT_ARTEFACTS = Path(tempfile.mkdtemp(prefix="dbt-artefacts-"))
os.environ["DBT_TARGET_PATH"] = str(_DBT_ARTEFACTS / "target")
os.environ["DBT_LOG_PATH"] = str(_DBT_ARTEFACTS / "logs")

PII_TEST_KEY = "test-key"


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scale-S sample data, generated once per test session (seed 7)."""
    from pipeline.generate import generate

    out = tmp_path_factory.mktemp("landing")
    generate(out, scale="S", seed=7)
    return out


@pytest.fixture(scope="session")
def loaded_warehouse(sample_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data ingested into a fresh warehouse file and passed by the raw quality gate, as in a pipeline
    run: dbt reads only gated batches (read-only use in tests, please)."""
    from expectations.gate import run_raw_gate
    from ingest.runs import load_with_results

    warehouse = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    load_with_results(["marketing", "shopify", "social"], sample_landing, warehouse, PII_TEST_KEY)
    assert run_raw_gate(warehouse, tmp_path_factory.mktemp("quality"), "fixture") == []
    return warehouse


@pytest.fixture(scope="session")
def built_warehouse(loaded_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the loaded warehouse after a real ``dbt build`` (models, tests, unit tests)."""
    import dataclasses
    import shutil

    from pipeline.dbt import run_dbt
    from pipeline.settings import load_settings

    warehouse = tmp_path_factory.mktemp("built") / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    run_dbt(dataclasses.replace(load_settings(), warehouse_path=warehouse), "build")
    return warehouse


@pytest.fixture
def no_registered_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the secrets earlier tests registered: a redaction test must pass because the code under test
    registered its secret, not because another test did."""
    from ingest.connectors import redaction

    monkeypatch.setattr(redaction, "_secrets", frozenset())
