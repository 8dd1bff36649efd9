"""creator_customer_value behind the mart gate: on the built sample it passes and publishes; a mart that disagrees
with creator_roi on a creator's new customers, or whose customers do not add up, fails the real GX Checkpoint with
the check's name, and publish then refuses (the serving folder keeps the last good version: here, none)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from expectations.gate import QualityGateFailed
from pipeline import tasks
from pipeline.settings import Settings, load_settings


@pytest.fixture
def pipeline_env(built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb")
    for name, value in (
        ("PIPELINE_DATA_DIR", tmp_path),
        ("PIPELINE_WAREHOUSE", tmp_path / "warehouse.duckdb"),
        ("PIPELINE_QUALITY_DIR", tmp_path / "quality"),
        ("PIPELINE_SERVING_DIR", tmp_path / "serving"),
    ):
        monkeypatch.setenv(name, str(value))
    return load_settings()


def _published_marts(settings: Settings) -> set[str]:
    con = duckdb.connect(str(settings.serving_dir / "current" / "marts.duckdb"), read_only=True)
    try:
        return {r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()}
    finally:
        con.close()


def test_customer_value_that_disagrees_with_creator_roi_is_never_published(pipeline_env: Settings) -> None:
    tasks.mart_gate("clean")
    tasks.publish_marts("clean")
    assert "creator_customer_value" in _published_marts(pipeline_env)

    con = duckdb.connect(str(pipeline_env.warehouse_path))
    # A drifted model: one creator gains a new customer creator_roi does not have, and one counts more repeat
    # customers than customers whose 90 days are over.
    con.execute(
        "update marts.creator_customer_value set new_customers = new_customers + 1, "
        "open_window_customers = open_window_customers + 1 "
        "where creator_id = (select min(creator_id) from marts.creator_customer_value)"
    )
    con.execute(
        "update marts.creator_customer_value set repeat_customers = complete_window_customers + 1 "
        "where creator_id = (select max(creator_id) from marts.creator_customer_value)"
    )
    con.close()
    with pytest.raises(QualityGateFailed, match="creators_not_reconciled_with_roi") as failed:
        tasks.mart_gate("drifted")
    message = str(failed.value)
    assert "mart_creator_customer_value" in message and "customers_not_adding_up" in message
    assert "nothing published" in message and "Fix the data or the model" in message
    before = (pipeline_env.serving_dir / "current").resolve()
    with pytest.raises(tasks.PublishRefused, match="failed"):
        tasks.publish_marts("drifted")
    assert (pipeline_env.serving_dir / "current").resolve() == before, "the last good version stays current"
