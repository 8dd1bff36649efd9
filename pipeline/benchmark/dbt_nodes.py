"""What a dbt build left in its target folder, read for the benchmark: the slowest nodes (run_results.json) and
every model's compiled SQL in dependency order (manifest.json), which the bare baseline runs without dbt."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

_HASH = re.compile(r"[0-9a-f]{10}")


@dataclass(frozen=True)
class BareModel:
    relation: str  # "database"."schema"."name", as dbt wrote it
    schema: str
    kind: str  # table | view
    sql: str


def slowest_nodes(target_dir: Path, count: int = 10) -> list[tuple[str, float]]:
    """The ``count`` nodes (models, tests, unit tests, seeds) that took longest in the last dbt command."""
    results = json.loads((target_dir / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda r: r["execution_time"], reverse=True)[:count]
    return [(_label(r["unique_id"]), r["execution_time"]) for r in ranked]


def _label(unique_id: str) -> str:
    """``unit_test.creator_pipeline.int_orders.a_refund...`` -> ``unit_test int_orders.a_refund...`` (a data
    test's hash suffix dropped)."""
    kind, _project, *name = unique_id.split(".")
    return f"{kind} {'.'.join(part for part in name if not _HASH.fullmatch(part))}"


def bare_models(target_dir: Path) -> list[BareModel]:
    """Every model of the last (full-refresh) build as dbt compiled it, parents first. Incremental models compiled
    under --full-refresh are plain SELECTs of the whole history, built here as tables like dbt does."""
    nodes = json.loads((target_dir / "manifest.json").read_text())["nodes"]
    compiled = {r["unique_id"]: r for r in json.loads((target_dir / "run_results.json").read_text())["results"]
                if r["unique_id"].startswith("model.") and r.get("compiled_code")}
    graph = {uid: [d for d in nodes[uid]["depends_on"]["nodes"] if d in compiled] for uid in compiled}
    models = []
    for uid in TopologicalSorter(graph).static_order():
        node = nodes[uid]
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        models.append(BareModel(compiled[uid]["relation_name"], node["schema"], kind, compiled[uid]["compiled_code"]))
    return models
