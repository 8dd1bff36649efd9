"""What a run says: the summaries the task functions return as XCom, computed from a real ingest, a real dbt build
(its run_results.json), real gates and a real publish, folded into the DAG run's note; and `dbt source freshness`
with the sources YAML's thresholds, where a source past warn_after warns and past error_after fails the task with
the table, its age and the threshold."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.runs import load_with_results
from pipeline import tasks
from pipeline.settings import load_settings
from pipeline.summaries import run_note
from tests.conftest import PII_TEST_KEY


@pytest.fixture(scope="module")
def data_dir(sample_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A pipeline's data folder (its own landing copy, warehouse, serving) set in the environment. dbt's target
    stays the test process's (tests/conftest.py): its builds re-use the parse saved there."""
    root = tmp_path_factory.mktemp("run")
    shutil.copytree(sample_landing, root / "landing")
    saved = dict(os.environ)
    for key in ("PIPELINE_WAREHOUSE", "PIPELINE_LANDING_DIR", "PIPELINE_SERVING_DIR", "PIPELINE_QUALITY_DIR"):
        os.environ.pop(key, None)
    os.environ.update({"PIPELINE_DATA_DIR": str(root), "PIPELINE_PII_KEY": PII_TEST_KEY})
    try:
        yield root
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def run(data_dir: Path) -> dict[str, dict]:
    """One transform's task summaries after the ingest of every family, as the DAGs would return them."""
    summaries = {f"ingest_{family}": tasks.ingest_group(family) for family in ("marketing", "shopify", "social")}
    summaries["raw_gate"] = tasks.raw_gate("summaries-run")
    summaries["dbt_build"] = tasks.dbt_build()
    results = json.loads((load_settings().dbt_target_dir / "run_results.json").read_text())["results"]
    summaries["dbt_ran"] = Counter(r["unique_id"].split(".")[0] for r in results)
    summaries["mart_gate"] = tasks.mart_gate("summaries-run")
    summaries["publish"] = tasks.publish_marts("summaries-run")
    return summaries


def _manifest(data_dir: Path) -> list[tuple]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute("select source, rows_read, rows_loaded, rows_quarantined from raw.load_manifest "
                           "order by 1").fetchall()
    finally:
        con.close()


def test_ingest_summaries_count_every_file_as_the_manifest_does(run: dict[str, dict], data_dir: Path) -> None:
    files = [f for family in ("marketing", "shopify", "social") for f in run[f"ingest_{family}"]["files"]]
    assert sorted((f["source"], f["rows_read"], f["rows_loaded"], f["rows_quarantined"]) for f in files) == sorted(
        _manifest(data_dir))
    shopify = run["ingest_shopify"]
    assert shopify["files_loaded"] == len(shopify["files"]) == len(shopify["load_ids"]) > 0
    assert shopify["rows_loaded"] == sum(f["rows_loaded"] for f in shopify["files"])
    assert "raw.shopify_order_lines_csv" in shopify["tables"] and "raw.shopify_orders_api" in shopify["tables"]
    assert all(t.startswith("raw.") for family in ("marketing", "social") for t in run[f"ingest_{family}"]["tables"])


def test_the_first_build_leaves_the_unit_tests_to_ci_when_told(run: dict[str, dict]) -> None:
    """PIPELINE_DBT_UNIT_TESTS=never (tests/conftest.py): the pipeline's build of a new warehouse, code no build ran
    yet, runs every model and data test and no unit test."""
    ran = run["dbt_ran"]
    manifest = json.loads((load_settings().dbt_target_dir / "manifest.json").read_text())
    data_tests = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "test")
    assert ran["unit_test"] == 0 and ran["model"] > 90 and ran["seed"] > 0, ran
    assert ran["test"] == data_tests > 200, (ran, data_tests)


def test_transform_summaries_say_what_was_built_checked_and_published(run: dict[str, dict]) -> None:
    dbt = run["dbt_build"]
    assert dbt["models_built"] > 20 and dbt["models_failed"] == 0
    assert dbt["tests_passed"] > 50 and dbt["tests_failed"] == 0
    assert len(dbt["slowest"]) == 3 and all(s.endswith("s") for s in dbt["slowest"])
    assert run["raw_gate"] == {"result": "passed", "rejected": 0, "rejections": [], "held_back": 0}
    assert run["mart_gate"]["result"] == "passed"
    assert run["mart_gate"]["mart_rows"] == run["publish"]["rows"], "the gate passed what was published"

    note = run_note({**run, "rejected_batches": None})
    assert f"**publish**: version {run['publish']['version']}" in note
    assert f"**dbt_build**: {dbt['models_built']} models built (0 failed); tests {dbt['tests_passed']} passed" in note
    assert "**raw_gate**: passed (0 batch(es) rejected)" in note
    # A batch an earlier run rejected is still out of the marts: a passing run's note says so.
    held = run_note({"raw_gate": {**run["raw_gate"], "held_back": 2}})
    assert ("**raw_gate**: passed (0 batch(es) rejected; 2 rejected batch(es) held out of the marts in all, see "
            "`pipeline gate status`)") in held
    assert (f"**ingest_shopify**: {run['ingest_shopify']['files_loaded']} file(s) loaded, 0 already loaded; rows "
            f"loaded {run['ingest_shopify']['rows_loaded']}") in note
    assert "**rejected_batches**: no summary (failed, skipped or not run; see its log)" in note


def test_the_file_sensor_sees_new_and_re_exported_files_only(run: dict[str, dict], data_dir: Path) -> None:
    assert tasks.new_landing_files(["marketing", "shopify", "social"]) == [], "everything landed was loaded"
    creators = data_dir / "landing" / "marketing" / "creators.csv"
    os.utime(creators)  # re-exported under the same name
    new = data_dir / "landing" / "followers" / "followers-late.csv"
    shutil.copy(next((data_dir / "landing" / "followers").glob("*.csv")), new)
    (data_dir / "landing" / "notes.txt").write_text("not a source's file")
    assert tasks.new_landing_files(["marketing", "social"]) == sorted([str(creators), str(new)])
    assert tasks.new_landing_files(["shopify"]) == []
    # Both hold content loaded before: the load skips them by checksum, and then they are no longer new. They were
    # new for ever after, which would have started ingest_files (@continuous) again and again.
    results = load_with_results(["marketing", "social"], data_dir / "landing", data_dir / "warehouse.duckdb",
                                PII_TEST_KEY)
    assert {Path(r.file).name: r.status for r in results if Path(r.file) in (creators, new)} == {
        "creators.csv": "skipped", "followers-late.csv": "skipped"}
    assert tasks.new_landing_files(["marketing", "shopify", "social"]) == []
    os.utime(new)  # touched again after its skip: new again, once
    assert tasks.new_landing_files(["social"]) == [str(new)]


def _age(data_dir: Path, table: str, days: int) -> None:
    """As if no file of ``table`` had arrived for ``days`` days."""
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute(f"update raw.{table} set _loaded_at = _loaded_at - interval ({days}) day")
    finally:
        con.close()


def test_a_stale_source_warns_past_warn_after_and_fails_past_error_after(
        run: dict[str, dict], data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = tasks.source_freshness()
    assert fresh == {"checked": 3, "warn": [], "error": [], "never": []}

    _age(data_dir, "follower_snapshots", 3)  # warn_after 48 h, error_after 7 days
    warned = tasks.source_freshness()
    [warning] = warned["warn"]
    assert warning.startswith("tracking.follower_snapshots: newest accepted delivery 72 h old")
    assert warning.endswith("thresholds warn_after 48 hour, error_after 7 day") and warned["error"] == []
    assert "source freshness: tracking.follower_snapshots" in caplog.text

    _age(data_dir, "fx_rates", 8)
    with pytest.raises(tasks.SourcesStale) as stale:
        tasks.source_freshness()
    message = str(stale.value)
    assert "fx.fx_rates: newest accepted delivery 19" in message and "error_after 7 day" in message
    assert "_*__sources.yml" in message and "Deliver the missing files" in message
    assert "follower_snapshots" not in message, "a warning is not an error"


def test_a_source_never_delivered_warns_that_it_never_came_instead_of_failing_every_run(
        run: dict[str, dict], data_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    # A site without follower snapshots: dbt counts an empty table's age from year 1 and fails it, so every run
    # ended failed and alerted about a delivery 17.7 million hours old.
    _age(data_dir, "fx_rates", -8)  # undo the previous test's stale rates, if it ran
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        con.execute("delete from raw.follower_snapshots")
    finally:
        con.close()
    summary = tasks.source_freshness()
    assert summary["never"] == ["tracking.follower_snapshots: never delivered (no accepted batch yet); what reads it "
                                "runs without it"]
    assert summary["error"] == [] and summary["warn"] == []
    assert "source freshness: tracking.follower_snapshots: never delivered" in caplog.text
    assert "1 never delivered" in run_note({"source_freshness": summary})

    _age(data_dir, "fx_rates", 8)  # a stale source beside it still fails the task, naming only the stale one
    with pytest.raises(tasks.SourcesStale) as stale:
        tasks.source_freshness()
    assert "fx.fx_rates: newest accepted delivery" in str(stale.value)
    assert "follower_snapshots" not in str(stale.value)
