"""One settings object for every part of the pipeline, read from environment variables.

Ingest, the dbt profile (through ``env_var()``), the DAGs, publish and the report all read the same
variables, so a deployment changes behaviour through the environment (or docker-compose), never code.
"""

from __future__ import annotations

import codecs
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Public demo key: it only pseudonymises the generated sample data. Anyone can reverse its pseudonyms (a
# dictionary of emails hashed with it), so only a run marked as the demo (PIPELINE_DEMO=1, set by `pipeline demo`)
# may use it; every other run needs PIPELINE_PII_KEY (docs/pii.md).
DEMO_PII_KEY = "demo-key-not-secret-change-me"
DEMO_ENV = "PIPELINE_DEMO"
# The generated sample's brand (pipeline/generate): the demo's default for PIPELINE_BRAND_HANDLES. Outside the demo it
# has none: another brand's posts would all read as organic, with no disclosure checked and every code order flagged
# as without a recent post.
SAMPLE_BRAND_HANDLE = "lumenandco"
BRAND_HANDLES_ENV = "PIPELINE_BRAND_HANDLES"
_NEW_KEY_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
# A pseudonym is a keyed hash of a customer's email or phone: whoever guesses the key can hash a list of emails and
# reverse them, so a key short enough to guess by trying is refused.
PII_KEY_MIN_LENGTH = 16


class PiiKeyError(ValueError):
    """No usable PII key; the message says how to set one."""


def check_pii_key(key: str) -> str:
    """The key, if this run may use it: a missing or short key, or the public demo key outside the demo, is
    refused."""
    if not key:
        raise PiiKeyError(f"PIPELINE_PII_KEY is not set: set it to a long random secret (e.g. export "
                          f"PIPELINE_PII_KEY=$({_NEW_KEY_HINT})) and keep it with your other secrets; only "
                          f"`pipeline demo` runs without it (to work on the demo's own warehouse by hand, run the "
                          f"command with {DEMO_ENV}=1 instead; docs/pii.md)")
    if len(key) < PII_KEY_MIN_LENGTH:
        raise PiiKeyError(f"PIPELINE_PII_KEY is {len(key)} characters long, too short to keep the pseudonyms secret "
                          f"(whoever guesses it can reverse them): use at least {PII_KEY_MIN_LENGTH}, e.g. export "
                          f"PIPELINE_PII_KEY=$({_NEW_KEY_HINT}); a warehouse built with the short key is re-keyed "
                          f"with `ingest rekey` (docs/pii.md)")
    if key == DEMO_PII_KEY and os.environ.get(DEMO_ENV) != "1":
        raise PiiKeyError(f"PIPELINE_PII_KEY is the public demo key, which only `pipeline demo` may use (anyone can "
                          f"reverse its pseudonyms): set your own secret (e.g. $({_NEW_KEY_HINT})), then re-key a "
                          f"warehouse built with the demo key with `ingest rekey` (docs/pii.md)")
    return key


LOCK_WAIT_ENV = "PIPELINE_WAREHOUSE_LOCK_WAIT_SECONDS"
# The one-slot Airflow pool of every task on the DuckDB warehouse (dags/): DuckDB allows one writing process per file.
WAREHOUSE_POOL = "warehouse_writer"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def api_credentials(url_env: str, token_env: str) -> tuple[str, str]:
    """A connector's base URL and token from the two variables it declares ("" when unset; the connector then
    falls back to an Airflow connection). Not fields of Settings: each connector names its own variables, and a
    token stays out of the settings object that is passed around."""
    return _env(url_env, ""), _env(token_env, "")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_dir: Path
    serving_keep_versions: int
    report_dir: Path
    quality_dir: Path
    dbt_project_dir: Path
    pii_key: str
    reporting_currency: str
    target_countries: tuple[str, ...]
    attribution_window_days: int
    brand_handles: tuple[str, ...]  # a post tagging one of these (@handle or #handle) is sponsored
    report_timezone: str
    report_recipients: tuple[str, ...]
    report_stale: str                  # refuse | mark: a report of data published before its week ended
    smtp_conn_id: str
    report_webhook_conn_id: str
    ingest_encoding: str  # of landing files that are neither UTF-8 nor marked by a BOM (ingest/encoding.py)
    ingest_memory_limit: str  # DuckDB memory_limit of ingest's connections (ingest/warehouse.py), e.g. 1GB
    warehouse_lock_wait: float  # seconds ingest waits for another process to release the warehouse (0: fail at once)
    dbt_target_dir: Path  # where dbt writes run_results.json and sources.json (DBT_TARGET_PATH, as dbt reads it)
    dbt_memory_limit: str  # DuckDB memory_limit of dbt's connection; past it DuckDB spills to dbt_temp_dir
    dbt_temp_dir: Path | None  # where dbt's DuckDB spills; None: <warehouse>.tmp, DuckDB's own default
    dbt_threads: int       # dbt models built at once (one DuckDB connection, so one writer all the same)
    duckdb_threads: int    # DuckDB worker threads of each dbt query
    alert_webhook_conn_id: str  # Airflow connection failure alerts are posted to (host = URL); skipped if undefined
    alert_webhook_url: str      # ... or this URL (PIPELINE_ALERT_WEBHOOK_URL), which wins over the connection
    alert_recipients: tuple[str, ...]  # failure alerts emailed here through smtp_conn_id
    dbt_tasks: str  # build: one dbt build task; models: a task per model (Cosmos), slower, re-runnable alone
    dbt_unit_tests: str  # on_code_change: builds of code no build ran yet run the unit tests; never: CI runs them
    transform_cron: str  # creator_pipeline's daily run (UTC) beside its asset triggers; "" (set "none"): none
    transform_pool: str  # pool of the dbt build: WAREHOUSE_POOL, or default_pool (set "none") for a target that
    #                      is not the DuckDB file (Spark), where builds need not wait for one another's slot
    lake_dir: str | None  # PIPELINE_LAKE_DIR: ingest also writes the raw batches as Parquet here (ingest/lake.py)

    @property
    def serving_path(self) -> Path:
        """The current published DuckDB file; one open of it sees one whole version (docs/serving.md)."""
        return self.serving_dir / "current" / "marts.duckdb"

    def dbt_env(self) -> dict[str, str]:
        """Environment variables the dbt profile and dbt_project.yml read."""
        return {
            "PIPELINE_WAREHOUSE": str(self.warehouse_path),
            "PIPELINE_REPORTING_CURRENCY": self.reporting_currency,
            "PIPELINE_TARGET_COUNTRIES": ",".join(self.target_countries),
            "PIPELINE_ATTRIBUTION_WINDOW_DAYS": str(self.attribution_window_days),
            "DBT_PROFILES_DIR": str(self.dbt_project_dir),
            "PIPELINE_DBT_MEMORY_LIMIT": self.dbt_memory_limit,
            "PIPELINE_DBT_THREADS": str(self.dbt_threads),
            "PIPELINE_DUCKDB_THREADS": str(self.duckdb_threads),
            # Always given, resolved: unset, dbt spills next to the warehouse (<warehouse>.tmp), wherever it is. An
            # empty value passed on (compose's `${PIPELINE_DBT_TEMP_DIR:-}`) would turn DuckDB's spilling off.
            "PIPELINE_DBT_TEMP_DIR": str(self.dbt_temp_dir or Path(f"{self.warehouse_path}.tmp")),
        }

    def dbt_vars(self) -> dict[str, object]:
        """dbt vars given on the command line (pipeline/dbt.py): lists, which an env_var() in dbt_project.yml
        cannot give."""
        return {"brand_handles": list(self.brand_handles)}


# Why a dbt command that reads or writes data refuses to run without the brand's handles (pipeline/dbt.py).
BRAND_HANDLES_MISSING = (f"{BRAND_HANDLES_ENV} is not set: set it to your brand's handles, comma-separated, as "
                         "creators tag them (e.g. mybrand,mybrand.us): a post that tags one (@mybrand) or uses it as a "
                         "hashtag (#mybrand) is a sponsored post, which the disclosure and delivery checks and the "
                         "budget moves need (`pipeline demo` uses its sample brand's)")


def _stale_policy(value: str) -> str:
    policy = value.strip().lower()
    if policy not in ("refuse", "mark"):
        raise ValueError(f"PIPELINE_REPORT_STALE={value!r} is not a stale-data policy: set it to 'refuse' (no report, "
                         "the task fails and alerts) or 'mark' (the report is sent with every page marked stale)")
    return policy


def airflow_home() -> str:
    """AIRFLOW_HOME, by default the project's .airflow: every command that reaches Airflow (its CLI through
    `pipeline airflow`, the demo, `ingest fetch` reading a connection) then shares one metadata DB."""
    return os.environ.get("AIRFLOW_HOME") or str(PROJECT_ROOT / ".airflow")


def load_settings() -> Settings:
    """Read the settings from the environment; every variable has a documented default (README)."""
    data_dir = Path(_env("PIPELINE_DATA_DIR", str(PROJECT_ROOT / "data"))).resolve()
    dbt_project_dir = Path(_env("PIPELINE_DBT_PROJECT_DIR", str(PROJECT_ROOT / "dbt_project")))
    return Settings(
        data_dir=data_dir,
        landing_dir=Path(_env("PIPELINE_LANDING_DIR", str(data_dir / "landing"))),
        warehouse_path=Path(_env("PIPELINE_WAREHOUSE", str(data_dir / "warehouse.duckdb"))),
        serving_dir=Path(_env("PIPELINE_SERVING_DIR", str(data_dir / "serving"))),
        serving_keep_versions=_whole_number("PIPELINE_SERVING_KEEP_VERSIONS", "3"),
        report_dir=Path(_env("PIPELINE_REPORT_DIR", str(data_dir / "reports"))),
        quality_dir=Path(_env("PIPELINE_QUALITY_DIR", str(data_dir / "quality"))),
        dbt_project_dir=dbt_project_dir,
        # Unset: the demo key in the demo, else empty, which check_pii_key refuses where the key is used.
        pii_key=_env("PIPELINE_PII_KEY", DEMO_PII_KEY if os.environ.get(DEMO_ENV) == "1" else ""),
        reporting_currency=_currency("PIPELINE_REPORTING_CURRENCY", "USD"),
        target_countries=_countries("PIPELINE_TARGET_COUNTRIES", "US,CA,GB"),
        attribution_window_days=_whole_number("PIPELINE_ATTRIBUTION_WINDOW_DAYS", "30"),
        # Unset: the sample brand's in the demo, else none, which dbt_vars refuses.
        brand_handles=_handles(BRAND_HANDLES_ENV, SAMPLE_BRAND_HANDLE if os.environ.get(DEMO_ENV) == "1" else None),
        report_timezone=_time_zone("PIPELINE_REPORT_TZ", "Europe/London"),
        report_recipients=_addresses("PIPELINE_REPORT_RECIPIENTS"),
        report_stale=_stale_policy(_env("PIPELINE_REPORT_STALE", "refuse")),
        smtp_conn_id=_env("PIPELINE_SMTP_CONN_ID", "smtp_default"),
        report_webhook_conn_id=_env("PIPELINE_REPORT_WEBHOOK_CONN_ID", "pipeline_report_webhook"),
        ingest_encoding=_encoding("PIPELINE_INGEST_ENCODING", "cp1252"),
        ingest_memory_limit=_memory("PIPELINE_INGEST_MEMORY_LIMIT", "1GB"),
        warehouse_lock_wait=_lock_wait(LOCK_WAIT_ENV, "0"),
        dbt_target_dir=dbt_project_dir / _env("DBT_TARGET_PATH", "target"),  # an absolute path replaces the base
        dbt_memory_limit=_memory("PIPELINE_DBT_MEMORY_LIMIT", "1GB"),
        dbt_temp_dir=Path(_env("PIPELINE_DBT_TEMP_DIR", "")) if _env("PIPELINE_DBT_TEMP_DIR", "") else None,
        dbt_threads=_whole_number("PIPELINE_DBT_THREADS", "2"),
        duckdb_threads=_whole_number("PIPELINE_DUCKDB_THREADS", str(os.cpu_count() or 1)),
        alert_webhook_conn_id=_env("PIPELINE_ALERT_WEBHOOK_CONN_ID", "pipeline_alerts"),
        alert_webhook_url=_env("PIPELINE_ALERT_WEBHOOK_URL", ""),
        alert_recipients=_addresses("PIPELINE_ALERT_RECIPIENTS"),
        transform_cron=_cron("PIPELINE_TRANSFORM_CRON", "0 0 * * *"),
        dbt_tasks=_choice("PIPELINE_DBT_TASKS", "build", ("build", "models")),
        dbt_unit_tests=_choice("PIPELINE_DBT_UNIT_TESTS", "on_code_change", ("on_code_change", "never")),
        transform_pool=_transform_pool("PIPELINE_TRANSFORM_POOL"),
        lake_dir=_env("PIPELINE_LAKE_DIR", "").rstrip("/") or None,
    )


def _choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = _env(name, default).lower()
    if value not in allowed:
        raise ValueError(f"{name}={value!r}: set it to one of {', '.join(allowed)}")
    return value


def _transform_pool(name: str) -> str:
    # Only the warehouse pool (created by `pipeline airflow` and compose's airflow-init) or none: a pool nothing
    # creates would leave the build unscheduled ("Tasks using non-existent pool").
    return "default_pool" if _choice(name, WAREHOUSE_POOL, (WAREHOUSE_POOL, "none")) == "none" else WAREHOUSE_POOL


def _cron(name: str, default: str) -> str:
    from croniter import croniter  # Airflow's own cron parser; light (DAG files read the settings)

    value = _env(name, default).strip()
    if value.lower() == "none":
        return ""
    # Airflow takes a bad expression without a word and the DAG never runs on it; it refuses a sixth (seconds) field.
    if not croniter.is_valid(value) or len(value.split()) not in (1, 5):
        raise ValueError(f"{name}={value!r} is not a cron expression: set it to five fields (minute hour day month "
                         f"weekday, in UTC), e.g. {default!r} or '30 5 * * 1-5', a preset such as @daily, or 'none' "
                         "for no scheduled run")
    return value


def _currency(name: str, default: str) -> str:
    value = _env(name, default).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"{name}={value!r} is not a currency code: set it to the ISO 4217 code of the currency the "
                         f"marts report in, e.g. {default}, EUR or GBP (the FX rates file must carry its rates)")
    return value


def _handles(name: str, default: str | None) -> tuple[str, ...]:
    """The handles of ``name``; none when it is unset and there is no ``default`` (dbt_vars refuses that)."""
    if not os.environ.get(name, "").strip() and default is None:
        return ()
    value = _env(name, default or "")
    # The handles become a regular expression in int_posts: only the characters a handle can have get there.
    handles = tuple(h.strip().lstrip("@#").lower() for h in value.split(",") if h.strip())
    wrong = [h for h in handles if not re.fullmatch(r"[a-z0-9._-]+", h)]
    if not handles or wrong:
        problem = f"not a handle: {', '.join(wrong)}" if wrong else "empty"
        raise ValueError(f"{name}={value!r}: {problem}; set it to the brand's handles, comma-separated (letters, "
                         "digits, '.', '_', '-'), e.g. mybrand,mybrand.us")
    return handles


def _time_zone(name: str, default: str) -> str:
    value = _env(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name}={value!r} is not an IANA time zone: set it to one such as {default} or "
                         "America/New_York, or unset it for the default") from None
    return value


# DuckDB's memory_limit as DuckDB reads it: a number and a unit (1GB, 512 MB, 1.5GiB, 2g) or a share of the RAM
# (80%). Checked here, without DuckDB: DAG files read the settings, and must not import it.
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*([KMGT]i?B?|bytes|%)\s*$", re.IGNORECASE)


def _memory(name: str, default: str) -> str:
    value = _env(name, default)
    if not _MEMORY.match(value):
        raise ValueError(f"{name}={value!r} is not an amount of memory: set it to a number and a unit such as "
                         f"{default} or 512MB, or unset it for the default {default}")
    return value


def _whole_number(name: str, default: str) -> int:
    value = _env(name, default)
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{name}={value!r} is not a whole number of 1 or more: set it to one (e.g. {default}), or "
                         f"unset it for the default {default}")
    return int(value)


def _countries(name: str, default: str) -> tuple[str, ...]:
    """ISO 3166 alpha-2 codes: a code of another form ("USA", "UK ") matched no audience country, so every
    creator failed the geography check and was published rejected."""
    value = _env(name, default)
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    wrong = [c for c in codes if not (len(c) == 2 and c.isascii() and c.isalpha())]
    if wrong or not codes:
        raise ValueError(f"{name}={value!r} is not a list of ISO 3166 two-letter country codes"
                         + (f" ({', '.join(map(repr, wrong))} is not one)" if wrong else "")
                         + f": set it to the codes of your markets, e.g. {default} (GB, not UK)")
    return codes


def _gate_number(name: str, default: str, share: bool = False) -> float:
    """A threshold of the quality gate: a number of 0 or more, and at most 1 for a share (5 would turn it off)."""
    value = _env(name, default)
    try:
        number = float(value)
    except ValueError:
        number = math.nan  # no number: fails the range check below, with the same message
    if not 0 <= number <= (1 if share else math.inf):
        raise ValueError(f"{name}={value!r} is not " + ("a share from 0 to 1" if share else "a number of 0 or more")
                         + f": set it to one (e.g. {default}), or unset it for the default {default}")
    return number


def _lock_wait(name: str, default: str) -> float:
    value = _env(name, default)
    try:
        return max(float(value), 0.0)
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a number: set it to the seconds to wait for a held warehouse "
                         f"(0 = fail at once)") from None


def _addresses(name: str) -> tuple[str, ...]:
    return tuple(r.strip() for r in _env(name, "").split(",") if r.strip())


def _encoding(name: str, default: str) -> str:
    value = _env(name, default)
    try:
        return codecs.lookup(value).name
    except LookupError:
        raise ValueError(f"{name}={value!r} is not a text encoding Python knows: set it to the encoding of your "
                         f"non-UTF-8 exports, e.g. cp1252 (Excel on Windows), latin-1, cp1250, mac_roman") from None


@dataclass(frozen=True)
class GateSettings:
    """Thresholds of the quality gate (expectations/), one env var each; README lists them with their defaults."""

    keep_results: int          # GX results (and their Data Docs pages) kept per suite
    max_value_factor: float    # a batch's largest amount vs the 99th percentile of its source's amounts
    max_rows_ratio: float      # a batch's rows vs the median of its source's last 10 accepted batches
    min_rows_ratio: float      # ... and the lower end of that band (0: no lower end; corrections are small)
    max_quarantine_share: float
    max_changed_share: float   # re-delivered orders whose amount changed, as a share of the re-delivered ones
    min_mart_rows_ratio: float  # a mart's rows vs the last mart gate that passed
    freshness_hours: float     # newest accepted order delivery older than this: a warning in the mart gate


def load_gate_settings() -> GateSettings:
    return GateSettings(
        keep_results=_whole_number("PIPELINE_GATE_KEEP_RESULTS", "30"),
        max_value_factor=_gate_number("PIPELINE_GATE_MAX_VALUE_FACTOR", "20"),
        max_rows_ratio=_gate_number("PIPELINE_GATE_MAX_ROWS_RATIO", "10"),
        min_rows_ratio=_gate_number("PIPELINE_GATE_MIN_ROWS_RATIO", "0"),
        max_quarantine_share=_gate_number("PIPELINE_GATE_MAX_QUARANTINE_SHARE", "0.05", share=True),
        max_changed_share=_gate_number("PIPELINE_GATE_MAX_CHANGED_SHARE", "0", share=True),
        min_mart_rows_ratio=_gate_number("PIPELINE_GATE_MIN_MART_ROWS_RATIO", "0.9"),
        freshness_hours=_gate_number("PIPELINE_GATE_FRESHNESS_HOURS", "48"),
    )
