"""A failed dbt command's message keeps DuckDB's reason, whatever its kind of error is called."""

from __future__ import annotations

import pytest

from pipeline.dbt import _failure_message, _only_data_tests_failed
from pipeline.settings import load_settings

MODEL = "posting_time_performance"


@pytest.mark.parametrize("reason", [
    "Out of Memory Error: failed to allocate data of size 4.0 MiB (951.4 MiB/953.6 MiB used)",
    "Constraint Error: NOT NULL constraint failed: contract_deliverables.due_date",
    "Binder Error: Referenced column \"tier\" not found in FROM clause!",
])
def test_the_message_names_the_failed_model_and_duckdbs_reason(reason: str) -> None:
    output = [  # dbt's lines for a model that failed in DuckDB, as dbt prints them
        f"11:27:52  1 of 1 ERROR creating sql table model marts.{MODEL} ..... [ERROR in 6.00s]",
        f"11:27:57  Failure in model {MODEL} (models/marts/{MODEL}.sql)",
        f"11:27:57    Runtime Error in model {MODEL} (models/marts/{MODEL}.sql)",
        f"  {reason}",
        "  ",
        "  Possible solutions:",
        "  * Reducing the number of threads (SET threads=X)",
    ]
    message = _failure_message(load_settings(), "dbt build", 1, output)
    assert f"Failure in model {MODEL}" in message and reason in message, message
    assert "Possible solutions" not in message, "the message keeps the reason, not DuckDB's whole text"


def test_failed_data_tests_fail_the_build_task_at_once_and_other_failures_keep_the_retry(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry of a build whose data tests failed fails the same way, 2 minutes later (the DAG's retry_delay): the
    task fails with AirflowFailException, which Airflow never retries. Which failures count as such is checked on real
    dbt output (tests/integration/test_key_tests.py, test_mart_constraints.py)."""
    from airflow.exceptions import AirflowFailException

    import pipeline.dbt
    from pipeline.dbt import DbtFailed
    from pipeline.tasks import dbt_build

    def failing(data_tests_failed: bool):
        def run_dbt(*args, **kwargs) -> None:
            raise DbtFailed("dbt build failed (exit 1): Failure in test x", data_tests_failed=data_tests_failed)
        return run_dbt

    monkeypatch.setattr(pipeline.dbt, "run_dbt", failing(True))
    with pytest.raises(AirflowFailException, match="Failure in test x"):
        dbt_build()
    monkeypatch.setattr(pipeline.dbt, "run_dbt", failing(False))
    with pytest.raises(DbtFailed):
        dbt_build()


def test_a_failed_unit_test_fails_the_build_at_once_too() -> None:
    # dbt's lines for a unit test that failed (a 7-day attribution window, 2026-11-29): the same code fails it again,
    # so a retry only held the alert back two minutes.
    output = [
        "00:52:44  Finished running 1 project hook, 76 unit tests in 0 hours 0 minutes and 24.28 seconds (24.28s).",
        "00:52:44  Completed with 1 error, 0 partial successes, and 0 warnings:",
        "00:52:44  Failure in unit_test a_code_outside_its_validity_does_not_attribute_and_a_sitewide_code_does_not_"
        "block_the_link (models/intermediate/_intermediate__models.yml)",
        "actual differs from expected:",
        "00:52:44  Done. PASS=76 WARN=0 ERROR=1 SKIP=0 NO-OP=0 TOTAL=77",
    ]
    assert _only_data_tests_failed(1, output)
    runtime_error = [*output[:2], "00:52:44    Runtime Error in model int_posts (models/intermediate/int_posts.sql)"]
    assert not _only_data_tests_failed(1, runtime_error), "a model's error keeps the retry"
