"""Keeping secrets out of everything a run leaves behind: log records, exception messages, landed pages, alerts.

Tokens travel in headers (Shopify) and in query strings (Instagram's ``access_token``, which Graph echoes back in
its paging links), and httpx logs every request URL at INFO. So every credential is registered here, and from the
first registration a log-record factory scrubs each record as it is created, whichever library logs it. A
``logging.Filter`` cannot promise that: a logger's filter never sees records propagated from child loggers
(``httpx``, ``httpcore``), and a handler's filter misses handlers added later (Airflow's, pytest's).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "REDACTED"
# Query parameters that carry credentials, whoever's they are (Graph's access_token and appsecret_proof, OAuth's);
# the value ends where a URL or the text around it does ("<url>: HTTP 500", "(<url>)", JSON quotes).
SECRET_PARAM = re.compile(r"((?:access_token|refresh_token|client_secret|appsecret_proof)=)[^&\s\"'#\\:),]+")
# Shorter values are words, not tokens: masking them would garble unrelated text (real API tokens are 30+ chars).
MIN_SECRET_LENGTH = 8
# Environment variables whose values are secrets (the connectors' tokens, the PII key, Airflow's keys).
SECRET_ENV_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|_KEY$")

# Replaced, never mutated: the record factory may be iterating it in another thread while a secret is registered.
_secrets: frozenset[str] = frozenset()


def register(secret: str) -> None:
    """From now on, ``redact`` and every log record of this process hide ``secret`` (also in URL-encoded form)."""
    global _secrets
    if len(secret) < MIN_SECRET_LENGTH or secret in _secrets:
        return
    _secrets = _secrets | {secret, quote(secret, safe=""), quote_plus(secret)}
    _install_record_factory()
    if "airflow.sdk" in sys.modules:  # inside Airflow, its own masker then hides it too (task log, supervisor)
        from airflow.sdk.log import mask_secret

        mask_secret(secret)


def register_environment() -> None:
    """Register the values of secret-looking environment variables (a failure may quote any of them)."""
    for name, value in os.environ.items():
        if SECRET_ENV_NAME.search(name.upper()):
            register(value)


def redact(text: str) -> str:
    """``text`` with credential query parameters and every registered secret replaced by ``REDACTED``."""
    text = SECRET_PARAM.sub(rf"\1{MASK}", text)
    for secret in sorted(_secrets, key=len, reverse=True):  # longest first: an encoded form may contain the raw one
        text = text.replace(secret, MASK)
    return text


class _RedactingRecordFactory:
    def __init__(self, make_record: Any) -> None:
        self.make_record = make_record

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed logging call: logging reports it when the record is emitted
            return record
        if (clean := redact(message)) != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            if (clean := redact(text)) != text:  # keep only the redacted text: no handler can render the original
                record.exc_info, record.exc_text = None, clean
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record


def _install_record_factory() -> None:
    current = logging.getLogRecordFactory()
    if not isinstance(current, _RedactingRecordFactory):
        logging.setLogRecordFactory(_RedactingRecordFactory(current))
