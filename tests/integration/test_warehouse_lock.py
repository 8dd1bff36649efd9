"""Another process holding the warehouse (a BI tool, a notebook, a stray dbt): ingest says who holds it, that BI
reads the serving file, and what to do; it can wait a bounded time; nothing is lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from ingest.runs import load_with_results
from ingest.warehouse import LOCK_WAIT_ENV, WarehouseLocked, connect
from pipeline.settings import load_settings
from tests.conftest import PII_TEST_KEY

# What a BI tool does: open the file (read-only or not) and keep it open.
HOLDER = ("import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro'); "
          "print('holding', flush=True); time.sleep(float(sys.argv[3]))")


@contextmanager
def held(warehouse: Path, mode: str = "rw", seconds: float = 60) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse), mode, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture()
def warehouse(sample_landing: Path, tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    load_with_results(["creators"], sample_landing, path, PII_TEST_KEY)
    return path


@pytest.mark.parametrize("mode", ["rw", "ro"])
def test_a_held_warehouse_names_the_holder_and_the_serving_file(mode: str, warehouse: Path,
                                                                 sample_landing: Path) -> None:
    with held(warehouse, mode) as holder:
        with pytest.raises(WarehouseLocked) as err:
            load_with_results(["campaigns"], sample_landing, warehouse, PII_TEST_KEY)
    message = str(err.value)
    assert f"warehouse {warehouse} is held by PID {holder.pid} (" in message
    assert "import duckdb" in message, "the holder's command line says which tool it is"
    assert f"BI tools must read the serving file {load_settings().serving_path}" in message
    assert f"retry when PID {holder.pid} ends" in message and LOCK_WAIT_ENV in message
    # Nothing was lost: once the holder is gone the same load runs.
    [result] = load_with_results(["campaigns"], sample_landing, warehouse, PII_TEST_KEY)
    assert result.status == "loaded"


def test_the_cli_prints_one_readable_line(warehouse: Path, sample_landing: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PIPELINE_WAREHOUSE": str(warehouse), "PIPELINE_PII_KEY": PII_TEST_KEY,
           "PIPELINE_DATA_DIR": str(tmp_path)}
    with held(warehouse) as holder:
        for args in (["load", "campaigns", "--landing", str(sample_landing)], ["status"]):
            proc = subprocess.run([sys.executable, "-m", "ingest.cli", *args], env=env, capture_output=True,
                                  text=True, timeout=120)
            assert proc.returncode == 1
            assert proc.stderr.startswith(f"error: warehouse {warehouse} is held by PID {holder.pid}"), proc.stderr
            assert "Traceback" not in proc.stderr


def test_a_bounded_wait_rides_out_a_short_hold(warehouse: Path) -> None:
    with held(warehouse, seconds=1.5):
        started = time.monotonic()
        con = connect(warehouse, lock_wait=30)
        waited = time.monotonic() - started
    con.close()
    assert 0.5 < waited < 25


def test_the_wait_is_bounded(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCK_WAIT_ENV, "1")
    with held(warehouse):
        started = time.monotonic()
        with pytest.raises(WarehouseLocked, match=r"\(waited 1 s\)"):
            connect(warehouse)
        assert 0.9 < time.monotonic() - started < 10


def test_a_bad_wait_setting_says_what_to_set(warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LOCK_WAIT_ENV, "soon")
    with pytest.raises(ValueError, match=rf"{LOCK_WAIT_ENV}='soon' is not a number"):
        connect(warehouse)


def test_other_open_errors_are_not_mistaken_for_a_lock(tmp_path: Path) -> None:
    not_duckdb = tmp_path / "w.duckdb"
    not_duckdb.write_text("this is not a database\n" * 100)
    with pytest.raises(duckdb.Error) as err:
        connect(not_duckdb)
    assert not isinstance(err.value, WarehouseLocked)
