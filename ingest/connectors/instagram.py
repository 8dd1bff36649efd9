"""Instagram Graph API per account: media and live stories, paging through ``paging.next`` links, rate-limit errors
retried, pages landed as JSON lines for the ``instagram_media``, ``instagram_stories`` and
``instagram_media_insights`` sources (the request names the account).

Stories and their insights exist for 24 hours only (Graph API, IG User Stories and Media Insights): a story the
connector never saw live is lost, so it must run at least daily (``ingest_apis`` runs it hourly). Each run asks the
insights of every live story again; the newest fetch wins downstream, so the last one before the story expires
keeps its (nearly) final counts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx

from ingest.connectors.credentials import ApiCredentials, resolve
from ingest.connectors.http import DEFAULT_POLICY, ConnectorError, RetryPolicy, get_page
from ingest.connectors.landing import PageWriter

log = logging.getLogger(__name__)

MEDIA_FIELDS = "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count"
STORY_FIELDS = "id,caption,media_type,media_product_type,timestamp,permalink"  # stories have no likes or comments
# Story metrics by their current names (views replaced impressions in v22.0, navigation replaced taps_forward,
# taps_back and exits in v18.0); an API version that refuses them (#100) is asked for the names it had. Both sets
# load into one raw table: the seed instagram_metric_names renames the old ones in staging.
STORY_METRICS = "reach,views,replies,shares,follows,profile_visits,total_interactions,navigation"
LEGACY_STORY_METRICS = "reach,impressions,replies,exits,taps_forward,taps_back"
GRAPH_INVALID_PARAMETER = 100
# Meta answers "(#10) Not enough viewers for the media to show insights" for small stories, but #10 is also its generic
# "permission denied": only the message tells them apart, and a missing permission must fail, not land nothing.
GRAPH_TOO_FEW_VIEWERS = (10, "not enough viewers")


def credentials() -> ApiCredentials:
    return resolve("INSTAGRAM_GRAPH_URL", "INSTAGRAM_ACCESS_TOKEN", "instagram_graph")


def _pages(client: httpx.Client, creds: ApiCredentials, account: str, edge: str, fields: str,
           policy: RetryPolicy) -> Iterator[tuple[dict, dict]]:
    """Every page of an account's edge (media, stories): the request to land (no token) and the page's body."""
    url: str | None = f"{creds.base_url}/{account}/{edge}"
    params: dict | None = {"fields": fields, "limit": 25, "access_token": creds.token}
    while url:
        page = get_page(client, url, params, policy)
        if not isinstance(page.body.get("data"), list):
            raise ConnectorError(f"{page.url}: expected a JSON object with a 'data' list")
        shown = {k: v for k, v in (params or {}).items() if k != "access_token"}  # no secrets landed
        yield {"endpoint": f"/{account}/{edge}", "params": shown, "account": account}, page.body
        url, params = page.body.get("paging", {}).get("next"), None


def fetch_media(creds: ApiCredentials, accounts: list[str], landing: Path,
                policy: RetryPolicy = DEFAULT_POLICY) -> Path | None:
    writer = PageWriter(landing / "instagram", "media")
    try:
        with httpx.Client(timeout=30.0) as client:
            for account in accounts:
                for request, body in _pages(client, creds, account, "media", MEDIA_FIELDS, policy):
                    writer.write(request, body)
    finally:
        landed = writer.close()
    return landed


def fetch_stories(creds: ApiCredentials, accounts: list[str], landing: Path,
                  policy: RetryPolicy = DEFAULT_POLICY) -> list[Path]:
    """Every account's live stories and each story's insights: two files (stories, media_insights_stories)."""
    stories = PageWriter(landing / "instagram", "stories")
    insights = PageWriter(landing / "instagram", "media_insights_stories")
    metrics = STORY_METRICS
    try:
        with httpx.Client(timeout=30.0) as client:
            for account in accounts:
                for request, body in _pages(client, creds, account, "stories", STORY_FIELDS, policy):
                    stories.write(request, body)
                    for story in body["data"]:
                        metrics = _land_story_insights(client, creds, account, str(story["id"]), metrics, insights,
                                                       policy)
    finally:
        landed = [stories.close(), insights.close()]
    return [path for path in landed if path]


def _too_few_viewers(exc: ConnectorError) -> bool:
    code, words = GRAPH_TOO_FEW_VIEWERS
    return exc.graph_code == code and words in str(exc).lower()


def _land_story_insights(client: httpx.Client, creds: ApiCredentials, account: str, story_id: str, metrics: str,
                         writer: PageWriter, policy: RetryPolicy) -> str:
    """Land one story's insights; returns the metric names the API accepts (switching to the legacy ones once)."""
    url = f"{creds.base_url}/{story_id}/insights"
    while True:
        try:
            page = get_page(client, url, {"metric": metrics, "access_token": creds.token}, policy)
            break
        except ConnectorError as exc:
            if _too_few_viewers(exc):  # Meta withholds insights of small stories: no row, not zeros
                log.info("story %s of account %s: too few viewers for insights, none landed", story_id, account)
                return metrics
            if exc.graph_code != GRAPH_INVALID_PARAMETER or metrics == LEGACY_STORY_METRICS:
                raise
            log.warning("the Graph API refused the story metrics %s (%s); asking for %s", metrics, exc,
                        LEGACY_STORY_METRICS)
            metrics = LEGACY_STORY_METRICS
    if not isinstance(page.body.get("data"), list):
        raise ConnectorError(f"{page.url}: expected a JSON object with a 'data' list of metrics")
    writer.write({"endpoint": f"/{story_id}/insights", "params": {"metric": metrics}, "account": account}, page.body)
    return metrics
