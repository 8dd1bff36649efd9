"""Airflow Assets the DAGs emit and schedule on (kept import-light: DAG files import this at parse time).

A raw asset is one source family's raw tables (ingest/sources GROUPS), named ``raw_<family>``; its URI is the
warehouse file it lives in plus the schema and family, ``duckdb:/<absolute warehouse path>/raw/<family>``
(Airflow drops URI fragments, so the table part is a path segment). The URI follows PIPELINE_WAREHOUSE: a
deployment that moves the warehouse gets new assets, which is right, as the data behind the old URI did not move
with it. Each event's extra names the raw tables the ingest changed and their load ids."""

from airflow.sdk import Asset, AssetAny, AssetOrTimeSchedule, CronTriggerTimetable

from pipeline.settings import load_settings

SERVING_MARTS = Asset(name="serving_marts", uri="file:///serving/marts.duckdb")

FAMILIES = ("marketing", "shopify", "social")


def _raw_asset(family: str) -> Asset:
    return Asset(name=f"raw_{family}", uri=f"duckdb://{load_settings().warehouse_path.resolve()}/raw/{family}")


RAW_ASSETS: dict[str, Asset] = {family: _raw_asset(family) for family in FAMILIES}


def transform_schedule() -> AssetOrTimeSchedule | AssetAny:
    """creator_pipeline's schedule: any family's new raw data (events arriving during a run are taken by the next
    run), and a daily run at PIPELINE_TRANSFORM_CRON (UTC) whatever arrived, so source freshness is checked even when
    nothing comes, an admitted batch reaches the marts, and the DAG can be backfilled. PIPELINE_TRANSFORM_CRON=none
    leaves the asset triggers alone."""
    new_data = AssetAny(*RAW_ASSETS.values())
    cron = load_settings().transform_cron
    return AssetOrTimeSchedule(timetable=CronTriggerTimetable(cron, timezone="UTC"), assets=new_data) if cron \
        else new_data
