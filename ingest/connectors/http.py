"""One page fetcher for every connector: retries rate limits (HTTP 429 with Retry-After, Graph API rate-limit error
codes) and server errors (5xx, malformed bodies) with bounded exponential backoff, then fails naming the URL."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

# Meta Graph API codes for "too many calls" (application, user, page-level throttling).
GRAPH_RATE_LIMIT_CODES = {4, 17, 32, 613}


class ConnectorError(Exception):
    """A page could not be fetched after every retry; nothing past the last landed page was recorded."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    backoff_s: float = 1.0        # first wait after a 5xx or malformed page, doubled each time
    max_backoff_s: float = 60.0
    max_retry_after_s: float = 120.0


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class Page:
    url: str
    body: dict[str, Any]
    headers: dict[str, str]


def _is_graph_rate_limit(response: httpx.Response) -> bool:
    try:
        code = response.json().get("error", {}).get("code")
    except ValueError:
        return False
    return code in GRAPH_RATE_LIMIT_CODES


def get_page(client: httpx.Client, url: str, params: dict[str, Any] | None, policy: RetryPolicy) -> Page:
    wait = policy.backoff_s
    last_problem = ""
    for attempt in range(1, policy.max_attempts + 1):
        try:
            response = client.get(url, params=params)
        except httpx.TransportError as exc:
            last_problem = f"transport error: {exc}"
        else:
            if response.status_code == 429 or (response.status_code in (400, 403) and _is_graph_rate_limit(response)):
                retry_after = response.headers.get("Retry-After")
                delay = min(float(retry_after), policy.max_retry_after_s) if retry_after else wait
                log.warning("rate limited on %s (HTTP %s), waiting %.1fs (attempt %d/%d)", url,
                            response.status_code, delay, attempt, policy.max_attempts)
                time.sleep(delay)
                wait = min(wait * 2, policy.max_backoff_s)
                continue
            if response.status_code >= 500:
                last_problem = f"HTTP {response.status_code}"
            elif response.status_code >= 400:
                raise ConnectorError(f"{url}: HTTP {response.status_code} {response.text[:300]}")
            else:
                try:
                    body = response.json()
                except ValueError:
                    last_problem = "malformed page (not JSON)"
                else:
                    if isinstance(body, dict):
                        return Page(str(response.url), body, dict(response.headers))
                    last_problem = "malformed page (not a JSON object)"
        if attempt < policy.max_attempts:
            log.warning("%s on %s, retrying in %.1fs (attempt %d/%d)", last_problem, url, wait, attempt,
                        policy.max_attempts)
            time.sleep(wait)
            wait = min(wait * 2, policy.max_backoff_s)
    raise ConnectorError(f"{url}: {last_problem} after {policy.max_attempts} attempts")
