"""docker-compose.yml cannot be started here (no Docker engine): check it stays in step with the local run."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipeline.airflow_env import AIRFLOW_DEFAULTS

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _airflow_services(compose: dict) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("airflow-")}


def test_every_airflow_service_shares_the_local_settings_and_jwt_secret() -> None:
    services = _airflow_services(_compose())
    assert {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer"} <= set(services)
    secrets = {svc["environment"]["AIRFLOW__API_AUTH__JWT_SECRET"] for svc in services.values()}
    assert len(secrets) == 1
    for svc in services.values():
        env = svc["environment"]
        for key, value in AIRFLOW_DEFAULTS.items():
            if key != "AIRFLOW__LOGGING__LOGGING_LEVEL":
                assert str(env[key]) == value, key


def test_compose_sets_only_variables_the_settings_read() -> None:
    read = set(re.findall(r'"(PIPELINE_[A-Z_]+)"', (ROOT / "pipeline" / "settings.py").read_text()))
    read |= set(re.findall(r'"(PIPELINE_[A-Z_]+)"', (ROOT / "pipeline" / "alerts.py").read_text()))
    for svc in _airflow_services(_compose()).values():
        used = {k for k in svc["environment"] if k.startswith("PIPELINE_")}
        assert used <= read, used - read


def test_init_creates_the_warehouse_pool_the_dags_use() -> None:
    init = " ".join(_compose()["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in init and "pools set warehouse_writer 1" in init
    assert 'WAREHOUSE_POOL = "warehouse_writer"' in (ROOT / "dags" / "creator_pipeline.py").read_text()


def test_services_with_a_long_life_have_health_checks() -> None:
    for name, svc in _airflow_services(_compose()).items():
        if name != "airflow-init":
            assert "healthcheck" in svc, name
