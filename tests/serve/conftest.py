"""A published serving folder built the way the pipeline builds it: the session's built warehouse (tests/conftest.py)
judged by the real mart gate, then published. Shared by the dashboard, Superset and report tests (read-only use:
copy it with ``copy_serving`` before publishing into it)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Published:
    warehouse: Path  # a gated copy of the built warehouse: publish it again to make a new version
    serving_dir: Path
    quality_dir: Path


@pytest.fixture(scope="session")
def published(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Published:
    from expectations.gate import run_mart_gate
    from pipeline.publish import publish

    root = tmp_path_factory.mktemp("published")
    warehouse = root / "warehouse.duckdb"
    shutil.copy(built_warehouse, warehouse)
    run_mart_gate(warehouse, root / "quality", "fixture")
    publish(warehouse, root / "serving")
    return Published(warehouse, root / "serving", root / "quality")


def copy_serving(published: Published, to: Path) -> Path:
    """A private copy of the serving folder (its links are relative, so the copy is self-contained)."""
    shutil.copytree(published.serving_dir, to, symlinks=True)
    return to
