"""weekly_report: every Monday morning, the performance report from the published serving file, written to the
report folder and sent where delivery is configured (email to PIPELINE_REPORT_RECIPIENTS through the SMTP
connection, a post to the webhook connection; see serve/report/delivery.py).

The time zone is PIPELINE_REPORT_TZ (default Europe/London). It reads only the serving file, so it never
contends with the pipeline for the warehouse.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from pipeline.alerts import notify_failure
from pipeline.settings import load_settings


@dag(
    dag_id="weekly_report",
    schedule=CronTriggerTimetable("0 7 * * 1", timezone=load_settings().report_timezone),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10), "on_failure_callback": notify_failure},
    tags=["creator-pipeline"],
    doc_md=__doc__,
)
def weekly_report():
    @task
    def build_and_send_report(**context) -> dict:
        from pipeline.tasks import weekly_report as run

        # The week before the run's own date, so a re-run or backfill reports the same week.
        return run(context["logical_date"])

    build_and_send_report()


weekly_report()
