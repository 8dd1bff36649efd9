"""Airflow Assets the DAGs emit and schedule on (kept import-light: DAG files import this at parse time).

A raw asset is one source family's raw tables (ingest/sources GROUPS), named ``raw_<family>``, with the URI
``duckdb://warehouse/raw/<family>`` (Airflow drops URI fragments, so the table part is a path segment). The URI names
the warehouse by role, not by path: Airflow keeps an asset whose name it knows under another URI inactive, and
`dags test` (the demo) never retires the old one, so a path in the URI broke the demo for a second
PIPELINE_DATA_DIR under the same AIRFLOW_HOME. One Airflow runs these DAGs on one warehouse (PIPELINE_WAREHOUSE) at a
time. Each event's extra names the raw tables the ingest changed and their load ids."""

from airflow.sdk import Asset, AssetAny, AssetOrTimeSchedule, CronTriggerTimetable

from pipeline.settings import load_settings

SERVING_MARTS = Asset(name="serving_marts", uri="file:///serving/marts.duckdb")

FAMILIES = ("marketing", "shopify", "social")


RAW_ASSETS: dict[str, Asset] = {family: Asset(name=f"raw_{family}", uri=f"duckdb://warehouse/raw/{family}")
                                 for family in FAMILIES}


def transform_schedule() -> AssetOrTimeSchedule | AssetAny:
    """creator_pipeline's schedule: any family's new raw data (events arriving during a run are taken by the next
    run), and a daily run at PIPELINE_TRANSFORM_CRON (UTC) whatever arrived, so source freshness is checked even when
    nothing comes, an admitted batch reaches the marts, and the DAG can be backfilled. PIPELINE_TRANSFORM_CRON=none
    leaves the asset triggers alone."""
    new_data = AssetAny(*RAW_ASSETS.values())
    cron = load_settings().transform_cron
    return AssetOrTimeSchedule(timetable=CronTriggerTimetable(cron, timezone="UTC"), assets=new_data) if cron \
        else new_data
