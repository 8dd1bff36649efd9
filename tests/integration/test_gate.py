"""The quality gate decides, every time: real loads, real GX Checkpoints, real dbt builds and real publishes.

Each test starts from a copy of the session's gated (and built) sample warehouse and delivers a crafted Shopify
export: an absurd order, a JPY order, a silent re-delivery that rewrites past orders' totals.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import yaml

from expectations.gate import DATASOURCE, QualityGateFailed, data_docs_index, run_mart_gate, run_raw_gate
from expectations.state import batch_statuses, held_back_note
from ingest.runs import load_with_results
from pipeline import cli, tasks
from pipeline.dbt import DbtFailed, run_dbt
from pipeline.settings import Settings, load_gate_settings, load_settings
from tests.conftest import PII_TEST_KEY

EXPORT = Path("shopify") / "orders_export"


def _sample_orders(sample_landing: Path) -> tuple[list[str], list[dict[str, str]]]:
    with next((sample_landing / EXPORT).glob("*.csv")).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _deliver(warehouse: Path, folder: Path, header: list[str], rows: list[dict[str, str]]) -> str:
    """Load ``rows`` as a new Shopify export; returns its load id."""
    path = folder / EXPORT / "orders_export-delivery.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    [result] = load_with_results(["shopify_orders_csv"], folder, warehouse, PII_TEST_KEY)
    assert result.status == "loaded"
    return result.load_id


def _one_line_order(rows: list[dict[str, str]], name: str, **changes: str) -> dict[str, str]:
    names = [r["Name"] for r in rows]
    template = next(r for r in rows if names.count(r["Name"]) == 1 and r["Financial Status"] == "paid")
    return {**template, "Name": name, **changes}


def _query(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def loaded(loaded_warehouse: Path, tmp_path: Path) -> Path:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(loaded_warehouse, warehouse)
    return warehouse


@pytest.fixture
def pipeline_env(built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The pipeline's settings pointed at a copy of the built sample warehouse and temp quality/serving dirs."""
    shutil.copy(built_warehouse, tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("PIPELINE_QUALITY_DIR", str(tmp_path / "quality"))
    monkeypatch.setenv("PIPELINE_SERVING_DIR", str(tmp_path / "serving"))
    return load_settings()


def _pipeline_run(run_id: str) -> list[str]:
    """What the DAG runs after ingest: raw gate, dbt build, mart gate, publish. Returns the raw gate's rejections."""
    rejected = list(tasks.raw_gate(run_id)["rejections"])
    tasks.dbt_build()
    tasks.mart_gate(run_id)
    tasks.publish_marts(run_id)
    return rejected


def test_an_absurd_order_is_rejected_and_kept_out_of_dbt(sample_landing: Path, loaded: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = _sample_orders(sample_landing)
    usd_totals = [Decimal(r["Total"]) for r in rows if r["Total"] and r["Currency"] == "USD"]
    assert len(usd_totals) > 100 and max(usd_totals) < 2000, "everyday USD orders, or the test proves nothing"
    absurd = _one_line_order(rows, "#GATE-900K", Currency="USD", Subtotal="900000.00", Total="900000.00",
                             **{"Lineitem price": "900000.00", "Lineitem quantity": "1"})
    load_id = _deliver(loaded, tmp_path / "landing", header, [absurd])

    [message] = run_raw_gate(loaded, tmp_path / "quality", "run-1")

    assert load_id in message and "total_vs_p99" in message and "pipeline gate admit" in message
    assert not re.search(r"\d\.\d{7,}", message), f"a ratio with every digit of a double: {message}"
    assert str(data_docs_index(tmp_path / "quality")) in message
    assert data_docs_index(tmp_path / "quality").exists()
    assert _query(loaded, "select status from raw.batch_gate where load_id = ?", [load_id]) == [("rejected",)]
    assert _query(loaded, "select count(*) from gated.shopify_order_lines_csv where order_name = '#GATE-900K'"
                  ) == [(0,)], "dbt reads the gated views: the rejected batch must not be in them"

    # The shop corrects the export and delivers it again under the same name: the rejected batch has nothing left
    # to decide, and `gate status` no longer lists it among those that need a look.
    def statuses(everything: bool) -> dict[str, str]:
        con = duckdb.connect(str(loaded), read_only=True)
        try:
            return {row[0]: row[3] for row in batch_statuses(con, everything)}
        finally:
            con.close()

    assert statuses(False) == {load_id: "rejected"}
    monkeypatch.setenv("PIPELINE_WAREHOUSE", str(loaded))
    monkeypatch.setenv("PIPELINE_QUALITY_DIR", str(tmp_path / "quality"))
    assert cli.main(["gate", "status"]) == 0
    listed = capsys.readouterr().out
    assert f"rejected  {load_id}" in listed and f"pipeline gate admit {load_id} --reason TEXT" in listed, listed
    path = tmp_path / "landing" / EXPORT / "orders_export-delivery.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("900000.00", "90.00"), encoding="utf-8-sig")
    [corrected] = load_with_results(["shopify_orders_csv"], tmp_path / "landing", loaded, PII_TEST_KEY)
    assert run_raw_gate(loaded, tmp_path / "quality", "run-2") == []
    assert statuses(False) == {}
    assert {k: v for k, v in statuses(True).items() if k in (load_id, corrected.load_id)} == {
        load_id: "superseded", corrected.load_id: "passed"}


def test_a_correction_saved_under_another_name_supersedes_the_rejected_batch(sample_landing: Path, loaded: Path,
                                                                             tmp_path: Path) -> None:
    header, rows = _sample_orders(sample_landing)
    absurd = _one_line_order(rows, "#GATE-RENAMED", Currency="USD", Subtotal="900000.00", Total="900000.00",
                             **{"Lineitem price": "900000.00", "Lineitem quantity": "1"})
    other = _one_line_order(rows, "#GATE-OTHER")
    load_id = _deliver(loaded, tmp_path / "first", header, [absurd, other])
    assert len(run_raw_gate(loaded, tmp_path / "quality", "run-1")) == 1

    def listed() -> dict[str, str]:
        con = duckdb.connect(str(loaded), read_only=True)
        try:
            return {row[0]: row[3] for row in batch_statuses(con)}
        finally:
            con.close()

    # The shop corrects one order and saves the export again: the browser names it "(1)". Only part of the rejected
    # batch's orders are in it, so the rejected batch still needs a decision.
    partial = tmp_path / "partial" / EXPORT / "orders_export-delivery (1).csv"
    partial.parent.mkdir(parents=True)
    with partial.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerow({**absurd, "Subtotal": "90.00", "Total": "90.00", "Lineitem price": "90.00"})
    load_with_results(["shopify_orders_csv"], tmp_path / "partial", loaded, PII_TEST_KEY)
    assert run_raw_gate(loaded, tmp_path / "quality", "run-2") == []
    assert listed() == {load_id: "rejected"}

    whole = tmp_path / "whole" / EXPORT / "orders_export-delivery (2).csv"
    whole.parent.mkdir(parents=True)
    with whole.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{**absurd, "Subtotal": "90.00", "Total": "90.00", "Lineitem price": "90.00"}, other])
    load_with_results(["shopify_orders_csv"], tmp_path / "whole", loaded, PII_TEST_KEY)
    assert run_raw_gate(loaded, tmp_path / "quality", "run-3") == []
    assert listed() == {}, "every order of the rejected batch came again: nothing left to decide"
    con = duckdb.connect(str(loaded), read_only=True)
    try:
        assert {r[0]: r[3] for r in batch_statuses(con, everything=True)}[load_id] == "superseded"
    finally:
        con.close()


def test_a_failed_build_or_mart_gate_names_the_rejected_batches_it_runs_without(
        sample_landing: Path, pipeline_env: Settings, tmp_path: Path) -> None:
    # A rejected delivery can be why a later check fails (an empty mart; orders naming a creator whose creators.csv
    # was rejected): the failure names the batches held back and what to do, so nobody debugs the models first.
    warehouse = pipeline_env.warehouse_path
    header, rows = _sample_orders(sample_landing)
    absurd = _one_line_order(rows, "#GATE-HELD", Currency="USD", Subtotal="900000.00", Total="900000.00",
                             **{"Lineitem price": "900000.00", "Lineitem quantity": "1"})
    load_id = _deliver(warehouse, tmp_path / "landing", header, [absurd])
    assert len(tasks.raw_gate("run-1")["rejections"]) == 1
    held = f"batch {load_id} (shopify_orders_csv, file orders_export-delivery.csv)"
    later = tasks.raw_gate("run-2")  # nothing new: it passes, and its summary still counts the batch held out
    assert (later["result"], later["rejected"], later["held_back"]) == ("passed", 0, 1)

    con = duckdb.connect(str(warehouse))
    con.execute("update marts.creator_vetting set vetting_score = 150 where creator_id = "
                "(select min(creator_id) from marts.creator_vetting)")
    con.execute("insert into intermediate.int_posts select * from intermediate.int_posts limit 1")
    con.close()
    with pytest.raises(QualityGateFailed, match="scores_out_of_range") as failed:
        tasks.mart_gate("run-1")
    assert f"the raw gate holds 1 rejected batch(es) out of the marts, which may be why: {held}" in str(failed.value)
    assert "`pipeline gate admit LOAD_ID --reason TEXT`" in str(failed.value)

    with pytest.raises(DbtFailed, match="Failure in test") as failed_test:
        run_dbt(pipeline_env, "test", "--select", "int_posts,test_type:data")
    assert held in str(failed_test.value) and "`pipeline gate status` says why" in str(failed_test.value)

    assert cli.main(["gate", "admit", load_id, "--reason", "a real order", "--by", "ana"]) == 0
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert held_back_note(con) is None, "an admitted batch is not held back"
    finally:
        con.close()


def test_a_batch_left_unjudged_by_a_stopped_run_is_judged_by_the_next(sample_landing: Path, loaded: Path,
                                                                       tmp_path: Path) -> None:
    header, rows = _sample_orders(sample_landing)
    load_id = _deliver(loaded, tmp_path / "landing", header, [_one_line_order(rows, "#GATE-LATE")])
    # The run that loaded it stopped before its gate (dbt failed, the task was killed): nothing judged it.
    visible = "select count(*) from gated.shopify_order_lines_csv where order_name = '#GATE-LATE'"
    assert _query(loaded, visible) == [(0,)], "an unjudged batch must not reach dbt"

    assert run_raw_gate(loaded, tmp_path / "quality", "next-run") == []  # this run loaded nothing new

    assert _query(loaded, "select status, gate_run from raw.batch_gate where load_id = ?",
                  [load_id]) == [("passed", "next-run")]
    assert _query(loaded, visible) == [(1,)]


def test_a_jpy_order_passes_the_raw_gate(sample_landing: Path, loaded: Path, tmp_path: Path) -> None:
    header, rows = _sample_orders(sample_landing)
    jpy = _one_line_order(rows, "#GATE-JPY", Currency="JPY", Subtotal="45000", Total="49500", Taxes="4500",
                          **{"Lineitem price": "45000", "Lineitem quantity": "1"})
    _deliver(loaded, tmp_path / "landing", header, [jpy])

    assert run_raw_gate(loaded, tmp_path / "quality", "run-1") == []
    assert _query(loaded, "select currency from gated.shopify_order_lines_csv where order_name = '#GATE-JPY'"
                  ) == [("JPY",)]


@pytest.mark.slow
def test_a_rejected_redelivery_stays_out_of_marts_and_serving_until_admitted(
        sample_landing: Path, pipeline_env: Settings, tmp_path: Path) -> None:
    warehouse = pipeline_env.warehouse_path
    header, rows = _sample_orders(sample_landing)
    early = list(dict.fromkeys(r["Name"] for r in rows if r["Financial Status"] == "paid"))[:5]
    # A silent re-delivery: the same orders, their subtotal and total 50.00 higher.
    rewritten = [{**r, "Subtotal": str(Decimal(r["Subtotal"]) + 50), "Total": str(Decimal(r["Total"]) + 50)}
                 if r["Subtotal"] else r for r in rows if r["Name"] in early]
    gross = ("select order_name, net_revenue from order_attribution where order_name in ("
             + ", ".join(f"'{n}'" for n in early) + ") order by 1")
    original = _query(warehouse, gross.replace("from order_attribution", "from marts.order_attribution"))
    assert len(original) == 5
    load_id = _deliver(warehouse, tmp_path / "delivery-1", header, rewritten)

    [message] = _pipeline_run("run-1")  # rejected, and the run goes on with the accepted data
    assert load_id in message and "redelivered_changed_share" in message

    def published() -> list[tuple]:
        return _query(load_settings().serving_path, gross)

    assert published() == original
    # Run 2 brings a later good batch (a JPY order), which moves the incremental models' watermark past the
    # rejected batch: the admission below must still reach the marts.
    jpy = _one_line_order(rows, "#GATE-JPY", Currency="JPY", Subtotal="45000", Total="49500", Taxes="4500",
                          **{"Lineitem price": "45000", "Lineitem quantity": "1"})
    _deliver(warehouse, tmp_path / "delivery-2", header, [jpy])
    assert _pipeline_run("run-2") == []
    assert published() == original
    assert _query(load_settings().serving_path, "select currency from order_attribution where order_name = "
                  "'#GATE-JPY'") == [("JPY",)]

    assert cli.main(["gate", "admit", load_id, "--reason", "price correction confirmed by the shop",
                     "--by", "ana"]) == 0
    assert _pipeline_run("run-3") == []

    assert published() == [(name, value + 50) for name, value in original]
    assert _query(warehouse, "select status, decided_by, decision_reason, decided_at is not null, failures "
                  "like '%redelivered_changed_share%' from raw.batch_gate where load_id = ?", [load_id]) == [
        ("admitted", "ana", "price correction confirmed by the shop", True, True)]


@pytest.mark.slow
def test_an_admitted_huge_but_real_order_is_published_and_blocks_no_later_run(
        sample_landing: Path, pipeline_env: Settings, tmp_path: Path) -> None:
    header, rows = _sample_orders(sample_landing)
    huge = _one_line_order(rows, "#GATE-BULK", Currency="USD", Subtotal="900000.00", Total="900000.00", Taxes="0",
                           Shipping="0", **{"Lineitem price": "900000.00", "Lineitem quantity": "1",
                                            "Discount Amount": "0", "Refunded Amount": "0"})
    load_id = _deliver(pipeline_env.warehouse_path, tmp_path / "delivery", header, [huge])
    [message] = tasks.raw_gate("run-1")["rejections"]
    assert load_id in message

    assert cli.main(["gate", "admit", load_id, "--reason", "a real bulk order", "--by", "ana"]) == 0
    # One bad value never blocks every future run: once admitted, the order is published, run after run.
    for run in ("run-2", "run-3"):
        assert _pipeline_run(run) == []
        assert _query(load_settings().serving_path, "select net_revenue_reporting from order_attribution where "
                      "order_name = '#GATE-BULK'") == [(Decimal("900000.00"),)]


def test_publish_refuses_without_a_passing_mart_gate_of_the_same_run(pipeline_env: Settings) -> None:
    warehouse = pipeline_env.warehouse_path
    with pytest.raises(tasks.PublishRefused, match="has not run"):
        tasks.publish_marts("run-1")
    tasks.mart_gate("run-1")
    with pytest.raises(tasks.PublishRefused, match="has not run"):
        tasks.publish_marts("run-2")  # the gate of another run does not count

    con = duckdb.connect(str(warehouse))
    con.execute("update marts.creator_roi set creator_cost = creator_cost + 1 where contract_id = "
                "(select min(contract_id) from marts.creator_roi)")
    con.close()
    with pytest.raises(tasks.PublishRefused, match="changed since the mart gate"):
        tasks.publish_marts("run-1")  # not the marts that passed

    con = duckdb.connect(str(warehouse))
    con.execute("update marts.creator_vetting set vetting_score = 150 where creator_id = "
                "(select min(creator_id) from marts.creator_vetting)")
    # A wrong FX row: one order converted at 1,000 times its currency's rate.
    con.execute("update marts.order_attribution set fx_rate_to_reporting = fx_rate_to_reporting * 1000 where "
                "order_name = (select min(order_name) from marts.order_attribution where fx_rate_to_reporting > 0)")
    con.close()
    with pytest.raises(QualityGateFailed, match="scores_out_of_range") as failed:
        tasks.mart_gate("run-3")
    assert "fx_rate_vs_median" in str(failed.value)
    with pytest.raises(tasks.PublishRefused, match="failed"):
        tasks.publish_marts("run-3")
    assert not pipeline_env.serving_path.exists()


def test_only_the_last_n_results_and_their_data_docs_pages_are_kept(built_warehouse: Path, tmp_path: Path) -> None:
    warehouse, quality = tmp_path / "warehouse.duckdb", tmp_path / "quality"
    shutil.copy(built_warehouse, warehouse)
    keep_two = dataclasses.replace(load_gate_settings(), keep_results=2)
    for run in ("run-1", "run-2", "run-3"):
        run_mart_gate(warehouse, quality, run, keep_two)

    results = quality / "gx" / "uncommitted" / "validations"
    pages = data_docs_index(quality).parent / "validations"
    for mart_suite in ("mart_order_attribution", "mart_campaign_performance", "mart_creator_vetting_reasons"):
        assert {p.parent.parent.name for p in (results / mart_suite).rglob("*.json")} == {"run-2", "run-3"}
        assert {p.parent.parent.name for p in (pages / mart_suite).rglob("*.html")} == {"run-2", "run-3"}
    index = data_docs_index(quality).read_text()
    assert "run-3" in index and "run-1" not in index
    # The gate's GX project reads no config variables file (GX parses it again at each look at its configuration).
    assert yaml.safe_load((quality / "gx" / "great_expectations.yml").read_text())["config_variables_file_path"] is None


def test_a_gx_asset_left_without_its_batch_definition_is_made_again(built_warehouse: Path, tmp_path: Path) -> None:
    """A GX config write left half done (an asset saved before its batch definition) does not stop later gates."""
    import great_expectations as gx

    warehouse, quality = tmp_path / "warehouse.duckdb", tmp_path / "quality"
    shutil.copy(built_warehouse, warehouse)
    half_made = gx.get_context(mode="file", project_root_dir=str(quality)).data_sources.add_pandas(DATASOURCE)
    half_made.add_parquet_asset("mart_creator_roi", path=quality / "frames" / "mart_creator_roi.parquet")
    run_mart_gate(warehouse, quality, "after-a-crash")
    asset = gx.get_context(mode="file", project_root_dir=str(quality)).data_sources.get(DATASOURCE).get_asset(
        "mart_creator_roi")
    assert [batch.name for batch in asset.batch_definitions] == ["frame"]
