"""The API connectors against a real local HTTP server started by the test (no patched client): Shopify Link-header
paging, incremental cursor, HTTP 429 with Retry-After, a 5xx burst and a malformed page; Instagram paging.next
and Graph rate-limit errors. The landed pages then load through ingest."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import duckdb
import pytest

from ingest.cli import load_with_results
from ingest.connectors.credentials import ApiCredentials
from ingest.connectors.http import ConnectorError, RetryPolicy
from ingest.connectors.instagram import fetch_media
from ingest.connectors.shopify import fetch_orders
from tests.conftest import PII_TEST_KEY

FAST = RetryPolicy(max_attempts=4, backoff_s=0.05, max_backoff_s=0.2)


def _order(i: int, updated: str) -> dict:
    return {"id": 5_600_000_000_000 + i, "name": f"#{3000 + i}", "created_at": "2026-05-10T10:00:00-04:00",
            "updated_at": updated, "currency": "USD", "financial_status": "paid", "subtotal_price": "20.00",
            "test": False, "email": f"c{i}@example.com", "discount_codes": [], "refunds": [],
            "line_items": [{"id": i, "quantity": 1, "price": "20.00"}]}


class FakeApi:
    """Serves scripted responses and records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict]] = []
        self.script: dict[str, list[tuple[int, dict[str, str], str]]] = {}  # page key -> queued responses
        self.orders = [_order(i, f"2026-05-{10 + i // 3:02d}T12:00:00-04:00") for i in range(9)]

    def shopify_page(self, query: dict) -> tuple[int, dict[str, str], str]:
        # Like Shopify, page_info is an opaque cursor carrying the first request's filter.
        page_info = query.get("page_info", [""])[0]
        page = int(page_info.split("|")[0] or 1)
        since = query.get("updated_at_min", [None])[0] or (page_info.split("|")[1] if "|" in page_info else "") or None
        orders = [o for o in self.orders
                  if since is None or datetime.fromisoformat(o["updated_at"]) >= datetime.fromisoformat(since)]
        chunk = orders[(page - 1) * 3: page * 3]
        headers = {"Content-Type": "application/json"}
        if page * 3 < len(orders):
            cursor = quote(f"{page + 1}|{since or ''}")
            headers["Link"] = f'<{self.base}/admin/api/2025-07/orders.json?limit=250&page_info={cursor}>; rel="next"'
        return 200, headers, json.dumps({"orders": chunk})

    def respond(self, path: str, query: dict) -> tuple[int, dict[str, str], str]:
        key = f"{path}?page_info={query.get('page_info', ['1'])[0].split('|')[0]}"
        queued = self.script.get(key) or self.script.get(path)
        if queued:
            return queued.pop(0)
        if path.endswith("/orders.json"):
            return self.shopify_page(query)
        if path.endswith("/media"):
            account = path.strip("/").split("/")[0]
            after = query.get("after", ["0"])[0]
            data = [{"id": f"{account}-{after}-{k}", "caption": "hello", "timestamp": "2026-05-01T12:00:00+0000",
                     "like_count": 10, "comments_count": 1} for k in range(2)]
            body = {"data": data, "paging": {}}
            if after == "0":
                body["paging"]["next"] = f"{self.base}/{account}/media?after=1&access_token=secret"
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        return 404, {}, "{}"


@pytest.fixture()
def api() -> Iterator[FakeApi]:
    fake = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            fake.requests.append((parsed.path, query))
            status, headers, body = fake.respond(parsed.path, query)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def test_shopify_pages_through_429_5xx_and_a_malformed_page_then_loads(api: FakeApi, tmp_path: Path) -> None:
    orders_path = "/admin/api/2025-07/orders.json"
    api.script[orders_path] = [(429, {"Retry-After": "1"}, "{}")]                      # rate limited once
    api.script[f"{orders_path}?page_info=2"] = [(503, {}, "{}"), (502, {}, "{}")]      # a 5xx burst
    api.script[f"{orders_path}?page_info=3"] = [(200, {"Content-Type": "application/json"}, '{"orders": [{"id"')]
    result = fetch_orders(ApiCredentials(api.base, "token"), tmp_path, FAST)
    assert (result.pages, result.orders) == (3, 9)
    assert [q.get("page_info", ["1"])[0].split("|")[0] for p, q in api.requests] == ["1", "1", "2", "2", "2", "3", "3"]
    assert api.requests[0][1]["order"] == ["updated_at asc"] and "updated_at_min" not in api.requests[0][1]
    assert not list((tmp_path / "shopify" / "orders_api").glob(".*.part")), "no half-written file left"
    # The landed pages are an ordinary ingest source.
    warehouse = tmp_path / "w.duckdb"
    [loaded] = load_with_results(["shopify_orders_api"], tmp_path, warehouse, PII_TEST_KEY)
    assert (loaded.rows_loaded, loaded.rows_quarantined) == (9, 0)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(distinct order_id) from raw.shopify_orders_api").fetchall()[0][0] == 9
    con.close()


def test_shopify_is_incremental_from_the_stored_cursor(api: FakeApi, tmp_path: Path) -> None:
    creds = ApiCredentials(api.base, "token")
    first = fetch_orders(creds, tmp_path, FAST)
    assert first.cursor.startswith("2026-05-12T16:00:00")  # newest updated_at, in UTC
    api.orders.append(_order(20, "2026-05-13T09:00:00-04:00"))
    api.requests.clear()
    second = fetch_orders(creds, tmp_path, FAST)
    assert api.requests[0][1]["updated_at_min"] == [first.cursor]
    assert second.orders == 4  # the boundary orders again (inclusive cursor) and the new one
    assert second.cursor.startswith("2026-05-13T13:00:00")


def test_a_page_that_stays_broken_fails_naming_it_and_keeps_what_landed(api: FakeApi, tmp_path: Path) -> None:
    api.script["/admin/api/2025-07/orders.json?page_info=2"] = [(500, {}, "{}")] * 10
    with pytest.raises(ConnectorError, match=r"orders.json.*HTTP 500 after 4 attempts"):
        fetch_orders(ApiCredentials(api.base, "token"), tmp_path, FAST)
    landed = list((tmp_path / "shopify" / "orders_api").glob("orders-*.jsonl"))
    assert len(landed) == 1 and len(landed[0].read_text().splitlines()) == 1  # page 1 kept
    cursor = json.loads((tmp_path / "shopify" / "orders_api" / ".cursor.json").read_text())["updated_at_min"]
    assert cursor.startswith("2026-05-10T16:00:00")  # only as far as the landed page


def test_instagram_follows_paging_next_and_retries_graph_rate_limits(api: FakeApi, tmp_path: Path) -> None:
    limit = json.dumps({"error": {"message": "Application request limit reached", "code": 4}})
    api.script["/1784/media"] = [(400, {"Content-Type": "application/json"}, limit)]
    landed = fetch_media(ApiCredentials(api.base, "secret"), ["1784", "1785"], tmp_path, FAST)
    pages = [json.loads(line) for line in landed.read_text().splitlines()]
    assert len(pages) == 4 and {p["request"]["account"] for p in pages} == {"1784", "1785"}
    assert "secret" not in landed.read_text(), "the token is never landed"
    assert "access_token=REDACTED" in landed.read_text()
    [loaded] = load_with_results(["instagram_media"], tmp_path, tmp_path / "w.duckdb", PII_TEST_KEY)
    assert loaded.rows_loaded == 8
