"""A model's key is one `primary_key` test (dbt_project/tests/generic/primary_key.sql) where it was a not_null test per
key column and a uniqueness test: a key on two rows, or a null in any key column, still fails it, for a key of one
column and a key of several. Real dbt tests on a copy of the built warehouse."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import duckdb

from pipeline.dbt import DbtFailed, run_dbt
from pipeline.settings import load_settings

# A key of three columns (in the model's data_tests) and a key of one (in the column's); the null goes in the last.
KEYS = {"int_account_audience": ("platform", "account_id", "country_code"), "int_orders": ("order_name",)}


def _key_tests(warehouse: Path) -> dict[str, tuple[str, int]]:
    """Run the two models' primary_key tests; each test's model, status and failing rows."""
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse)
    selection = " ".join(f"test_name:primary_key,{model}" for model in KEYS)
    try:
        run_dbt(settings, "test", "--select", selection)
    except DbtFailed as exc:  # the statuses below say which failed
        # only tests failed, and dbt says so: the daily build's task then fails without a retry (pipeline/tasks.py)
        assert exc.data_tests_failed, exc
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text())["results"]
    return {r["unique_id"].split(".")[2]: (r["status"], r["failures"]) for r in results
            if r["unique_id"].startswith("test.")}


def test_a_duplicate_or_a_null_key_fails_the_key_test(built_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse, copy)
    passed = _key_tests(copy)
    assert sorted(passed) == ["primary_key_int_account_audience_platform__account_id__country_code",
                              "primary_key_int_orders_order_name"]
    assert set(passed.values()) == {("pass", 0)}

    con = duckdb.connect(str(copy))
    try:
        for model, key in KEYS.items():
            table = f"intermediate.{model}"
            # one row loses the last column of its key, another is there twice
            con.execute(f"update {table} set {key[-1]} = null where rowid = (select max(rowid) from {table})")
            con.execute(f"insert into {table} select * from {table} where rowid = (select min(rowid) from {table})")
    finally:
        con.close()
    failed = _key_tests(copy)
    assert set(failed) == set(passed)
    # one failing key each: the duplicated one, and the one with a null
    assert set(failed.values()) == {("fail", 2)}, failed
