"""The `ingest` and `pipeline` commands, run as a user runs them (real processes), on a data folder that does not
exist, one that is empty, a missing file, and a warehouse another process holds: one readable line saying what to
do, a non-zero exit, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY
from tests.integration.test_warehouse_lock import held

INGEST = [sys.executable, "-m", "ingest.cli"]
PIPELINE = [sys.executable, "-m", "pipeline.cli"]
ADMIT = ["gate", "admit", "shopify_orders_csv-20260101T000000-0123456789ab", "--reason", "checked"]


def _run(command: list[str], data_dir: Path, **env: str) -> str:
    """stderr of the command, after checking it failed with one error line and no traceback."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIPELINE_", "INSTAGRAM_", "SHOPIFY_"))}
    clean.update(PIPELINE_DATA_DIR=str(data_dir), PIPELINE_PII_KEY=PII_TEST_KEY, **env)
    run = subprocess.run(command, env=clean, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ") or " ERROR " in line]
    assert len(errors) == 1, run.stderr
    return errors[0]


# A Graph API URL nothing listens on: fetching Instagram media first reads the creators from the warehouse.
INSTAGRAM = {"INSTAGRAM_GRAPH_URL": "http://127.0.0.1:9/v21.0", "INSTAGRAM_ACCESS_TOKEN": "t0ken"}


@pytest.mark.parametrize(("command", "expected"), [
    (INGEST + ["status"], "no warehouse at {data}/warehouse.duckdb yet: run `ingest load`"),
    (INGEST + ["load"], "{data}/landing: the landing folder does not exist: put the exports there"),
    (INGEST + ["rekey"], "no warehouse at {data}/warehouse.duckdb: nothing to re-key"),
    (INGEST + ["locate", "{data}/landing/x.csv", "ab12"], "{data}/landing/x.csv: no such file: give the landing file"),
    (INGEST + ["fetch", "instagram"], "no warehouse at {data}/warehouse.duckdb yet"),
    (PIPELINE + ["summary"], "{data}/serving/current/marts.duckdb does not exist: nothing is published yet: run "
                             "`pipeline demo`"),
    (PIPELINE + ["evaluate"], "{data}/landing/ground_truth.json does not exist"),
    (PIPELINE + ["gate", "status"], "no warehouse at {data}/warehouse.duckdb yet"),
    (PIPELINE + ADMIT, "no warehouse at {data}/warehouse.duckdb yet"),
], ids=["ingest status", "ingest load", "ingest rekey", "ingest locate", "ingest fetch", "pipeline summary",
        "pipeline evaluate", "pipeline gate status", "pipeline gate admit"])
def test_a_missing_data_folder_gets_one_line_saying_what_to_do(command: list[str], expected: str,
                                                               tmp_path: Path) -> None:
    data = tmp_path / "new"
    line = _run([part.format(data=data) for part in command], data, **INSTAGRAM)
    assert expected.format(data=data) in line
    assert not (data / "warehouse.duckdb").exists(), "a look at a missing warehouse does not create one"


def test_an_empty_data_folder_gets_one_line_saying_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    assert "no files of marketing, shopify, social in the landing folder: `ingest sources` lists where" in _run(
        INGEST + ["load"], tmp_path)
    assert f"warehouse {tmp_path}/warehouse.duckdb has no loads yet: run `ingest load` first" in _run(
        INGEST + ["status"], tmp_path)


def test_a_held_warehouse_gets_one_line_naming_the_holder(sample_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    load_with_results(["creators"], sample_landing, warehouse, PII_TEST_KEY)
    env = {"PIPELINE_LANDING_DIR": str(sample_landing), **INSTAGRAM}
    with held(warehouse) as holder:
        for command in (["status"], ["load", "campaigns"], ["rekey"], ["fetch", "instagram"]):
            line = _run(INGEST + command, tmp_path, **env)
            assert f"warehouse {warehouse} is held by PID {holder.pid}" in line, command
        for command in (["gate", "status"], ADMIT):
            line = _run(PIPELINE + command, tmp_path, **env)
            assert f"warehouse {warehouse} is held by PID {holder.pid}" in line, command
        # The demo says so before it starts Airflow (its ingest sensor would wait on the lock for up to an hour);
        # a landing folder of its own, in case it ever regenerated the shared sample.
        line = _run(PIPELINE + ["demo"], tmp_path, **{**env, "PIPELINE_LANDING_DIR": str(tmp_path / "demo-landing")})
        assert f"warehouse {warehouse} is held by PID {holder.pid}" in line
    assert not (tmp_path / "demo-landing").exists() and not (tmp_path / "logs").exists(), "the demo did not start"


def test_a_malformed_setting_gets_one_line_naming_the_variable(tmp_path: Path) -> None:
    line = _run(INGEST + ["status"], tmp_path, PIPELINE_INGEST_ENCODING="klingon")
    assert "PIPELINE_INGEST_ENCODING='klingon' is not a text encoding" in line


def test_evaluate_on_a_sample_from_an_older_generator_says_to_generate_it_again(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    (tmp_path / "landing" / "ground_truth.json").write_text('{"planted_creators": [], "genuine_creators": []}')
    serving = tmp_path / "serving" / "current" / "marts.duckdb"
    serving.parent.mkdir(parents=True)
    serving.touch()
    line = _run(PIPELINE + ["evaluate"], tmp_path)
    assert "has no budget_cases, customer_value_cases" in line and "Generate the sample again" in line, line
