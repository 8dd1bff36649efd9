"""The Superset bundle (serve/superset/bundle/) stays in step with the marts: every dataset it declares is a
published mart with those columns and types in a real serving file, every metric runs there, every chart uses only
what its dataset declares, and the database points read-only at `current` where docker-compose mounts it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from pipeline.publish import MARTS, SERVING_STORAGE_VERSION
from tests.serve.conftest import Published

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "serve" / "superset" / "bundle" / "creator_pipeline"


def _load(folder: str) -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted((BUNDLE / folder).rglob("*.yaml"))]


DATABASES, DATASETS, CHARTS, DASHBOARDS = (_load(f) for f in ("databases", "datasets", "charts", "dashboards"))


@pytest.fixture
def serving(published: Published) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(published.serving_dir / "current" / "marts.duckdb"), read_only=True)
    yield con
    con.close()


def test_bundle_is_an_importable_dashboard_export() -> None:
    assert yaml.safe_load((BUNDLE / "metadata.yaml").read_text())["type"] == "Dashboard"
    assert len(DATABASES) == 1 and len(DASHBOARDS) == 1 and DATASETS and CHARTS
    for item in (*DATABASES, *DATASETS, *CHARTS, *DASHBOARDS):
        assert item["version"] == "1.0.0" and item["uuid"]
    uuids = [item["uuid"] for item in (*DATABASES, *DATASETS, *CHARTS, *DASHBOARDS)]
    assert len(uuids) == len(set(uuids))


def test_every_dataset_is_a_published_mart_with_those_columns(serving: duckdb.DuckDBPyConnection) -> None:
    for dataset in DATASETS:
        table = dataset["table_name"]
        assert table in MARTS, f"{table}: not a published mart (pipeline.publish.MARTS)"
        actual = dict(serving.execute("select column_name, data_type from duckdb_columns() where table_name = ?",
                                      [table]).fetchall())
        declared = {c["column_name"]: c["type"] for c in dataset["columns"]}
        wrong = {c: (t, actual.get(c)) for c, t in declared.items() if actual.get(c) != t}
        assert not wrong, (f"{table}: columns the bundle declares that the serving file lacks or types differently "
                           f"(declared, actual): {wrong}; update serve/superset/bundle/.../datasets/{table}.yaml")
        # marts without a date (per-format and per-hour summaries) have no time column
        assert dataset["main_dttm_col"] is None or dataset["main_dttm_col"] in declared
        assert dataset["database_uuid"] == DATABASES[0]["uuid"]


def test_every_published_mart_but_the_order_level_one_has_a_dataset() -> None:
    # order_attribution is the only mart with customer pseudonyms: BI reads the aggregates, as the dashboard does
    missing = set(MARTS) - {"order_attribution"} - {dataset["table_name"] for dataset in DATASETS}
    assert not missing, f"published marts without a Superset dataset (add serve/superset/bundle/...): {missing}"


def test_every_metric_runs_on_the_serving_file(serving: duckdb.DuckDBPyConnection) -> None:
    for dataset in DATASETS:
        for metric in dataset["metrics"]:
            serving.execute(f"select {metric['expression']} from {dataset['table_name']}").fetchall()


def test_no_dataset_exposes_customer_data() -> None:
    """order_attribution carries the customers' pseudonyms: BI users get creator-, campaign- and week-level marts."""
    for dataset in DATASETS:
        names = {c["column_name"] for c in dataset["columns"]}
        assert not names & {"customer_email_hash", "customer_key"}, dataset["table_name"]


def test_charts_use_only_what_their_dataset_declares() -> None:
    datasets = {d["uuid"]: d for d in DATASETS}
    for chart in CHARTS:
        dataset = datasets[chart["dataset_uuid"]]
        params = chart["params"]
        metrics = {m["metric_name"] for m in dataset["metrics"]}
        columns = {c["column_name"] for c in dataset["columns"]}
        used_metrics = [*params.get("metrics", []), *([params["metric"]] if "metric" in params else []),
                        *([params["timeseries_limit_metric"]] if params.get("timeseries_limit_metric") else [])]
        assert set(used_metrics) <= metrics, (chart["slice_name"], set(used_metrics) - metrics)
        used_columns = [*params.get("groupby", []), *params.get("all_columns", []),
                        *([params["x_axis"]] if "x_axis" in params else [])]
        assert set(used_columns) <= columns, (chart["slice_name"], set(used_columns) - columns)
        assert chart["viz_type"] == params["viz_type"]


def test_dashboard_lays_out_every_chart() -> None:
    position = DASHBOARDS[0]["position"]
    placed = {node["meta"]["uuid"] for node in position.values()
              if isinstance(node, dict) and node.get("type") == "CHART"}
    assert placed == {chart["uuid"] for chart in CHARTS}


def test_database_reads_current_read_only_where_compose_mounts_it() -> None:
    database = DATABASES[0]
    assert database["extra"]["engine_params"]["connect_args"] == {"read_only": True}
    assert not database["allow_dml"] and not database["allow_file_upload"]
    path = database["sqlalchemy_uri"].removeprefix("duckdb:///")
    assert path.endswith("/current/marts.duckdb"), "read through `current`, never a fixed version (docs/serving.md)"
    serving_in_container = path.removesuffix("/current/marts.duckdb")
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert f"./data/serving:{serving_in_container}:ro" in compose["services"]["superset"]["volumes"]


def test_superset_image_duckdb_reads_the_serving_storage_version(published: Published) -> None:
    """The image pins a duckdb 1.x (Superset's stack); publish writes a storage version it reads."""
    pinned = re.search(r"duckdb==(\d+)\.(\d+)\.\d+", (ROOT / "serve" / "superset" / "Dockerfile").read_text())
    assert pinned, "pin duckdb in serve/superset/Dockerfile"
    storage = tuple(int(n) for n in SERVING_STORAGE_VERSION.lstrip("v").split(".")[:2])
    assert storage <= (int(pinned[1]), int(pinned[2])), f"storage {SERVING_STORAGE_VERSION} is newer than the image's"
    manifest = json.loads((published.serving_dir / "current" / "manifest.json").read_text())
    assert manifest["duckdb"]["storage_version"] == SERVING_STORAGE_VERSION
