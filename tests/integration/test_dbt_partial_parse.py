"""dbt's fixed cost: every dbt command of the pipeline reuses the parse the previous one saved (partial parsing,
target/partial_parse.msgpack). dbt discards it when a command runs with other vars, and then parses the whole
project again (~3 s idle, ~10 s on a busy 2-core box): the daily run's `dbt source freshness` ran without the
settings' vars, so it and the next `dbt build` each paid a full parse. It also discards it when the profile's
connection settings change: dbt opens the warehouse by its name from its folder, so that another warehouse file (a
copy, each test's own) is not another profile. Real dbt, real warehouse files."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from pipeline.dbt import DbtFailed, run_dbt
from pipeline.settings import load_settings


def test_source_freshness_and_the_build_reuse_the_saved_parse(loaded_warehouse: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    run_dbt(settings, "parse")  # the whole project, once: saves the parse to the target folder
    try:
        run_dbt(settings, "source", "freshness")  # as pipeline/tasks.py runs it
    except DbtFailed:  # a stale source fails the command after it parsed, which is what this test checks
        pass
    run_dbt(settings, "ls", "--select", "creator_roi")  # parses as `dbt build` does, with the settings' vars
    (tmp_path / "other").mkdir()
    run_dbt(dataclasses.replace(settings, warehouse_path=tmp_path / "other" / "warehouse.duckdb"), "ls")
    log = (tmp_path / "logs" / "dbt.log").read_text()
    full = [line for line in log.splitlines() if "Unable to do partial parsing" in line]
    assert len(full) == 1 and "saved manifest not found" in full[0], f"dbt parsed the whole project again: {full}"
    # ... and the three commands after it took the saved parse (re-reading only files changed meanwhile, if any)
    assert log.count("Partial parsing enabled: ") == 3, log[-3000:]
    assert not list((tmp_path / "other").iterdir()), "dbt wrote nothing beside a warehouse it only listed"
