"""``pipeline benchmark stages`` at scale S: every step of a run is measured beside its baseline, and the run it
measures really happened (the gates recorded their verdicts, a version was published, a report was written)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipeline.benchmark.stages import bench_stages

pytestmark = pytest.mark.slow  # a whole run with a dbt build: about 2 minutes


def test_every_step_is_measured_beside_its_baseline(sample_landing: Path, tmp_path: Path) -> None:
    (tmp_path / "S").mkdir()
    (tmp_path / "S" / "landing").symlink_to(sample_landing)  # read-only: ingest only reads it

    rows = bench_stages("S", tmp_path)

    steps = [m for m in rows if not m.step.startswith("  bare")]
    assert [m.step.split(" ")[0] for m in steps] == ["ingest", "raw", "dbt", "mart", "publish", "weekly"]
    assert all(m.rows > 0 and m.seconds > 0 and m.peak_rss_mb > 0 for m in rows)
    assert all(m.baseline in rows and m.ratio for m in steps if not m.step.startswith("dbt"))
    work = tmp_path / "S" / "stages"
    con = duckdb.connect(str(work / "warehouse.duckdb"), read_only=True)
    gates = dict(con.execute("select gate, bool_and(success) from raw.gate_runs group by gate").fetchall())
    con.close()
    assert gates == {"raw": True, "marts": True}
    assert (work / "serving" / "current" / "manifest.json").is_file()
    assert list((work / "reports").glob("weekly_report_*.pdf"))

