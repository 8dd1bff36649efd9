"""Shared fixtures. Airflow is pointed at a throw-away AIRFLOW_HOME before anything imports it."""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="airflow-home-"))
os.environ.setdefault("AIRFLOW_HOME", str(_AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(Path(__file__).resolve().parent.parent / "dags"))
# The test process and those it starts (dbt, Airflow, readers; the xdist workers too) cache the modules they compile
# in .venv, once, as `pipeline` commands do (pyproject.toml: the install compiles none).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
# dbt's artefacts (manifest, run_results.json, the partial-parse cache, logs) go to a folder of this test process:
# the two workers of `pytest -n 2`, and a developer's own dbt runs, never read or overwrite each other's.
_DBT_ARTEFACTS = Path(tempfile.mkdtemp(prefix="dbt-artefacts-"))
os.environ["DBT_TARGET_PATH"] = str(_DBT_ARTEFACTS / "target")
os.environ["DBT_LOG_PATH"] = str(_DBT_ARTEFACTS / "logs")
# Both folders go when the test process ends: a run left about 100 MB behind in /tmp, hundreds of runs filled the disk.
atexit.register(shutil.rmtree, _AIRFLOW_HOME, ignore_errors=True)
atexit.register(shutil.rmtree, _DBT_ARTEFACTS, ignore_errors=True)

# The dbt unit tests run in one build of the suite (built_warehouse), not in every fresh warehouse's first build:
# 70 unit tests are ~25 s of each such build (dbt compiles each with its fixtures). tests/integration/
# test_incremental.py checks the default, which runs them in a build of new code.
os.environ["PIPELINE_DBT_UNIT_TESTS"] = "never"
# The generated sample's brand: outside the demo dbt refuses to run without the brand's handles (pipeline/settings.py).
os.environ.setdefault("PIPELINE_BRAND_HANDLES", "lumenandco")

PII_TEST_KEY = "test-key-not-secret"


def _gx_spark_compat_for_xdist_workers() -> None:
    """pytest-xdist's workers run from `python -c`, whose __main__ has neither __spec__ nor __file__; pyspark (the
    extra `spark`) takes that for a doctest run of its own and ends the process (SystemExit 0) when GX imports
    pyspark.sql.connect, as every gate does. Imported once here looking interactive (sys.ps1), pyspark skips that
    check and GX records Spark Connect as missing, as in any other process (GX's import costs a worker ~6 s)."""
    if not os.environ.get("PYTEST_XDIST_WORKER") or importlib.util.find_spec("pyspark") is None:
        return
    sys.ps1 = ""
    try:
        import great_expectations.compatibility.pyspark  # noqa: F401 (the import is the point)
    finally:
        del sys.ps1


_gx_spark_compat_for_xdist_workers()


# The session fixtures below that build the shared sample data (generate, load, gate, dbt build: about a minute), each
# with its stage: a test needing one waits for the stages before it too.
_SHARED_DATA = {"sample_landing": 1, "loaded_warehouse": 2, "built_warehouse": 3}


# trylast: after `-m` has deselected the other tiers' tests (the first file needing the build used to be a slow one,
# so no worker started the build first).
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Test files in the order both xdist workers use best (``--dist loadfile --no-loadscope-reorder`` queues files
    as collected): first one file that needs the latest shared data any selected test needs (the built warehouse in
    the default tier), so one worker starts making it at once, then the files by the latest shared fixture they wait
    for: none, the sample data, the loaded warehouse, the built one. Otherwise the other worker soon reaches a file that
    needs the build and waits for it on its lock (37-43 s). The suite is CPU-bound, so this keeps both workers busy
    rather than making it faster (docs/benchmarks.md). In the e2e tier the file that starts is the Airflow-run dbt
    models' (the loaded warehouse), its longest: last, it would run alone at the end."""
    needs: dict[Path, int] = defaultdict(int)
    for item in items:
        shared = _SHARED_DATA.keys() & set(item.fixturenames)
        needs[item.path] = max([needs[item.path], *(_SHARED_DATA[name] for name in shared)])
    latest = max(needs.values(), default=0)
    starter = next((item.path for item in items if latest and needs[item.path] == latest), None)
    items.sort(key=lambda item: 0 if item.path == starter else needs[item.path] + 1)


def _made_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder ``make`` fills once per test run. Under ``pytest -n 2`` each worker is a process with session
    fixtures of its own: the first worker to get here makes the folder in the run's shared temp folder, under a
    file lock, and the other reuses it (so these fixtures are read-only for the tests: copy before writing)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    folder, done = root / name, root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that failed half-way left
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@contextmanager
def dbt_target_of_its_own(folder: Path) -> Iterator[None]:
    """dbt's artefacts in ``folder`` while inside: for a build with dbt vars (or vars' environment) of its own. dbt
    parses the whole project again when the vars differ from its saved parse's (~10 s of CPU), so such a build in the
    worker's shared target would also make the next test's build, with the usual vars, parse it all again."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(folder))
        yield


@pytest.fixture(scope="session")
def sample_landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scale-S sample data, generated once per test run (seed 7)."""
    from pipeline.generate import generate

    return _made_once(tmp_path_factory, "landing", lambda out: generate(out, scale="S", seed=7))


@pytest.fixture(scope="session")
def loaded_warehouse(sample_landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data ingested into a fresh warehouse file and passed by the raw quality gate, as in a pipeline
    run: dbt reads only gated batches (read-only use in tests, please)."""
    from expectations.gate import run_raw_gate
    from ingest.runs import load_with_results

    def load(folder: Path) -> None:
        load_with_results(["marketing", "shopify", "social"], sample_landing, folder / "warehouse.duckdb",
                          PII_TEST_KEY)
        assert run_raw_gate(folder / "warehouse.duckdb", folder / "quality", "fixture") == []

    return _made_once(tmp_path_factory, "loaded", load) / "warehouse.duckdb"


@pytest.fixture(scope="session")
def built_warehouse(loaded_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the loaded warehouse after a real ``dbt build`` (models, tests, and the suite's one run of every dbt
    unit test); read-only use."""
    import dataclasses

    from pipeline.dbt import run_dbt
    from pipeline.settings import load_settings

    def build(folder: Path) -> None:
        shutil.copy(loaded_warehouse, folder / "warehouse.duckdb")
        run_dbt(dataclasses.replace(load_settings(), warehouse_path=folder / "warehouse.duckdb",
                                    dbt_unit_tests="on_code_change"), "build")

    return _made_once(tmp_path_factory, "built", build) / "warehouse.duckdb"


@pytest.fixture(scope="module")
def truth(sample_landing: Path) -> dict:
    """The sample's ground truth: who was planted with which case (pipeline/generate/run.py)."""
    return json.loads((sample_landing / "ground_truth.json").read_text())


@pytest.fixture(scope="module")
def con(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built warehouse."""
    connection = duckdb.connect(str(built_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture
def no_registered_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the secrets earlier tests registered: a redaction test must pass because the code under test
    registered its secret, not because another test did."""
    from ingest.connectors import redaction

    monkeypatch.setattr(redaction, "_secrets", frozenset())
