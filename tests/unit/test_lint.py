"""The code base stays ruff-clean (rules in pyproject.toml, including Airflow 3's AIR3 checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


@pytest.mark.lint
def test_sqlfluff_passes_on_the_dbt_models(tmp_path: Path) -> None:
    """SQL style (lower-case keywords, explicit aliases, layout) with the dbt templater; rules in .sqlfluff."""
    import os

    env = {**os.environ, "PIPELINE_WAREHOUSE": str(tmp_path / "lint.duckdb")}
    result = subprocess.run([sys.executable, "-m", "sqlfluff", "lint", "dbt_project/models"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-5000:]
