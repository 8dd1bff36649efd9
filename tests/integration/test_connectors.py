"""The API connectors against a real local HTTP server started by the test (no patched client): Shopify Link-header
paging, incremental cursor, HTTP 429 with Retry-After (seconds or an HTTP date), a 5xx burst and a malformed page;
Instagram paging.next and Graph rate-limit errors; Instagram stories with their insights (too few viewers, an API
version that only knows the old metric names, a server that fails). The landed pages then load through ingest."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import duckdb
import pytest

from ingest.connectors import fetch_configured
from ingest.connectors.credentials import ApiCredentials
from ingest.connectors.http import ConnectorError, RetryPolicy
from ingest.connectors.instagram import LEGACY_STORY_METRICS, STORY_METRICS, fetch_media, fetch_stories
from ingest.connectors.shopify import fetch_orders
from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

FAST = RetryPolicy(max_attempts=4, backoff_s=0.05, max_backoff_s=0.2)
# Realistic tokens (redaction leaves values shorter than 8 characters alone: they are words, not tokens).
SHOPIFY_TOKEN = "shpat_" + "5ec2e7a9" * 4
GRAPH_TOKEN = "EAAGm0PX4ZCpsBA" + "KZCw1ZAx" * 8


def _order(i: int, updated: str) -> dict:
    return {"id": 5_600_000_000_000 + i, "name": f"#{3000 + i}", "created_at": "2026-05-10T10:00:00-04:00",
            "updated_at": updated, "currency": "USD", "financial_status": "paid", "subtotal_price": "20.00",
            "test": False, "email": f"c{i}@example.com", "discount_codes": [], "refunds": [],
            "line_items": [{"id": i, "quantity": 1, "price": "20.00"}]}


class FakeApi:
    """Serves scripted responses and records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[float, str, dict]] = []  # (monotonic time, path, query)
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
            if after == "0":  # Graph echoes the caller's token in its paging links
                token = query.get("access_token", [""])[0]
                body["paging"]["next"] = f"{self.base}/{account}/media?after=1&access_token={token}"
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        if path.endswith("/stories"):  # two pages of two live stories per account
            account = path.strip("/").split("/")[0]
            after = query.get("after", ["0"])[0]
            data = [{"id": f"{account}{after}{k}", "media_type": "IMAGE", "media_product_type": "STORY",
                     "timestamp": "2026-05-01T12:00:00+0000"} for k in range(2)]
            body = {"data": data, "paging": {}}
            if after == "0":
                token = query.get("access_token", [""])[0]
                body["paging"]["next"] = f"{self.base}/{account}/stories?after=1&access_token={token}"
            return 200, {"Content-Type": "application/json"}, json.dumps(body)
        if path.endswith("/insights"):
            media = path.strip("/").split("/")[0]
            data = [{"name": name, "period": "lifetime", "values": [{"value": 40}],
                     "id": f"{media}/insights/{name}/lifetime"} for name in query["metric"][0].split(",")]
            return 200, {"Content-Type": "application/json"}, json.dumps({"data": data})
        return 404, {}, "{}"


@contextmanager
def serving_fake_api() -> Iterator[FakeApi]:
    """A FakeApi behind a real HTTP server on a free local port (``fake.base``)."""
    fake = FakeApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            parsed = urlparse(self.path)
            query = parse_qs(parsed.query)
            fake.requests.append((time.monotonic(), parsed.path, query))
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
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def api() -> Iterator[FakeApi]:
    with serving_fake_api() as fake:
        yield fake


def test_shopify_pages_through_429_5xx_and_a_malformed_page_then_loads(api: FakeApi, tmp_path: Path) -> None:
    orders_path = "/admin/api/2025-07/orders.json"
    api.script[orders_path] = [(429, {"Retry-After": "1"}, "{}")]                      # rate limited once
    api.script[f"{orders_path}?page_info=2"] = [(503, {}, "{}"), (502, {}, "{}")]      # a 5xx burst
    api.script[f"{orders_path}?page_info=3"] = [(200, {"Content-Type": "application/json"}, '{"orders": [{"id"')]
    result = fetch_orders(ApiCredentials(api.base, SHOPIFY_TOKEN), tmp_path, FAST)
    assert (result.pages, result.orders) == (3, 9)
    pages_asked = [q.get("page_info", ["1"])[0].split("|")[0] for _, _, q in api.requests]
    assert pages_asked == ["1", "1", "2", "2", "2", "3", "3"]
    assert api.requests[0][2]["order"] == ["updated_at asc"] and "updated_at_min" not in api.requests[0][2]
    assert not list((tmp_path / "shopify" / "orders_api").glob(".*.part")), "no half-written file left"
    # The landed pages are an ordinary ingest source.
    warehouse = tmp_path / "w.duckdb"
    [loaded] = load_with_results(["shopify_orders_api"], tmp_path, warehouse, PII_TEST_KEY)
    assert (loaded.rows_loaded, loaded.rows_quarantined) == (9, 0)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(distinct order_id) from raw.shopify_orders_api").fetchall()[0][0] == 9
    con.close()


def test_shopify_is_incremental_from_the_stored_cursor(api: FakeApi, tmp_path: Path) -> None:
    creds = ApiCredentials(api.base, SHOPIFY_TOKEN)
    first = fetch_orders(creds, tmp_path, FAST)
    assert first.cursor.startswith("2026-05-12T16:00:00")  # newest updated_at, in UTC
    api.orders.append(_order(20, "2026-05-13T09:00:00-04:00"))
    api.requests.clear()
    second = fetch_orders(creds, tmp_path, FAST)
    assert api.requests[0][2]["updated_at_min"] == [first.cursor]
    assert second.orders == 4  # the boundary orders again (inclusive cursor) and the new one
    assert second.cursor.startswith("2026-05-13T13:00:00")


def test_a_page_that_stays_broken_fails_naming_it_and_keeps_what_landed(api: FakeApi, tmp_path: Path) -> None:
    api.script["/admin/api/2025-07/orders.json?page_info=2"] = [(500, {}, "{}")] * 10
    with pytest.raises(ConnectorError, match=r"orders.json\?.*page_info=2.*HTTP 500 after 4 attempts.*re-run"):
        fetch_orders(ApiCredentials(api.base, SHOPIFY_TOKEN), tmp_path, FAST)
    landed = list((tmp_path / "shopify" / "orders_api").glob("orders-*.jsonl"))
    assert len(landed) == 1 and len(landed[0].read_text().splitlines()) == 1  # page 1 kept
    cursor = json.loads((tmp_path / "shopify" / "orders_api" / ".cursor.json").read_text())["updated_at_min"]
    assert cursor.startswith("2026-05-10T16:00:00")  # only as far as the landed page


def test_instagram_follows_paging_next_and_retries_graph_rate_limits(api: FakeApi, tmp_path: Path) -> None:
    limit = json.dumps({"error": {"message": "Application request limit reached", "code": 4}})
    api.script["/1784/media"] = [(400, {"Content-Type": "application/json"}, limit)]
    landed = fetch_media(ApiCredentials(api.base, GRAPH_TOKEN), ["1784", "1785"], tmp_path, FAST)
    pages = [json.loads(line) for line in landed.read_text().splitlines()]
    assert len(pages) == 4 and {p["request"]["account"] for p in pages} == {"1784", "1785"}
    assert GRAPH_TOKEN not in landed.read_text(), "the token is never landed"
    assert "access_token=REDACTED" in landed.read_text()
    [loaded] = load_with_results(["instagram_media"], tmp_path, tmp_path / "w.duckdb", PII_TEST_KEY)
    assert loaded.rows_loaded == 8


def _graph_error(code: int, message: str) -> tuple[int, dict[str, str], str]:
    return 400, {"Content-Type": "application/json"}, json.dumps({"error": {"message": message, "code": code}})


def test_instagram_stories_page_land_their_insights_and_load_with_lineage(api: FakeApi, tmp_path: Path) -> None:
    api.script["/1784/stories"] = [_graph_error(4, "Application request limit reached")]  # retried
    api.script["/178401/insights"] = [_graph_error(10, "(#10) Not enough viewers for the media to show insights")]
    landed = fetch_stories(ApiCredentials(api.base, GRAPH_TOKEN), ["1784", "1785"], tmp_path, FAST)
    assert sorted(p.name.split("-")[0] for p in landed) == ["media_insights_stories", "stories"]
    text = "".join(p.read_text() for p in landed)
    assert GRAPH_TOKEN not in text and "access_token=REDACTED" in text, "the token is never landed"
    asked = [q["metric"][0] for _, path, q in api.requests if path.endswith("/insights")]
    assert len(asked) == 8 and set(asked) == {STORY_METRICS}, "every live story's insights, current names"

    warehouse = tmp_path / "w.duckdb"
    loaded = load_with_results(["instagram_stories", "instagram_media_insights"], tmp_path, warehouse, PII_TEST_KEY)
    assert {r.source: (r.rows_loaded, r.rows_quarantined) for r in loaded} == {
        "instagram_stories": (8, 0), "instagram_media_insights": (7 * 8, 0)}  # the small story has no insights
    con = duckdb.connect(str(warehouse), read_only=True)
    stories = con.execute("select media_id, account_id, _source_file, _source_row from raw.instagram_stories "
                          "order by media_id").fetchall()
    assert [s[:2] for s in stories] == [(f"{a}{p}{k}", a) for a in ("1784", "1785") for p in "01" for k in "01"]
    assert all(s[2].endswith(landed[0].name) or s[2].endswith(landed[1].name) for s in stories)
    small = con.execute("select count(*) from raw.instagram_media_insights where media_id = '178401'").fetchone()
    assert small == (0,), "too few viewers is no insight, not zeros"
    con.close()
    # Idempotent: loading the same landing folder again loads nothing new.
    again = load_with_results(["instagram_stories", "instagram_media_insights"], tmp_path, warehouse, PII_TEST_KEY)
    assert sum(r.rows_loaded for r in again) == 0


def test_instagram_stories_fall_back_to_the_old_metric_names_once(api: FakeApi, tmp_path: Path) -> None:
    api.script["/178400/insights"] = [_graph_error(100, "(#100) metric[1] must be one of the following values: "
                                                        "impressions, reach, replies, exits, taps_forward, taps_back")]
    fetch_stories(ApiCredentials(api.base, GRAPH_TOKEN), ["1784"], tmp_path, FAST)
    asked = [q["metric"][0] for _, path, q in api.requests if path.endswith("/insights")]
    assert asked == [STORY_METRICS] + [LEGACY_STORY_METRICS] * 4, "refused once, then the old names for the rest"
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["instagram_media_insights"], tmp_path, warehouse, PII_TEST_KEY)
    con = duckdb.connect(str(warehouse), read_only=True)
    names = {r[0] for r in con.execute("select distinct metric_name from raw.instagram_media_insights").fetchall()}
    con.close()
    assert names == set(LEGACY_STORY_METRICS.split(","))  # staging renames impressions to views (the seed)


def test_a_story_insights_permission_refusal_fails_rather_than_landing_nothing(api: FakeApi, tmp_path: Path) -> None:
    """Graph's #10 is "too few viewers" for a small story but also its "permission denied": a token without the
    insights permission must stop the fetch saying what to check, not read as every story having too few viewers."""
    api.script["/178400/insights"] = [(403, {"Content-Type": "application/json"}, json.dumps({"error": {
        "message": "(#10) Application does not have permission for this action", "code": 10}}))]
    with pytest.raises(ConnectorError, match=r"/178400/insights.*HTTP 403.*permission.*check the access token"):
        fetch_stories(ApiCredentials(api.base, GRAPH_TOKEN), ["1784"], tmp_path, FAST)


def test_a_failing_stories_server_fails_naming_the_url_keeps_what_landed_and_hides_the_token(
        api: FakeApi, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.script["/1785/stories"] = [(500, {}, f'{{"error": "backend down for {GRAPH_TOKEN}"}}')] * 10
    with pytest.raises(ConnectorError, match=r"/1785/stories: HTTP 500 after 4 attempts.*landed.*"
                                             r"re-run the fetch later") as failed:
        fetch_stories(ApiCredentials(api.base, GRAPH_TOKEN), ["1784", "1785"], tmp_path, FAST)
    assert GRAPH_TOKEN not in str(failed.value) and GRAPH_TOKEN not in caplog.text
    stories = list((tmp_path / "instagram").glob("stories-*.jsonl"))
    insights = list((tmp_path / "instagram").glob("media_insights_stories-*.jsonl"))
    assert len(stories) == 1 and len(stories[0].read_text().splitlines()) == 2, "the first account's two pages kept"
    assert len(insights[0].read_text().splitlines()) == 4
    assert not list((tmp_path / "instagram").glob(".*.part")), "no half-written file left"
    # The rest comes with the next fetch: the same stories again are one story each downstream (newest fetch wins).
    api.script.clear()
    fetch_stories(ApiCredentials(api.base, GRAPH_TOKEN), ["1784", "1785"], tmp_path, FAST)
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["instagram_stories"], tmp_path, warehouse, PII_TEST_KEY)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.execute("select count(*), count(distinct media_id) from raw.instagram_stories").fetchone() == (12, 8)
    con.close()


def test_the_social_fetch_lands_media_and_stories_of_every_creator_account(
        api: FakeApi, sample_landing: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `ingest fetch instagram` and the hourly ingest_apis task run: the creators template's Instagram accounts,
    their media, then their live stories with insights."""
    warehouse = tmp_path / "w.duckdb"
    load_with_results(["creators"], sample_landing, warehouse, PII_TEST_KEY)
    monkeypatch.setenv("INSTAGRAM_GRAPH_URL", api.base)
    monkeypatch.setenv("INSTAGRAM_ACCESS_TOKEN", GRAPH_TOKEN)
    landed = fetch_configured("social", tmp_path / "landing", warehouse)
    assert sorted(p.name.split("-")[0] for p in landed) == ["media", "media_insights_stories", "stories"]
    con = duckdb.connect(str(warehouse), read_only=True)
    accounts = {a for (a,) in con.execute("select instagram_user_id from raw.creators "
                                          "where instagram_user_id is not null").fetchall()}
    con.close()
    asked = {path.strip("/").split("/")[0] for _, path, _ in api.requests if path.endswith("/stories")}
    assert accounts and asked == accounts


def test_retry_after_as_an_http_date_is_honoured_and_capped(api: FakeApi, tmp_path: Path) -> None:
    orders_path = "/admin/api/2025-07/orders.json"
    # Whole seconds: 3-4 s ahead when written, still >= 2 s ahead at the first request unless the machine stalls
    # for a second or more; the fixed back-off of this policy is 0.05-0.2 s, so waiting >= 1.5 s means the date
    # was honoured.
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=4), usegmt=True)
    api.script[orders_path] = [(429, {"Retry-After": soon}, "{}")]
    fetch_orders(ApiCredentials(api.base, SHOPIFY_TOKEN), tmp_path, FAST)
    waited = api.requests[1][0] - api.requests[0][0]
    assert 1.5 <= waited < 5, f"waited {waited:.2f}s for a Retry-After date ~4 s ahead"

    # A date an hour ahead is capped at max_retry_after_s, not slept for an hour.
    api.requests.clear()
    api.script[orders_path] = [(429, {"Retry-After": format_datetime(datetime.now(UTC) + timedelta(hours=1),
                                                                      usegmt=True)}, "{}")]
    fetch_orders(ApiCredentials(api.base, SHOPIFY_TOKEN), tmp_path / "capped", RetryPolicy(max_retry_after_s=0.3))
    waited = api.requests[1][0] - api.requests[0][0]
    assert 0.25 <= waited < 1.5, f"waited {waited:.2f}s; the cap is 0.3 s"


def test_ingest_fetch_uses_a_connection_made_with_pipeline_airflow(api: FakeApi, tmp_path: Path) -> None:
    """README: credentials are env vars or an Airflow connection. Outside a task, Airflow's task SDK reads only
    AIRFLOW_CONN_* variables, not the metadata DB where `airflow connections add` keeps a connection: `ingest fetch`
    found none. Both commands here run as a user types them, in one AIRFLOW_HOME."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHOPIFY_", "AIRFLOW_CONN_", "AIRFLOW__DATABASE__"))}
    env |= {"AIRFLOW_HOME": str(tmp_path / "airflow"), "PIPELINE_DATA_DIR": str(tmp_path / "data")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", *args], env=env, capture_output=True, text=True, timeout=300)

    # No `db migrate` first: on a new AIRFLOW_HOME `connections add` said "Database migration required".
    added = run("pipeline.cli", "airflow", "connections", "add", "shopify_default", "--conn-type", "http",
                "--conn-host", api.base, "--conn-password", SHOPIFY_TOKEN)
    assert added.returncode == 0, added.stderr
    fetched = run("ingest.cli", "fetch", "shopify", "--landing", str(tmp_path / "landing"))
    assert fetched.returncode == 0, fetched.stderr[-2000:]
    [landed] = (tmp_path / "landing" / "shopify" / "orders_api").glob("orders-*")
    pages = [json.loads(line) for line in landed.read_text().splitlines()]
    assert str(landed) in fetched.stdout and sum(len(page["response"]["orders"]) for page in pages) == 9
    assert SHOPIFY_TOKEN not in fetched.stdout + fetched.stderr
