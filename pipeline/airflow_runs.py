"""DAG runs a killed ``airflow dags test`` left behind, failed before the next Airflow command that runs DAGs.

``dags test`` runs a DAG's tasks in its own process, without the scheduler. Killed (kill -9, a closed terminal, the
OOM killer) it leaves its run "running" in the metadata DB, and the scheduler never fails it: it fails only the task
instances its own job queued (``SchedulerJobRunner._find_task_instances_without_heartbeats``). With
``max_active_runs=1`` that run then holds back every scheduled and asset-triggered run of its DAG, silently. Runs here
in the setup of every ``pipeline airflow`` command that runs DAGs (pipeline/airflow_env.py) and of the demo.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

ABANDONED = "abandoned run: "  # starts each line the setup prints about a run it failed (pipeline/airflow_env.py)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def fail_abandoned_test_runs() -> list[str]:
    """Fail each ``dags test`` run still running or queued whose process is gone: a task instance of it is running
    under a process of this host that no longer exists, or no sign of life (a task's heartbeat, start or end) came
    within the scheduler's heartbeat timeout (another host's run, or one killed between two tasks). Its running
    task instances are failed with it. Returns what was failed, one line each."""
    from airflow.configuration import conf
    from airflow.models.dagrun import DagRun
    from airflow.utils import timezone
    from airflow.utils.net import get_hostname
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, TaskInstanceState
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import select

    running = (TaskInstanceState.RUNNING, TaskInstanceState.RESTARTING)
    timeout = timedelta(seconds=conf.getint("scheduler", "task_instance_heartbeat_timeout"))
    host, now = get_hostname(), timezone.utcnow()
    failed = []
    with create_session() as session:
        runs = session.scalars(select(DagRun).where(DagRun.triggered_by == DagRunTriggeredByType.TEST,
                                                    DagRun.state.in_((DagRunState.RUNNING, DagRunState.QUEUED))))
        for run in runs.all():
            tis = run.get_task_instances(session=session)
            here = [ti for ti in tis if ti.state in running and ti.hostname == host and ti.pid]
            if any(_alive(ti.pid) for ti in here):
                continue
            signs: list[datetime] = [t for ti in tis for t in (ti.last_heartbeat_at, ti.start_date, ti.end_date) if t]
            signs += [t for t in (run.start_date, run.queued_at) if t]
            gone = [ti for ti in here if not _alive(ti.pid)]
            if not gone and signs and now - max(signs) < timeout:
                continue
            for ti in tis:
                if ti.state in running:
                    ti.state, ti.end_date = TaskInstanceState.FAILED, now
            run.set_state(DagRunState.FAILED)
            why = (f"its process {gone[0].pid} is gone" if gone
                   else f"no sign of life since {max(signs):%Y-%m-%d %H:%M:%S} UTC" if signs else "no sign of life")
            failed.append(f"failed DAG run {run.run_id} of {run.dag_id}: left running by a killed `dags test` ({why})")
    return failed
