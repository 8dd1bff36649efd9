"""docker-compose.yml cannot be started here (no Docker engine): check it stays in step with the local run and
that it has no insecure default: every secret comes from .env, and compose refuses to start without it.

The refusal is proved twice: by compose's own variable interpolation rules applied here in Python (always), and by
Debian's docker-compose `config -q` (when installed: `apt-get install docker-compose`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.airflow_env import AIRFLOW_DEFAULTS, SETUP_COMMANDS
from pipeline.settings import WAREHOUSE_POOL

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"POSTGRES_PASSWORD", "AIRFLOW_JWT_SECRET", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_FERNET_KEY",
           "AIRFLOW_ADMIN_USER", "AIRFLOW_ADMIN_PASSWORD", "PIPELINE_PII_KEY", "SUPERSET_SECRET_KEY",
           "SUPERSET_ADMIN_PASSWORD"}
# Compose's interpolation: $$ escapes; ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $VAR.
_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|(?P<bare>\w+))")


def _interpolate(node: object, env: dict[str, str], errors: list[str]) -> object:
    """A parsed compose file with its values interpolated as compose does (values only, never comments); the
    messages that would stop compose are appended to ``errors``."""
    if isinstance(node, dict):
        return {key: _interpolate(value, env, errors) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolate(value, env, errors) for value in node]
    if not isinstance(node, str):
        return node

    def substitute(match: re.Match) -> str:
        if match["escaped"]:
            return "$"
        name = match["name"] or match["bare"]
        value, op = env.get(name), match["op"] or ""
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("?") and missing:
            errors.append(f"{name}: {match['arg']}")
        if op.endswith("-") and missing:
            return match["arg"]
        return value or ""

    return _VARIABLE.sub(substitute, node)


def _raw() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _errors(env: dict[str, str]) -> list[str]:
    errors: list[str] = []
    _interpolate(_raw(), env, errors)
    return errors


def _values(node: object) -> list[str]:
    if isinstance(node, dict):
        return [v for value in node.values() for v in _values(value)]
    if isinstance(node, list):
        return [v for value in node for v in _values(value)]
    return [node] if isinstance(node, str) else []


def _references() -> list[re.Match]:
    return [m for value in _values(_raw()) for m in _VARIABLE.finditer(value) if not m["escaped"]]


def _env_example() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _filled_env() -> dict[str, str]:
    """.env.example with every secret filled in, as the user is told to."""
    return {**_env_example(), **{name: f"generated-{name.lower()}" for name in SECRETS}}


def _compose(env: dict[str, str] | None = None) -> dict:
    errors: list[str] = []
    compose = _interpolate(_raw(), _filled_env() if env is None else env, errors)
    assert errors == []
    return compose


def _airflow_services(compose: dict) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if name.startswith("airflow-")}


def test_compose_refuses_to_start_without_each_secret() -> None:
    assert _errors(_filled_env()) == []
    for secret in sorted(SECRETS):
        errors = _errors({**_filled_env(), secret: ""})
        assert errors and all(e.startswith(f"{secret}: set {secret} in .env") for e in errors), (secret, errors)
    # A fresh copy of .env.example is refused too: its secrets are empty (the user name has a default).
    assert {e.split(":")[0] for e in _errors(_env_example())} == SECRETS - {"AIRFLOW_ADMIN_USER"}


def test_no_insecure_default_is_left() -> None:
    for match in _references():
        if match["name"] in SECRETS:
            assert match["op"] == ":?", f"{match[0]}: a secret must be required, never defaulted"
    text = (ROOT / "docker-compose.yml").read_text()
    for insecure in ("SIMPLE_AUTH_MANAGER_ALL_ADMINS", "airflow:airflow@", "change-me", "not-secret",
                     "POSTGRES_PASSWORD: airflow"):
        assert insecure not in text, insecure
    compose = _compose()
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == "generated-postgres_password"
    for name, svc in _airflow_services(compose).items():
        assert svc["environment"]["PIPELINE_PII_KEY"] == "generated-pipeline_pii_key", name
        # The admin password reaches only the service that writes the password file.
        assert ("AIRFLOW_ADMIN_PASSWORD" in svc["environment"]) == (name == "airflow-init"), name
    for name in ("superset-init", "superset"):
        env = compose["services"][name]["environment"]
        assert env["SUPERSET_SECRET_KEY"] == "generated-superset_secret_key", name
        assert ("SUPERSET_ADMIN_PASSWORD" in env) == (name == "superset-init"), name


def test_env_example_lists_every_variable_and_how_to_generate_each_secret() -> None:
    example = _env_example()
    assert set(example) == {m["name"] or m["bare"] for m in _references()}
    text = (ROOT / ".env.example").read_text()
    for secret in SECRETS - {"AIRFLOW_ADMIN_USER"}:
        assert example[secret] == "", f"{secret}: .env.example must not carry a usable secret"
        comment = text[:text.index(f"\n{secret}=")].rsplit("\n\n", 1)[-1]
        assert "openssl rand" in comment or "python3 -c" in comment, f"{secret}: say how to generate it"


def test_secrets_stay_out_of_git_and_the_image() -> None:
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
    assert ".env" in (ROOT / ".dockerignore").read_text().splitlines()


UI_PORTS = {"airflow-apiserver": 8080, "dashboard": 8501, "superset": 8088}


def test_ui_is_published_on_this_machine_only_by_default() -> None:
    exposed = _compose({**_filled_env(), "AIRFLOW_BIND_ADDRESS": "0.0.0.0"})
    for name, port in UI_PORTS.items():
        assert _compose()["services"][name]["ports"] == [f"127.0.0.1:{port}:{port}"], name
        assert exposed["services"][name]["ports"] == [f"0.0.0.0:{port}:{port}"], name


def test_docker_compose_config_accepts_a_filled_env_and_refuses_a_missing_one(tmp_path: Path) -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); "
                    "test_compose_refuses_to_start_without_each_secret proves the refusal without it")
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    (tmp_path / "serve" / "superset").mkdir(parents=True)  # a build context compose checks exists

    def config(env_file: dict[str, str]) -> subprocess.CompletedProcess:
        (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in env_file.items()))
        # Only PATH from this environment: a secret exported in the shell must not make the check pass.
        return subprocess.run([binary, "-f", "docker-compose.yml", "config", "-q"], cwd=tmp_path,
                              env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)

    assert config(_filled_env()).returncode == 0
    refused = config({**_filled_env(), "AIRFLOW_JWT_SECRET": ""})
    assert refused.returncode != 0 and "set AIRFLOW_JWT_SECRET in .env" in refused.stderr
    refused = config({})
    assert refused.returncode != 0 and "in .env (see .env.example)" in refused.stderr


def test_every_airflow_service_shares_the_local_settings_and_jwt_secret() -> None:
    services = _airflow_services(_compose())
    assert {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
            "airflow-triggerer", "airflow-worker"} <= set(services)
    for shared in ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__FERNET_KEY"):
        assert len({svc["environment"][shared] for svc in services.values()}) == 1, shared
    for svc in services.values():
        env = svc["environment"]
        for key, value in AIRFLOW_DEFAULTS.items():
            # Inside a container the API server listens on every interface; the host publishes it on loopback.
            # Compose runs tasks on Celery workers, the local run in the scheduler's LocalExecutor.
            if key not in ("AIRFLOW__LOGGING__LOGGING_LEVEL", "AIRFLOW__API__HOST", "AIRFLOW__CORE__EXECUTOR"):
                assert str(env[key]) == value, key


# Read by the code but not set by compose: paths derived from PIPELINE_DATA_DIR, the dbt project baked into the
# image, the demo switch (never in a deployment) and the folder of a local Spark (session mode, which compose does
# not run: its Spark is a cluster, docs/scale-out.md).
NOT_IN_COMPOSE = {"PIPELINE_LANDING_DIR", "PIPELINE_WAREHOUSE", "PIPELINE_SERVING_DIR", "PIPELINE_REPORT_DIR",
                  "PIPELINE_QUALITY_DIR", "PIPELINE_DBT_PROJECT_DIR", "PIPELINE_DEMO", "PIPELINE_SPARK_DIR"}


def test_compose_sets_exactly_the_variables_the_code_reads() -> None:
    read = {name for folder in ("pipeline", "ingest", "expectations") for path in (ROOT / folder).rglob("*.py")
            for name in re.findall(r'"(PIPELINE_[A-Z_]+)"', path.read_text())}
    assert "PIPELINE_GATE_MAX_VALUE_FACTOR" in read and "PIPELINE_WAREHOUSE_LOCK_WAIT_SECONDS" in read
    for svc in _airflow_services(_compose()).values():
        used = {k for k in svc["environment"] if k.startswith("PIPELINE_")}
        assert used <= read, f"compose sets variables nothing reads: {used - read}"
        assert read - NOT_IN_COMPOSE <= used, f"settings compose does not pass through: {read - NOT_IN_COMPOSE - used}"


def test_init_creates_the_warehouse_pool_the_dags_use() -> None:
    init = " ".join(_compose()["services"]["airflow-init"]["command"])
    assert "airflow db migrate" in init and f"pools set {WAREHOUSE_POOL} 1" in init
    assert ("pools", "set", WAREHOUSE_POOL, "1", "one writer per DuckDB file") in SETUP_COMMANDS
    for dag_file in ("creator_pipeline.py", "ingest_files.py", "ingest_apis.py"):
        assert "from pipeline.settings import WAREHOUSE_POOL" in (ROOT / "dags" / dag_file).read_text(), dag_file
    # The dbt build's pool is a setting whose only values are that pool or none: compose passes the default.
    scheduler = _compose()["services"]["airflow-scheduler"]["environment"]
    assert scheduler["PIPELINE_TRANSFORM_POOL"] == WAREHOUSE_POOL


def test_tasks_run_on_celery_workers_through_redis_with_the_same_environment() -> None:
    """As Airflow's own compose file: CeleryExecutor, Redis as broker, the metadata Postgres as result backend, and
    a health-checked `celery worker` service with the environment every other Airflow service has."""
    compose = _compose()
    services = _airflow_services(compose)
    worker = services["airflow-worker"]
    assert worker["command"] == "celery worker"
    assert "inspect ping" in " ".join(worker["healthcheck"]["test"])
    assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
    assert worker["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"  # the Execution API
    # Each service's own: the worker's signal handling in the image's init, the init's admin password.
    own = {"DUMB_INIT_SETSID", "AIRFLOW_ADMIN_PASSWORD"}
    shared = {k: v for k, v in worker["environment"].items() if k not in own}
    for name, svc in services.items():
        env = {k: v for k, v in svc["environment"].items() if k not in own}
        assert env == shared, f"{name} and airflow-worker differ: {set(env.items()) ^ set(shared.items())}"
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert shared["AIRFLOW__CELERY__BROKER_URL"] == "redis://redis:6379/0"
    metadata = shared["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert shared["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + metadata
    redis = compose["services"]["redis"]
    assert redis["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "ports" not in redis, "the broker has no password: it must stay on compose's network"
    # The image has what the worker and the Postgres metadata need (pyproject.toml, installed from uv.lock).
    lock = (ROOT / "uv.lock").read_text()
    for package in ("apache-airflow-providers-celery", "redis", "psycopg2-binary"):
        assert f'\nname = "{package}"\n' in lock, package


def test_the_image_carries_the_dbt_manifest_the_model_tasks_are_drawn_from() -> None:
    """Compose draws a task per dbt model by default and starts `airflow` directly (no `pipeline airflow` to make the
    manifest): without it in the image, creator_pipeline fails to import ("manifest.json is missing")."""
    dbt_tasks = _airflow_services(_compose())["airflow-scheduler"]["environment"]["PIPELINE_DBT_TASKS"]
    assert dbt_tasks == "models"
    steps = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("RUN ")]
    assert "RUN PIPELINE_DBT_TASKS=models python -m pipeline.dbt_manifest" in steps
    assert steps.index("RUN PIPELINE_DBT_TASKS=models python -m pipeline.dbt_manifest") > next(
        i for i, step in enumerate(steps) if "pip install --no-cache-dir --no-deps -e ." in step), \
        "the manifest is made after the project is installed"


def test_services_with_a_long_life_have_health_checks() -> None:
    services = _compose()["services"]
    for name, svc in {**_airflow_services(_compose()), "dashboard": services["dashboard"],
                      "superset": services["superset"]}.items():
        if name != "airflow-init":
            assert "healthcheck" in svc, name


def test_dashboard_and_superset_read_the_published_marts_read_only() -> None:
    """The BI services mount only what they read, read-only (a publish never waits for them), and the dashboard
    runs the local command with the local run's variable names."""
    services = _compose()["services"]
    airflow_data_dir = services["airflow-scheduler"]["environment"]["PIPELINE_DATA_DIR"]
    dashboard = services["dashboard"]
    assert dashboard["entrypoint"][:2] == ["pipeline", "dashboard"]
    assert dashboard["environment"] == {"PIPELINE_DATA_DIR": airflow_data_dir}
    assert sorted(dashboard["volumes"]) == [f"./data/quality:{airflow_data_dir}/quality:ro",
                                            f"./data/serving:{airflow_data_dir}/serving:ro"]
    serving_mounts = [v for v in services["superset"]["volumes"] if v.startswith("./data")]
    assert serving_mounts == ["./data/serving:/app/data/serving:ro"]
    assert services["superset"]["depends_on"]["superset-init"]["condition"] == "service_completed_successfully"
    init = services["superset-init"]["command"][-1]
    assert "superset db upgrade" in init and "superset import-dashboards --path" in init
