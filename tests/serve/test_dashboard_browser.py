"""The dashboard as a user sees it: `streamlit run` (the launcher's own command) on a free localhost port, driven by
Debian's headless Chromium through Playwright. Every page loads without an error element, the headline numbers equal
the marts, a filter changes what is shown, a publish while the dashboard is open is picked up on reload, and a
screenshot of each page is saved under tests/artifacts/dashboard/ (gitignored) for a human to look at."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from pipeline.publish import publish
from serve.creator_names import label_shared_names
from serve.dashboard import launcher
from tests.serve.conftest import Published, copy_serving

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
# Each page's path and an element that appears only once the page has finished drawing.
PAGES = {
    "overview": ("", '[data-testid="stVegaLiteChart"]'),
    "leaderboard": ("leaderboard", "text=/\\d+ creators match/"),
    "creator": ("creator", "text=Weekly revenue"),
    "campaigns": ("campaigns", '[data-testid="stVegaLiteChart"]'),
    "budget": ("budget", '[data-testid="stDataFrame"]'),
    "rates": ("rates", "text=Long-term partners"),
    "customer_value": ("customer_value", '[data-testid="stDataFrame"]'),
    "seeding": ("seeding", "text=Gifted creators"),
    "content": ("content", "text=Organic winners to repurpose as ads"),
    "status": ("status", "text=Data Docs"),
}


@dataclass(frozen=True)
class Server:
    url: str
    serving_dir: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the dashboard exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the dashboard did not answer {url}/_stcore/health within 60 s:\n{log.read_text()}")


@pytest.fixture
def server(published: Published, tmp_path: Path) -> Iterator[Server]:
    serving = copy_serving(published, tmp_path / "serving")
    port, log = _free_port(), tmp_path / "streamlit.log"
    env = {**launcher.environment(serving), "PIPELINE_QUALITY_DIR": str(published.quality_dir)}
    with log.open("w") as out:
        process = subprocess.Popen(launcher.command(port), env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, log)
        yield Server(url, serving)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("the dashboard did not stop within 15 s of SIGTERM")
    assert process.returncode == 0, log.read_text()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run `apt-get install chromium` (Debian's package; "
                    "Playwright drives it, no browser download needed)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    page = browser.new_page(viewport={"width": 1400, "height": 1600})
    yield page
    page.close()


def _open(page: Page, server: Server, name: str) -> None:
    path, ready = PAGES[name]
    page.goto(f"{server.url}/{path}")
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_timeout(500)  # charts finish drawing after their element appears
    assert page.locator('[data-testid="stException"]').count() == 0, page.inner_text("body")


def _screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def _metrics(page: Page) -> dict[str, str]:
    metrics = page.get_by_test_id("stMetric")
    return {metrics.nth(i).get_by_test_id("stMetricLabel").inner_text().strip():
            metrics.nth(i).get_by_test_id("stMetricValue").inner_text().strip() for i in range(metrics.count())}


def _sql(serving_dir: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(serving_dir / "current" / "marts.duckdb"), read_only=True)
    label_shared_names(con)  # as the dashboard reads the marts: a name two creators share carries the creator id
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_page_loads_without_an_error_and_is_screenshotted(server: Server, page: Page) -> None:
    for name in PAGES:
        _open(page, server, name)
        assert page.locator("h1").first.inner_text().strip(), name
        _screenshot(page, name)
    assert {p.stem for p in ARTIFACTS.glob("*.png")} >= set(PAGES)


def test_headline_numbers_equal_the_marts(server: Server, page: Page) -> None:
    cost, revenue, orders = _sql(server.serving_dir, "select sum(creator_cost), sum(net_revenue), sum(orders) "
                                                     "from creator_roi")[0]
    _open(page, server, "overview")
    metrics = _metrics(page)
    assert metrics["Spend (USD)"] == f"{float(cost):,.0f}"
    assert metrics["Net revenue (USD)"] == f"{float(revenue):,.0f}"
    assert metrics["ROI"] == f"{float((revenue - cost) / cost) * 100:,.1f}%"
    assert metrics["ROAS"] == f"{float(revenue / cost):,.2f}×"
    assert metrics["Attributed orders"] == f"{int(orders):,}"


def test_a_filter_changes_the_leaderboard(server: Server, page: Page) -> None:
    everyone, rejected = _sql(server.serving_dir, """
        select count(*), count(*) filter (where rejected) from (
            select creator_id, bool_or(verdict = 'reject') as rejected from creator_vetting group by creator_id
            union all select distinct creator_id, false from creator_roi
            where creator_id not in (select creator_id from creator_vetting))""")[0]
    assert 0 < rejected < everyone
    _open(page, server, "leaderboard")
    page.get_by_text(f"{everyone} creators match").wait_for()
    page.get_by_test_id("stSelectbox").filter(has_text="Verdict").click()
    page.get_by_role("option", name="reject", exact=True).click()
    page.get_by_text(f"{rejected} creators match").wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    _screenshot(page, "leaderboard_rejected")


def test_a_publish_while_the_dashboard_is_open_is_shown_on_reload(server: Server, page: Page,
                                                                  published: Published) -> None:
    """Publishes switch `current` while the browser keeps reloading pages: no page breaks, and the status page
    then shows the newest version."""
    _open(page, server, "status")
    before = _metrics(page)["Serving version"]
    errors: list[BaseException] = []

    def publish_three_times() -> None:
        try:
            for _ in range(3):
                publish(published.warehouse, server.serving_dir)
        except BaseException as exc:  # reported by the test thread below
            errors.append(exc)

    publisher = threading.Thread(target=publish_three_times)
    publisher.start()
    while publisher.is_alive():
        _open(page, server, "overview")
    publisher.join()
    assert errors == []
    newest = (server.serving_dir / "current").resolve().name
    assert newest != before
    _open(page, server, "status")
    assert _metrics(page)["Serving version"] == newest


def test_the_launcher_becomes_streamlit_and_stops_on_ctrl_c(published: Published, tmp_path: Path) -> None:
    """`pipeline dashboard` runs serve.dashboard.launcher.main: Streamlit replaces the process (same PID), so the
    SIGINT of Ctrl-C reaches it directly and it exits cleanly."""
    port, log = _free_port(), tmp_path / "launcher.log"
    code = (f"from pathlib import Path; from serve.dashboard.launcher import main; "
            f"main({port}, Path({str(published.serving_dir)!r}))")
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-c", code], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", process, log)
        assert "streamlit" in Path(f"/proc/{process.pid}/cmdline").read_text()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
