"""Shopify Admin REST orders: cursor pagination through the Link header, incremental by ``updated_at_min`` with a
cursor stored beside the landed files, pages landed as JSON lines for the ``shopify_orders_api`` source.

Orders are requested in ascending ``updated_at``, so after a failed run the cursor can safely advance to the
newest order already landed; ``updated_at_min`` is inclusive, and the re-fetched boundary orders are re-deliveries
that the newest-version rule resolves downstream.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from ingest.connectors.credentials import ApiCredentials, resolve
from ingest.connectors.http import DEFAULT_POLICY, ConnectorError, RetryPolicy, get_page
from ingest.connectors.landing import PageWriter, read_state, write_state

log = logging.getLogger(__name__)

API_VERSION = "2025-07"
NEXT_LINK = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass(frozen=True)
class FetchResult:
    file: Path | None
    pages: int
    orders: int
    cursor: str | None


def credentials() -> ApiCredentials:
    return resolve("SHOPIFY_SHOP_URL", "SHOPIFY_ACCESS_TOKEN", "shopify_default")


def _utc(timestamp: str) -> datetime:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)


def fetch_orders(creds: ApiCredentials, landing: Path, policy: RetryPolicy = DEFAULT_POLICY) -> FetchResult:
    folder = landing / "shopify" / "orders_api"
    state_path = folder / ".cursor.json"
    cursor = read_state(state_path).get("updated_at_min")
    endpoint = f"/admin/api/{API_VERSION}/orders.json"
    url: str | None = creds.base_url + endpoint
    params: dict | None = {"status": "any", "limit": 250, "order": "updated_at asc"}
    if cursor:
        params["updated_at_min"] = cursor
    writer = PageWriter(folder, "orders")
    newest = _utc(cursor) if cursor else None
    orders_seen = 0
    headers = {"X-Shopify-Access-Token": creds.token, "Accept": "application/json"}
    try:
        with httpx.Client(headers=headers, timeout=30.0) as client:
            while url:
                page = get_page(client, url, params, policy)
                orders = page.body.get("orders")
                if not isinstance(orders, list):
                    raise ConnectorError(f"{page.url}: expected a JSON object with an 'orders' list")
                link = page.headers.get("link", "")
                writer.write({"endpoint": endpoint, "params": params or {"url": url}}, page.body, {"Link": link})
                orders_seen += len(orders)
                for order in orders:
                    if order.get("updated_at"):
                        newest = max(filter(None, (newest, _utc(order["updated_at"]))))
                match = NEXT_LINK.search(link)
                url, params = (match.group(1), None) if match else (None, None)
                log.info("shopify orders: %d pages, %d orders so far", writer.pages, orders_seen)
    finally:
        landed = writer.close()
        if landed and newest is not None:
            write_state(state_path, {"updated_at_min": newest.isoformat()})
    return FetchResult(landed, writer.pages, orders_seen, newest.isoformat() if newest else cursor)
