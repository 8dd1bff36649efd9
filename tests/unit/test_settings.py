"""Settings read from the environment: the values dbt gets, and the messages a bad value gives."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.dbt import unit_test_excludes, warehouse_by_name
from pipeline.settings import load_gate_settings, load_settings


def test_an_empty_spill_folder_still_gives_dbt_a_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """docker-compose passes `${PIPELINE_DBT_TEMP_DIR:-}` (empty when unset); handed on as it is, the profile's
    temp_directory would be '' and DuckDB would not spill past its memory cap."""
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("PIPELINE_DBT_TEMP_DIR", "")
    assert load_settings().dbt_env()["PIPELINE_DBT_TEMP_DIR"] == f"{tmp_path / 'w.duckdb'}.tmp"
    monkeypatch.setenv("PIPELINE_DBT_TEMP_DIR", str(tmp_path / "spill"))
    assert load_settings().dbt_env()["PIPELINE_DBT_TEMP_DIR"] == str(tmp_path / "spill")


def test_dbt_gets_the_warehouse_by_name_and_relative_folders_of_the_project(monkeypatch: pytest.MonkeyPatch,
                                                                             tmp_path: Path) -> None:
    """run_dbt starts dbt in the warehouse's folder with the file's name (dbt's saved parse then holds for any
    warehouse of that name); a relative spill folder or log folder still means one in the project, as before."""
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("PIPELINE_DBT_TEMP_DIR", "")  # docker-compose's empty value
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)
    settings = load_settings()
    cwd, env = warehouse_by_name(settings)
    assert cwd == tmp_path.resolve()
    assert env == {"PIPELINE_WAREHOUSE": "warehouse.duckdb", "PIPELINE_DBT_TEMP_DIR": "warehouse.duckdb.tmp",
                   "DBT_LOG_PATH": str(settings.dbt_project_dir / "logs")}
    monkeypatch.setenv("PIPELINE_DBT_TEMP_DIR", "spill")
    monkeypatch.setenv("DBT_LOG_PATH", "dbt-logs")
    env = warehouse_by_name(load_settings())[1]
    assert (env["PIPELINE_DBT_TEMP_DIR"], env["DBT_LOG_PATH"]) == (str(settings.dbt_project_dir / "spill"),
                                                                    str(settings.dbt_project_dir / "dbt-logs"))
    monkeypatch.setenv("PIPELINE_DBT_TEMP_DIR", str(tmp_path / "spill"))
    assert warehouse_by_name(load_settings())[1]["PIPELINE_DBT_TEMP_DIR"] == str(tmp_path / "spill")
    # Not created yet (a `dbt parse` before the first load): dbt runs in the project with the full paths.
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(tmp_path / "new" / "warehouse.duckdb"))
    assert warehouse_by_name(load_settings()) == (settings.dbt_project_dir, {})


@pytest.mark.parametrize("name", ["PIPELINE_DBT_THREADS", "PIPELINE_DUCKDB_THREADS", "PIPELINE_SERVING_KEEP_VERSIONS"])
@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_count_that_is_not_a_whole_number_names_its_variable(name: str, value: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"^{name}='{value}' is not a whole number of 1 or more: set it to one"):
        load_settings()


@pytest.mark.parametrize("name", ["PIPELINE_INGEST_MEMORY_LIMIT", "PIPELINE_DBT_MEMORY_LIMIT"])
def test_a_memory_limit_duckdb_would_not_read_names_its_variable(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for value in ("1GB", "512 MB", "1.5GiB", "2g", "80%"):  # DuckDB's forms
        monkeypatch.setenv(name, value)
        load_settings()
    for value in ("lots", "1000000", "1 GBs"):
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=f"^{name}='{value}' is not an amount of memory: set it to a number and"):
            load_settings()


def test_an_unknown_report_time_zone_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_REPORT_TZ", "America/Chicago")
    assert load_settings().report_timezone == "America/Chicago"
    for value in ("Mars/Base", "../etc"):
        monkeypatch.setenv("PIPELINE_REPORT_TZ", value)
        with pytest.raises(ValueError, match=f"^PIPELINE_REPORT_TZ='{value}' is not an IANA time zone"):
            load_settings()


def test_an_unknown_transform_pool_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TRANSFORM_POOL", "bogus")
    with pytest.raises(ValueError, match="PIPELINE_TRANSFORM_POOL='bogus'.*warehouse_writer, none"):
        load_settings()


def test_unit_tests_never_leaves_them_out_of_builds_and_tests_that_do_not_name_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What PIPELINE_DBT_UNIT_TESTS adds to a dbt command (a real build under `never`: tests/integration/
    test_run_summaries.py); a bad value names the variable."""
    monkeypatch.setenv("PIPELINE_DBT_UNIT_TESTS", "never")
    never = load_settings()
    assert unit_test_excludes(never, ("build",)) == ("--exclude-resource-type", "unit_test")
    assert unit_test_excludes(never, ("test", "--select", "int_orders")) == ("--exclude-resource-type", "unit_test")
    assert unit_test_excludes(never, ("test", "--select", "int_orders,test_type:unit")) == ()
    assert unit_test_excludes(never, ("build", "--resource-type", "unit_test")) == ()
    assert unit_test_excludes(never, ("run",)) == () and unit_test_excludes(never, ("source", "freshness")) == ()
    monkeypatch.setenv("PIPELINE_DBT_UNIT_TESTS", "")
    assert load_settings().dbt_unit_tests == "on_code_change"
    assert unit_test_excludes(load_settings(), ("build",)) == ()
    monkeypatch.setenv("PIPELINE_DBT_UNIT_TESTS", "sometimes")
    with pytest.raises(ValueError, match="PIPELINE_DBT_UNIT_TESTS='sometimes': set it to one of on_code_change, never"):
        load_settings()


def test_a_transform_cron_airflow_would_never_fire_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Airflow takes a cron it cannot read without a word (its description is just empty) and the DAG never runs on
    it; the settings refuse it, so the DAG file's import error names the variable."""
    for value, expected in (("30 5 * * 1-5", "30 5 * * 1-5"), ("@daily", "@daily"), (" none ", "")):
        monkeypatch.setenv("PIPELINE_TRANSFORM_CRON", value)
        assert load_settings().transform_cron == expected
    for value in ("every day", "0 0 * *", "61 0 * * *", "0 0 * * * 0"):
        monkeypatch.setenv("PIPELINE_TRANSFORM_CRON", value)
        with pytest.raises(ValueError, match=re.escape(f"PIPELINE_TRANSFORM_CRON='{value}' is not a cron")):
            load_settings()


def test_a_reporting_currency_that_is_not_a_currency_code_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_REPORTING_CURRENCY", " eur")
    assert load_settings().reporting_currency == "EUR"
    for value in ("EURO", "€", "US$"):
        monkeypatch.setenv("PIPELINE_REPORTING_CURRENCY", value)
        with pytest.raises(ValueError, match="^PIPELINE_REPORTING_CURRENCY='.*' is not a currency code: set it"):
            load_settings()


def test_brand_handles_are_read_as_handles_and_anything_else_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_BRAND_HANDLES", " @LumenAndCo, #lumen.and_co-us ,")
    assert load_settings().brand_handles == ("lumenandco", "lumen.and_co-us")
    # int_posts makes them a regular expression: an empty list would match every "@", a "+" or "|" another handle.
    for value, says in ((" , ", "empty"), ("lumen+co", "not a handle: lumen+co"), ("a|b", "not a handle: a|b")):
        monkeypatch.setenv("PIPELINE_BRAND_HANDLES", value)
        with pytest.raises(ValueError, match=f"^PIPELINE_BRAND_HANDLES=.*: {re.escape(says)}; set it"):
            load_settings()


def test_target_countries_are_two_letter_codes_and_anything_else_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # "USA" was taken as is: no audience was in it, 46 of 76 accounts were published rejected.
    monkeypatch.setenv("PIPELINE_TARGET_COUNTRIES", " us, gb ,")
    assert load_settings().target_countries == ("US", "GB")
    for value, named in (("USA", "'USA'"), ("US,UK ,Great Britain", "'GREAT BRITAIN'"), (",", "")):
        monkeypatch.setenv("PIPELINE_TARGET_COUNTRIES", value)
        with pytest.raises(ValueError, match=re.escape(f"PIPELINE_TARGET_COUNTRIES={value!r} is not a list of ISO "
                                                       f"3166 two-letter country codes")) as refused:
            load_settings()
        assert named in str(refused.value) and "e.g. US,CA,GB" in str(refused.value)


@pytest.mark.parametrize(("name", "value"), [("PIPELINE_GATE_MAX_QUARANTINE_SHARE", "abc"),
                                             ("PIPELINE_GATE_MAX_QUARANTINE_SHARE", "5"),
                                             ("PIPELINE_GATE_MAX_CHANGED_SHARE", "-0.1"),
                                             ("PIPELINE_GATE_MAX_ROWS_RATIO", "ten"),
                                             ("PIPELINE_GATE_FRESHNESS_HOURS", "-1")])
def test_a_gate_threshold_that_is_not_a_number_in_range_names_its_variable(name: str, value: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # "abc" failed after the load with "could not convert string to float"; a share of 5 turned the check off.
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=f"^{name}='{value}' is not a "):
        load_gate_settings()


def test_outside_the_demo_dbt_refuses_to_run_without_the_brands_handles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample brand's handle was the default: another brand's posts all read as organic, no disclosure was
    checked, and creators were rejected for it. Now only the demo has a default."""
    from pipeline.dbt import _with_settings_vars

    monkeypatch.delenv("PIPELINE_BRAND_HANDLES", raising=False)
    monkeypatch.delenv("PIPELINE_DEMO", raising=False)
    settings = load_settings()
    assert settings.brand_handles == ()
    for command in ("build", "run", "test", "seed"):
        with pytest.raises(ValueError, match=r"^PIPELINE_BRAND_HANDLES is not set: set it to your brand's handles"):
            _with_settings_vars(settings, (command,))
    # The manifest Cosmos draws its tasks from is parsed at deploy time (the Dockerfile), before any brand is set.
    assert _with_settings_vars(settings, ("parse",)) == ("parse", "--vars", '{"brand_handles": []}')
    monkeypatch.setenv("PIPELINE_DEMO", "1")
    assert load_settings().dbt_vars() == {"brand_handles": ["lumenandco"]}
    monkeypatch.delenv("PIPELINE_DEMO")
    monkeypatch.setenv("PIPELINE_BRAND_HANDLES", "mybrand")
    assert _with_settings_vars(load_settings(), ("build",)) == ("build", "--vars", '{"brand_handles": ["mybrand"]}')
