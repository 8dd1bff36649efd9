"""One settings object for every part of the pipeline, read from environment variables.

Ingest, the dbt profile (through ``env_var()``), the DAGs, publish and the report all read the same
variables, so a deployment changes behaviour through the environment (or docker-compose), never code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Public demo key: it only pseudonymises the generated sample data. Real deployments set PIPELINE_PII_KEY.
DEMO_PII_KEY = "demo-key-not-secret-change-me"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_dir: Path
    report_dir: Path
    quality_dir: Path
    dbt_project_dir: Path
    pii_key: str
    reporting_currency: str
    target_countries: tuple[str, ...]
    attribution_window_days: int
    report_timezone: str
    report_recipients: tuple[str, ...]
    smtp_conn_id: str
    report_webhook_conn_id: str

    @property
    def serving_path(self) -> Path:
        return self.serving_dir / "marts.duckdb"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile and dbt_project.yml read."""
        return {
            "PIPELINE_WAREHOUSE": str(self.warehouse_path),
            "PIPELINE_REPORTING_CURRENCY": self.reporting_currency,
            "PIPELINE_TARGET_COUNTRIES": ",".join(self.target_countries),
            "PIPELINE_ATTRIBUTION_WINDOW_DAYS": str(self.attribution_window_days),
            "DBT_PROFILES_DIR": str(self.dbt_project_dir),
        }


def load_settings() -> Settings:
    """Read the settings from the environment; every variable has a documented default (README)."""
    data_dir = Path(_env("PIPELINE_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()
    return Settings(
        data_dir=data_dir,
        landing_dir=Path(_env("PIPELINE_LANDING_DIR", str(data_dir / "landing"))),
        warehouse_path=Path(_env("PIPELINE_WAREHOUSE", str(data_dir / "warehouse.duckdb"))),
        serving_dir=Path(_env("PIPELINE_SERVING_DIR", str(data_dir / "serving"))),
        report_dir=Path(_env("PIPELINE_REPORT_DIR", str(data_dir / "reports"))),
        quality_dir=Path(_env("PIPELINE_QUALITY_DIR", str(data_dir / "quality"))),
        dbt_project_dir=Path(_env("PIPELINE_DBT_PROJECT_DIR", str(PROJECT_ROOT / "dbt_project"))),
        pii_key=_env("PIPELINE_PII_KEY", DEMO_PII_KEY),
        reporting_currency=_env("PIPELINE_REPORTING_CURRENCY", "USD").upper(),
        target_countries=tuple(
            c.strip().upper() for c in _env("PIPELINE_TARGET_COUNTRIES", "US,CA,GB").split(",") if c.strip()
        ),
        attribution_window_days=int(_env("PIPELINE_ATTRIBUTION_WINDOW_DAYS", "30")),
        report_timezone=_env("PIPELINE_REPORT_TZ", "Europe/London"),
        report_recipients=tuple(r.strip() for r in _env("PIPELINE_REPORT_RECIPIENTS", "").split(",") if r.strip()),
        smtp_conn_id=_env("PIPELINE_SMTP_CONN_ID", "smtp_default"),
        report_webhook_conn_id=_env("PIPELINE_REPORT_WEBHOOK_CONN_ID", "pipeline_report_webhook"),
    )
