"""weekly_report: every Monday morning, the performance report from the published serving file, written to the
report folder and sent where delivery is configured (email to PIPELINE_REPORT_RECIPIENTS through the SMTP
connection, a post to the webhook connection; see serve/report/delivery.py).

The time zone is PIPELINE_REPORT_TZ (default Europe/London). It reads only the serving file, so it never
contends with the pipeline for the warehouse.

It runs on its cron, and on every publish (the serving_marts asset): a guard lets a publish-triggered run through
only when the last complete week has no report yet and the new data covers it, so the report a Monday refused for
stale data goes out as soon as fresh data is published, and a normal week sends one report, not one per publish.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from pipeline.alerts import failure_notifiers
from pipeline.assets import SERVING_MARTS
from pipeline.settings import load_settings


@dag(
    dag_id="weekly_report",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 7 * * 1", timezone=load_settings().report_timezone),
        assets=[SERVING_MARTS],
    ),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10), "on_failure_callback": failure_notifiers()},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def weekly_report():
    @task.short_circuit
    def report_due(**context) -> bool:
        from pipeline.tasks import report_due as due

        return due(context["logical_date"], context["dag_run"].run_after)

    @task
    def build_and_send_report(**context) -> dict:
        from pipeline.tasks import weekly_report as run

        # The week before the run's own date, so a re-run or backfill reports the same week; a run a publish
        # triggered has no logical date and reports the week before it was triggered.
        return run(context["logical_date"] or context["dag_run"].run_after)

    report_due() >> build_and_send_report()


weekly_report()
