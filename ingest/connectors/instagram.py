"""Instagram Graph API media per account: paging through ``paging.next`` links, rate-limit errors retried, pages
landed as JSON lines for the ``instagram_media`` source (the request names the account)."""

from __future__ import annotations

from pathlib import Path

import httpx

from ingest.connectors.credentials import ApiCredentials, resolve
from ingest.connectors.http import DEFAULT_POLICY, ConnectorError, RetryPolicy, get_page
from ingest.connectors.landing import PageWriter

MEDIA_FIELDS = "id,caption,media_type,media_product_type,timestamp,permalink,like_count,comments_count"


def credentials() -> ApiCredentials:
    return resolve("INSTAGRAM_GRAPH_URL", "INSTAGRAM_ACCESS_TOKEN", "instagram_graph")


def fetch_media(creds: ApiCredentials, accounts: list[str], landing: Path,
                policy: RetryPolicy = DEFAULT_POLICY) -> Path | None:
    writer = PageWriter(landing / "instagram", "media")
    try:
        with httpx.Client(timeout=30.0) as client:
            for account in accounts:
                url: str | None = f"{creds.base_url}/{account}/media"
                params: dict | None = {"fields": MEDIA_FIELDS, "limit": 25, "access_token": creds.token}
                while url:
                    page = get_page(client, url, params, policy)
                    if not isinstance(page.body.get("data"), list):
                        raise ConnectorError(f"{url}: expected a JSON object with a 'data' list")
                    shown = {k: v for k, v in (params or {}).items() if k != "access_token"}  # no secrets landed
                    writer.write({"endpoint": f"/{account}/media", "params": shown, "account": account}, page.body)
                    url, params = page.body.get("paging", {}).get("next"), None
    finally:
        landed = writer.close()
    return landed
