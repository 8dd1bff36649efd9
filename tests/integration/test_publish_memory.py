"""Publish copies marts of any size in bounded memory: DuckDB's cap (PIPELINE_INGEST_MEMORY_LIMIT) holds on its
connection, so it streams and evicts instead of caching every block it read (issue 14: <= 2 GB at scale L)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb

from pipeline.benchmark.run import measure

PUBLISH = "import sys; from pathlib import Path; from pipeline.publish import publish; " \
          "publish(Path(sys.argv[1]), Path(sys.argv[2]), marts=('wide',))"


def test_publish_stays_under_its_memory_cap_on_a_mart_larger_than_the_cap(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema marts")
    # ~110 MB on disk, ~300 MB in memory: without the cap, DuckDB caches all of it (and the copy it writes).
    con.execute("create table marts.wide as select i, md5(i::varchar) as a, md5((i + 1)::varchar) as b "
                "from range(2000000) t(i)")
    con.close()
    env = {**os.environ, "PIPELINE_INGEST_MEMORY_LIMIT": "64MB"}

    _, peak_mb = measure([sys.executable, "-c", PUBLISH, str(warehouse), str(tmp_path / "serving")], env=env)

    assert peak_mb < 250, f"publish peaked at {peak_mb:.0f} MB under a 64 MB DuckDB cap"
    manifest = json.loads((tmp_path / "serving" / "current" / "manifest.json").read_text())
    assert manifest["marts"]["wide"]["rows"] == 2_000_000
    assert not [p.name for p in (tmp_path / "serving").iterdir() if p.name.startswith(".tmp-")], "spill left behind"
