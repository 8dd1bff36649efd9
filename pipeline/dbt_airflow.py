"""The dbt project as Airflow tasks: a Cosmos ``DbtTaskGroup`` in WATCHER mode, drawn from the deploy-time manifest.

One task (``dbt.dbt_producer_watcher``) runs one ``dbt build`` of the whole project, in the one-slot warehouse pool;
every model, seed and snapshot is a task of its own, and each model's tests another, which reports that node's
status and its dbt log line (timing included) from the build's events (Cosmos sensors, outside the pool: they read
XCom, not the warehouse). A model task cleared after a failure runs that model itself (``dbt run --select``), its
tests task ``dbt test --select``; cleared with ``--downstream``, so do the nodes built on it, and nothing else.
Every dbt command goes through ``run_dbt`` (pipeline/bin/dbt → pipeline/dbt_cli.py), one at a time.
Measured against one ``dbt build`` by ``pipeline benchmark dbt`` (docs/decisions.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from airflow.sdk import BaseOperator, Context
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    ExecutionMode,
    InvocationMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
    TestBehavior,
)
from cosmos.operators._watcher.base import BaseConsumerSensor
from cosmos.operators._watcher.state import is_producer_task_terminated

from pipeline.dbt_manifest import manifest_path
from pipeline.settings import load_settings

DBT_EXECUTABLE = Path(__file__).resolve().parent / "bin" / "dbt"
PROFILE = "creator_pipeline"  # dbt_project/profiles.yml


def dbt_task_group(pool: str, group_id: str = "dbt") -> DbtTaskGroup:
    """The group, inside the DAG being defined; its producer task runs in ``pool``."""
    project_dir = load_settings().dbt_project_dir
    manifest = manifest_path(project_dir)
    if not manifest.is_file():
        raise FileNotFoundError(f"{manifest} is missing: Airflow draws the dbt tasks from it. Prepare Airflow with "
                                "`uv run --frozen pipeline airflow dags list` (any `pipeline airflow` command or "
                                "`pipeline demo` runs `dbt parse` when the project changed).")
    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(manifest_path=manifest, project_name=PROFILE, install_dbt_deps=False,
                                     env_vars={"DBT_TASK_PYTHON": sys.executable}),
        profile_config=ProfileConfig(profile_name=PROFILE, target_name="dev",
                                     profiles_yml_filepath=project_dir / "profiles.yml"),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER, invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=str(DBT_EXECUTABLE), dbt_project_path=project_dir,
            # The one dbt build writes the warehouse: the pool. It is never retried as a whole (Cosmos skips a
            # producer's second try): a failed node is re-run by clearing its task.
            setup_operator_args={"pool": pool, "retries": 0},
        ),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.AFTER_EACH,
                                   emit_datasets=False),
        operator_args={
            "append_env": True,
            # A model task fails only when its model failed in the build or in its own re-run: retrying the same
            # SQL on the same data fails the same way; clearing it (after a fix) re-runs it.
            "retries": 0, "pool": "default_pool",
        },
    )
    producer = next(t for t in group.get_roots() if t.task_type == "DbtProducerWatcherOperator")
    _after_the_build(group, producer)
    producer.tests_per_model = _tests_on_their_own_model(producer.tests_per_model, manifest)
    for sensor in (t for t in group.iter_tasks() if isinstance(t, BaseConsumerSensor)):
        _runs_its_node_when_cleared(sensor)
    return group


def _runs_its_node_when_cleared(sensor: BaseConsumerSensor) -> None:
    """A node task cleared after the build runs its own node (``dbt run|test|seed --select``), whatever its try.

    Cosmos re-runs a node only on a task's second try; a task cleared after being upstream_failed (never tried) ran
    its first try, read the failed build's status and failed without running anything (measured). A cleared run
    (clear_number > 0) whose build has ended holds no fresh status for a cleared task: it builds its node."""
    watch = sensor.poke

    def poke(context: Context) -> bool:
        if context["dag_run"].clear_number and is_producer_task_terminated(sensor._get_producer_task_status(context)):
            return sensor._fallback_to_non_watcher_run(context["ti"].try_number, context)
        return watch(context)

    sensor.poke = poke  # type: ignore[method-assign]


def _tests_on_their_own_model(tests_per_model: dict[str, list[str]], manifest: Path) -> dict[str, list[str]]:
    """Each test reported by the tests task of the model that declares it (dbt's ``attached_node``).

    Cosmos counts a test of two models (``relationships`` from int_contract_costs to stg_marketing__campaigns) in
    both models' tests tasks; when int_contract_costs failed, dbt skipped that test and stg_marketing__campaigns's
    tests task failed too, failing every task built on it although it was built and tested fine (measured)."""
    nodes = json.loads(manifest.read_text())["nodes"]
    return {model: [t for t in tests if nodes.get(t, {}).get("attached_node") in (None, model)]
            for model, tests in tests_per_model.items()}


def _after_the_build(group: DbtTaskGroup, producer: BaseOperator) -> None:
    """The group's first node tasks start when the build has ended (or failed), not beside it.

    Cosmos starts them beside the producer in a task group and lets them wait (deferred) for its events, but
    ``airflow dags test`` runs ready tasks one at a time in any order and waits for a deferred task inline: a node
    task that came first waited for a build that never started (measured: hung). After the build, each node task
    finds its status at once; one_done: none of them runs when the build never ran (raw gate failed).

    Cosmos's ``dbt_producer_watcher_done`` (a leaf, so upstream of mart_gate) fails with a failed build, and kept
    mart_gate from running after the failed model's tasks were cleared and re-ran fine (measured). A failed build
    fails the node tasks of what failed and what depends on it, and those keep mart_gate and publish back: all_done.
    """
    for root in [t for t in group.get_roots() if t is not producer]:
        producer >> root
        root.trigger_rule = "one_done"
    done = next(t for t in producer.downstream_list if t.task_id.endswith("dbt_producer_watcher_done"))
    done.trigger_rule = "all_done"
