"""Publish is atomic for every reader: readers in other processes never fail and never see two versions mixed, a
publish killed with SIGKILL at any point leaves the current version whole, the next publish removes what it left,
and only the newest K versions stay. Real DuckDB files, real Parquet, real processes, real SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.publish import MARTS, PARQUET_VERSION_KEY, publish
from pipeline.settings import PROJECT_ROOT

KEEP = 3
# Each reads every mart one of the ways docs/serving.md shows ("compat": through serving/marts.duckdb).
READERS = ("duckdb", "compat", "parquet-pandas", "parquet-duckdb")
# Publishes while they read: 15 (30 before) still lets each reader see many versions come and go (asserted), in half
# the time (four readers and the publisher share two cores).
ROUNDS = 15
# Between two reads of a reader of the marts: four readers reading flat out on two cores slowed each publish fourfold
# (2 s, 0.5 s alone) and the other test worker with it; paused, each still reads many times during every publish
# (asserted).
READ_PAUSE = 0.05
RUN = "import sys; from tests.integration import test_publish as t; t.{}(*sys.argv[1:])"


def _fill_warehouse(warehouse: Path, round_: int, rows: int = 2_000) -> dict[str, int]:
    """Marts whose row counts differ in every round, so a read mixing two versions shows in the counts."""
    counts = {mart: rows * (i + 1) + round_ * (i + 3) for i, mart in enumerate(MARTS)}
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists marts")
        for mart, n in counts.items():
            con.execute(f"create or replace table marts.{mart} as "
                        f"select range as id, 'creator-' || range as name, {round_} as round from range({n})")
    finally:
        con.close()
    return counts


def _read_once(serving: Path, kind: str) -> tuple[str, list[str]]:
    """One read the way docs/serving.md says; returns the version seen and any sign of a mixed read."""
    if kind == "probe":
        (serving / "current" / "manifest.json").stat()
        return os.readlink(serving / "current"), []
    if kind == "compat":  # one DuckDB file opened through the fixed link: no resolving needed
        con = duckdb.connect(str(serving / "marts.duckdb"), read_only=True)
        try:
            version = con.execute("select version from publication").fetchall()[0][0]
            counts = {m: con.execute(f"select count(*) from {m}").fetchall()[0][0] for m in MARTS}
        finally:
            con.close()
        manifest = json.loads((serving / "versions" / version / "manifest.json").read_text())
        return version, [f"{m}: {n} rows, manifest of {version} says {manifest['marts'][m]['rows']}"
                         for m, n in counts.items() if n != manifest["marts"][m]["rows"]]
    folder = (serving / "current").resolve()  # resolve once: every file below comes from this version
    manifest = json.loads((folder / "manifest.json").read_text())
    seen: dict[str, tuple[str, int]] = {}  # mart -> (version, rows)
    if manifest["version"] != folder.name:
        return folder.name, [f"{folder.name} holds the manifest of {manifest['version']}"]
    if kind == "duckdb":
        con = duckdb.connect(str(folder / "marts.duckdb"), read_only=True)
        try:
            version = con.execute("select version from publication").fetchall()[0][0]
            seen = {m: (version, con.execute(f"select count(*) from {m}").fetchall()[0][0]) for m in MARTS}
        finally:
            con.close()
    elif kind == "parquet-pandas":
        for mart in MARTS:
            path = folder / "parquet" / f"{mart}.parquet"
            seen[mart] = (pq.read_metadata(path).metadata[PARQUET_VERSION_KEY.encode()].decode(),
                          len(pd.read_parquet(path)))
    elif kind == "parquet-duckdb":
        con = duckdb.connect()
        files = f"'{folder}/parquet/*.parquet'"
        kv = dict(con.execute(f"select parse_filename(file_name, true), value::varchar "
                              f"from parquet_kv_metadata({files}) where key = '{PARQUET_VERSION_KEY}'").fetchall())
        rows = dict(con.execute(f"select parse_filename(filename, true), count(*) "
                                f"from read_parquet({files}, filename = true, union_by_name = true) "
                                "group by all").fetchall())
        con.close()
        seen = {m: (kv[m], rows[m]) for m in MARTS}
    mixed = [f"{m}: version {v} with {n} rows, {folder.name}'s manifest says {manifest['marts'][m]['rows']}"
             for m, (v, n) in seen.items() if v != folder.name or n != manifest["marts"][m]["rows"]]
    return folder.name, mixed


def read_until_stopped(serving: str, kind: str, stop: str) -> None:
    """A reader process: read continuously until the stop file appears, then print what happened as JSON."""
    reads, failed, mixed, versions = 0, [], [], set()
    ready = Path(f"{stop}.{kind}.ready")
    while not Path(stop).exists():
        try:
            version, problems = _read_once(Path(serving), kind)
            versions.add(version)
            mixed += problems
        except Exception as exc:  # any exception is a failed read: count it, keep reading
            failed.append(f"{type(exc).__name__}: {exc}")
        reads += 1
        if reads == 1:
            ready.touch()
        if kind != "probe":  # the probe looks for a gap of microseconds: it reads flat out
            time.sleep(READ_PAUSE)
    print(json.dumps({"kind": kind, "reads": reads, "failed": failed[:5], "failures": len(failed),
                      "mixed": mixed[:5], "mixed_reads": len(mixed), "versions": len(versions)}))


@contextmanager
def _readers(serving: Path, tmp_path: Path, kinds: tuple[str, ...]) -> Iterator[list[dict]]:
    """Reader processes running for the duration of the block; their reports land in the yielded list."""
    stop = tmp_path / "stop"
    procs = [subprocess.Popen([sys.executable, "-c", RUN.format("read_until_stopped"), str(serving), kind, str(stop)],
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True) for kind in kinds]
    results: list[dict] = []
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{stop}.{k}.ready").exists() for k in kinds):
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), "readers did not start"
            time.sleep(0.05)
        yield results
    finally:
        stop.touch()
        for proc in procs:
            out, _ = proc.communicate(timeout=60)
            assert proc.returncode == 0, f"reader exited {proc.returncode}"
            results.append(json.loads(out))


def _assert_current_is_whole(serving: Path) -> str:
    """The current version opens read-only, matches its manifest, and its Parquet set is the same version."""
    version, problems = _read_once(serving, "duckdb")
    assert not problems, problems
    assert _read_once(serving, "parquet-duckdb") == (version, [])
    return version


def _layout(serving: Path) -> set[str]:
    return {p.name for p in serving.iterdir()}


def test_readers_in_other_processes_never_fail_nor_mix_versions_during_publishes(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0)
    published = [publish(warehouse, serving, keep=KEEP)["version"]]
    with _readers(serving, tmp_path, READERS) as results:
        for round_ in range(1, ROUNDS + 1):
            counts = _fill_warehouse(warehouse, round_)
            publication = publish(warehouse, serving, keep=KEEP)
            assert publication["rows"] == counts
            published.append(publication["version"])
    print("readers:", results)
    for result in results:
        assert result["failures"] == 0 and result["mixed_reads"] == 0, result
        # The readers really overlapped the publishes: each saw many versions come and go.
        assert result["versions"] >= 5 and result["reads"] >= 30, result
    assert sorted(published) == published and len(set(published)) == ROUNDS + 1
    assert sorted(p.name for p in (serving / "versions").iterdir()) == published[-KEEP:]
    assert _assert_current_is_whole(serving) == published[-1]


def test_current_never_disappears_across_a_hundred_switches(tmp_path: Path) -> None:
    """A switch that is not one rename leaves a gap of microseconds: a reader doing nothing but look up the current
    manifest in a tight loop finds it within a hundred small publishes."""
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0, rows=10)
    publish(warehouse, serving, marts=MARTS[:1])
    switches = 100
    with _readers(serving, tmp_path, ("probe",)) as results:
        for _ in range(switches):
            publish(warehouse, serving, marts=MARTS[:1], keep=2)
    [probe] = results
    print("probe:", probe)
    assert probe["failures"] == 0, probe
    assert probe["versions"] > switches / 2 and probe["reads"] > 100 * switches, probe


def publish_and_die(warehouse: str, serving: str, point: str) -> None:
    """A publish that kills itself with SIGKILL at one point of its sequence (run in its own process)."""
    def die(*_args: object) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    real_replace = os.replace
    if point == "before-rename":  # the version is complete in its hidden build folder
        os.rename = die
    elif point == "before-switch":  # the version is in versions/, the new link exists, `current` not yet switched
        os.replace = die
    elif point == "after-switch":  # `current` switched, old versions not yet removed
        os.replace = lambda *args: (real_replace(*args), die())
    publish(Path(warehouse), Path(serving), keep=KEEP)


def _killed_publish(warehouse: Path, serving: Path, point: str) -> int:
    proc = subprocess.Popen([sys.executable, "-c", RUN.format("publish_and_die"), str(warehouse), str(serving), point],
                            cwd=PROJECT_ROOT)
    if point == "while-writing":  # kill from outside once the DuckDB file of the new version is being written
        deadline = time.monotonic() + 60
        while not list(serving.glob(".tmp-*/marts.duckdb")) and proc.poll() is None:
            assert time.monotonic() < deadline, "the publish never started writing"
            time.sleep(0.002)
        time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    return proc.wait(timeout=120)


def test_a_publish_killed_at_any_point_leaves_current_whole_and_the_next_publish_cleans_up(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0, rows=20_000)  # ~420,000 rows: the write lasts long enough to be killed during it
    before = publish(warehouse, serving, keep=KEEP)["version"]
    for point in ("while-writing", "before-rename", "before-switch"):
        assert _killed_publish(warehouse, serving, point) == -signal.SIGKILL, point
        assert _assert_current_is_whole(serving) == before, f"killed {point}: current changed"
        leftovers = [p.name for p in serving.glob(".tmp-*")] + [
            p.name for p in (serving / "versions").iterdir() if p.name > before]
        assert leftovers, f"killed {point}: nothing was left behind, so the kill missed its point"
    assert _killed_publish(warehouse, serving, "after-switch") == -signal.SIGKILL
    after = _assert_current_is_whole(serving)
    assert after > before, "killed after the switch: the new version is current and whole"
    assert len(list((serving / "versions").iterdir())) >= 2
    final = publish(warehouse, serving, keep=KEEP)["version"]
    assert _layout(serving) == {".publish.lock", "current", "marts.duckdb", "versions"}
    # Only versions that were once current remain: the killed builds are gone.
    assert sorted(p.name for p in (serving / "versions").iterdir()) == [before, after, final]
    assert _assert_current_is_whole(serving) == final


def test_only_the_newest_k_versions_remain(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0)
    versions = [publish(warehouse, serving, keep=2)["version"] for _ in range(4)]
    assert sorted(p.name for p in (serving / "versions").iterdir()) == versions[-2:]
    assert os.readlink(serving / "current") == f"versions/{versions[-1]}"
    with pytest.raises(ValueError, match="PIPELINE_SERVING_KEEP_VERSIONS"):
        publish(warehouse, serving, keep=0)
    assert sorted(p.name for p in (serving / "versions").iterdir()) == versions[-2:]


def hold_read_only(serving: str, stop: str) -> None:
    """A BI-like reader: one read-only connection held open, queried until the stop file appears."""
    con = duckdb.connect(str(Path(serving, "current").resolve() / "marts.duckdb"), read_only=True)
    versions, queries = set(), 0
    Path(f"{stop}.ready").touch()
    while not Path(stop).exists():
        versions.add(con.execute("select version from publication").fetchall()[0][0])
        con.execute(f"select count(*), sum(id) from {MARTS[2]}").fetchall()
        queries += 1
    print(json.dumps({"versions": sorted(versions), "queries": queries}))


def test_a_reader_holding_the_file_read_only_does_not_block_publishes(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0)
    first = publish(warehouse, serving, keep=2)["version"]
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", RUN.format("hold_read_only"), str(serving), str(stop)],
                              cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not Path(f"{stop}.ready").exists():
        assert time.monotonic() < deadline and reader.poll() is None, "the reader did not start"
        time.sleep(0.05)
    for round_ in range(1, 5):
        _fill_warehouse(warehouse, round_)
        publish(warehouse, serving, keep=2)
    assert not (serving / "versions" / first).exists(), "the reader's version was retired while it held it"
    time.sleep(0.5)  # the reader keeps querying its retired (unlinked) file
    stop.touch()
    out, _ = reader.communicate(timeout=60)
    assert reader.returncode == 0
    held = json.loads(out)
    assert held["versions"] == [first] and held["queries"] > 0
    assert _assert_current_is_whole(serving) != first


def test_concurrent_publishes_take_turns(tmp_path: Path) -> None:
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0, rows=50_000)
    code = ("import sys; from pathlib import Path; from pipeline.publish import publish; "
            "publish(*map(Path, sys.argv[1:]))")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(warehouse), str(serving)], cwd=PROJECT_ROOT,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors
    assert len(list((serving / "versions").iterdir())) == 3
    assert _layout(serving) == {".publish.lock", "current", "marts.duckdb", "versions"}
    _assert_current_is_whole(serving)


def test_the_next_publish_replaces_the_single_file_layout_and_its_leftovers(tmp_path: Path) -> None:
    """A serving folder from before versions: marts.duckdb as a file, parquet/, and killed publishes' temp files."""
    warehouse, serving = tmp_path / "warehouse.duckdb", tmp_path / "serving"
    _fill_warehouse(warehouse, 0)
    (serving / "parquet").mkdir(parents=True)
    (serving / "parquet" / "creator_roi.parquet").write_bytes(b"old")
    (serving / ".parquet-20261101T000000000000Z").mkdir()
    (serving / ".marts-20261101T000000000000Z.duckdb").write_bytes(b"partial")
    duckdb.connect(str(serving / "marts.duckdb")).close()
    version = publish(warehouse, serving)["version"]
    assert _layout(serving) == {".publish.lock", "current", "marts.duckdb", "versions"}
    assert (serving / "marts.duckdb").is_symlink()
    assert _assert_current_is_whole(serving) == version
