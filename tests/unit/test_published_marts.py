"""The list of published marts lives in one place (pipeline.publish.MARTS); what cannot import it is checked
against it here: the dbt exposures BI and the report declare."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pipeline.publish import MARTS

EXPOSURES = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_exposures.yml"


def _refs(exposure: dict) -> set[str]:
    return {re.fullmatch(r"ref\('(\w+)'\)", ref).group(1) for ref in exposure["depends_on"]}


def test_the_dashboard_exposure_is_every_published_mart() -> None:
    exposures = {e["name"]: e for e in yaml.safe_load(EXPOSURES.read_text())["exposures"]}
    assert _refs(exposures["creator_programme_dashboard"]) == set(MARTS)


def test_the_report_exposure_names_only_published_marts() -> None:
    exposures = {e["name"]: e for e in yaml.safe_load(EXPOSURES.read_text())["exposures"]}
    assert _refs(exposures["weekly_performance_report"]) <= set(MARTS)


def test_the_report_has_plain_words_for_every_reason_code_the_mart_allows() -> None:
    """A reason code added to creator_vetting_reasons without words for the report stops the report (KeyError)."""
    from serve.report.charts import REASON_LABELS

    marts = yaml.safe_load((EXPOSURES.parent / "_marts__models.yml").read_text())["models"]
    [column] = [c for m in marts if m["name"] == "creator_vetting_reasons" for c in m["columns"]
                if c["name"] == "reason_code"]
    [allowed] = [t["accepted_values"] for t in column["data_tests"] if isinstance(t, dict) and "accepted_values" in t]
    codes = allowed.get("values") or allowed["arguments"]["values"]
    assert set(codes) == set(REASON_LABELS)


def test_the_key_check_for_engines_without_constraints_runs_after_every_published_mart() -> None:
    """The singular test that checks the marts' NOT NULL keys on Spark must depend on every mart, or it may run
    before one is built."""
    sql = (EXPOSURES.parents[2] / "tests" / "assert_mart_keys_not_null_where_unenforced.sql").read_text()
    assert set(re.findall(r"ref\('(\w+)'\)", sql)) == set(MARTS)
