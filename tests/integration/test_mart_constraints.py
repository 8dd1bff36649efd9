"""The marts' key columns are NOT NULL constraints of the tables dbt builds (their enforced contracts in
models/marts/_marts__models.yml), not separate not_null test queries: DuckDB itself refuses a NULL there, so a build
that would write one fails that mart, and the gate publishes nothing."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.dbt import DbtFailed, run_dbt
from pipeline.settings import load_settings

MARTS_YAML = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__models.yml"


def _declared_not_null() -> set[tuple[str, str]]:
    models = yaml.safe_load(MARTS_YAML.read_text())["models"]
    return {(model["name"], column["name"]) for model in models for column in model.get("columns", [])
            if {"type": "not_null"} in column.get("constraints", [])}


def test_every_declared_key_is_not_null_in_the_built_marts_and_nothing_else(con: duckdb.DuckDBPyConnection) -> None:
    declared = _declared_not_null()
    assert ("creator_roi", "creator_id") in declared and ("creator_vetting", "verdict") in declared
    built = set(con.execute("select table_name, column_name from duckdb_columns() "
                            "where schema_name = 'marts' and not is_nullable").fetchall())
    assert built == declared


def test_duckdb_refuses_a_null_key_in_a_mart(built_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        with pytest.raises(duckdb.ConstraintException, match=r"NOT NULL constraint failed: creator_roi\.creator_id"):
            con.execute("update marts.creator_roi set creator_id = null "
                        "where creator_id = (select min(creator_id) from marts.creator_roi)")
    finally:
        con.close()


def test_a_build_that_would_write_a_null_key_fails_that_mart_and_keeps_its_last_table(
        built_warehouse: Path, tmp_path: Path) -> None:
    """A NULL due date upstream (what a not_null test used to catch after the write) fails the mart's own build, and
    the table from the last good build stays for the gate and publish to see."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, copy)
    con = duckdb.connect(str(copy))
    try:
        before = con.execute("select count(*), count(due_date) from marts.contract_deliverables").fetchone()
        assert con.execute("update intermediate.int_contract_deliverable_units set due_date = null where contract_id "
                           "= (select min(contract_id) from intermediate.int_contract_deliverable_units)"
                           ).fetchone()[0] > 0
    finally:
        con.close()
    with pytest.raises(DbtFailed, match=r"(?s)contract_deliverables.*NOT NULL constraint failed") as failed:
        run_dbt(dataclasses.replace(load_settings(), warehouse_path=copy), "run", "--select", "contract_deliverables")
    assert not failed.value.data_tests_failed, "a model's error is not a failed data test: the task keeps its retry"
    con = duckdb.connect(str(copy), read_only=True)
    try:
        assert con.execute("select count(*), count(due_date) from marts.contract_deliverables").fetchone() == before
    finally:
        con.close()
