"""One page fetcher for every connector, retried by tenacity: rate limits (HTTP 429, Graph API rate-limit error
codes) wait as long as the server's Retry-After asks (seconds or an HTTP date, capped), server errors (5xx),
transport errors and malformed bodies back off exponentially (bounded); then it fails naming the URL. Every
message is redacted: no token reaches a log, an exception or an alert."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ingest.connectors.redaction import redact

log = logging.getLogger(__name__)

# Meta Graph API codes for "too many calls" (application, user, page-level throttling).
GRAPH_RATE_LIMIT_CODES = {4, 17, 32, 613}


class ConnectorError(Exception):
    """A page could not be fetched (after every retry, or refused outright); the message is redacted.
    ``graph_code`` is the Graph API's error code of a refusal, so a connector can tell "too few viewers" apart."""

    def __init__(self, message: str, graph_code: int | None = None) -> None:
        super().__init__(redact(message))
        self.graph_code = graph_code


class _Retryable(ConnectorError):
    """A response worth asking for again; ``retry_after`` is the wait the server asked for, in seconds."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_s: float = 1.0        # first wait after a 5xx or malformed page, doubled each time
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 120.0


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Page:
    url: str  # redacted
    body: dict[str, Any]
    headers: dict[str, str]


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3); None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" parses naive; HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _graph_code(response: httpx.Response) -> int | None:
    """The Graph API error code of a response ({"error": {"code": ...}}), else None."""
    try:
        code = response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None
    return code if isinstance(code, int) else None


def _fetch_once(client: httpx.Client, url: str, params: dict[str, Any] | None) -> Page:
    try:
        response = client.get(url, params=params)
    except httpx.TransportError as exc:
        raise _Retryable(f"transport error: {exc}") from None
    status = response.status_code
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    if status == 429 or (status in (400, 403) and _graph_code(response) in GRAPH_RATE_LIMIT_CODES):
        raise _Retryable(f"rate limited (HTTP {status})", retry_after)
    if status >= 500:
        raise _Retryable(f"HTTP {status}", retry_after)
    if status >= 400:
        hint = "; check the access token and its permissions" if status in (401, 403) else ""
        # Redact before cutting: a token cut in half no longer matches the secret it came from.
        raise ConnectorError(f"{response.url}: HTTP {status} {redact(response.text)[:300]}{hint}",
                             _graph_code(response))
    try:
        body = response.json()
    except ValueError:
        raise _Retryable("malformed page (not JSON)") from None
    if not isinstance(body, dict):
        raise _Retryable("malformed page (not a JSON object)")
    return Page(redact(str(response.url)), body, dict(response.headers))


class _WaitAsAsked:
    """Wait what the server asked for (capped), else back off exponentially."""

    def __init__(self, policy: RetryPolicy) -> None:
        self.backoff = wait_exponential(multiplier=policy.backoff_s, max=policy.max_backoff_s)
        self.cap = policy.max_retry_after_s

    def __call__(self, state: RetryCallState) -> float:
        problem = state.outcome.exception() if state.outcome else None
        if isinstance(problem, _Retryable) and problem.retry_after is not None:
            return min(problem.retry_after, self.cap)
        return self.backoff(state)


def get_page(client: httpx.Client, url: str, params: dict[str, Any] | None, policy: RetryPolicy) -> Page:
    """One page, retried per ``policy``; raises ConnectorError (redacted) when it cannot be had."""
    shown = redact(url)

    def log_retry(state: RetryCallState) -> None:
        problem = state.outcome.exception() if state.outcome else None
        log.warning("%s on %s, retrying in %.1fs (attempt %d/%d)", problem, shown, state.upcoming_sleep,
                    state.attempt_number, policy.max_attempts)

    retrying = Retrying(stop=stop_after_attempt(policy.max_attempts), wait=_WaitAsAsked(policy),
                        retry=retry_if_exception_type(_Retryable), before_sleep=log_retry, reraise=True)
    try:
        return retrying(_fetch_once, client, url, params)
    except _Retryable as exc:
        problem = str(exc)
    # Raised outside the except block so no unredacted exception rides along as its __context__.
    raise ConnectorError(f"{shown}: {problem} after {policy.max_attempts} attempts; the pages before it are landed "
                         "(and the cursor, where there is one, kept): re-run the fetch later")
