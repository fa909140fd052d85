"""The Issuance stats page in Chromium at 1,280x800 on the demo history: its charts carry their
numbers and the reps' names, nothing in the console, no filter value cut off, and a link to a
filtered view opens that view."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from bench.servers import free_port

from .conftest import ROOT, Dashboard

pytestmark = pytest.mark.browser

CHARTS_DRAWN = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
    return charts.length === 4 && charts.every(c => c.querySelectorAll('svg text').length > 0);
}"""
# Every text in the filter bar's date range and multiselects fits its box: no ellipsis, nothing
# scrolled out of an input.
CUT_OFF = """() => [...document.querySelectorAll(
        '[data-testid=stDateInput] *, [data-testid=stMultiSelect] *')]
    .filter(e => e.offsetParent !== null && (e.value || e.childElementCount === 0 && e.textContent))
    .filter(e => e.scrollWidth > e.clientWidth + 1)
    .map(e => e.value || e.textContent)"""


@pytest.fixture(scope="module")
def demo_dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard on the demo history, as ``running_dashboard`` starts it, given five minutes
    to answer: with the emulator, the worker and the demo to start, a busy 2-core machine takes
    longer than the minute ``running_dashboard`` waits."""
    folder = tmp_path_factory.mktemp("stats")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))}
    env |= {
        "DASHBOARD_DOTENV": "",
        "DASHBOARD_DATABASE_URL": f"sqlite:///{folder / 'issuance.db'}",
        "DASHBOARD_OPERATOR": "browser@portal.test",
        "DASHBOARD_DEMO_HISTORY": "1",
        "DASHBOARD_SIGN_IN": "off",
    }
    log = folder / "streamlit.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        yield Dashboard(url=url, database=folder / "issuance.db", log=log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def console(page: Page) -> list[str]:
    said: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        # Deep links' two 404s (host-config, health) are the shell's, fixed apart from this page.
        if message.type in ("error", "warning") and "404" not in message.text:
            said.append(f"{message.type}: {message.text}")

    page.on("console", heard)
    return said


def _chart_texts(page: Page, index: int) -> list[str]:
    return page.get_by_test_id("stVegaLiteChart").nth(index).locator("svg text").all_text_contents()


def test_the_stats_page_draws_its_numbers_and_names_without_a_warning(
    demo_dashboard: Dashboard, page: Page, console: list[str], shot
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{demo_dashboard.url}/issuance_stats")
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000, polling=100)
    expect(page.get_by_role("columnheader", name="Invitations issued")).to_be_visible()
    over_time, per_rep, organizations, status = (_chart_texts(page, n) for n in range(4))
    assert any(t.isdigit() for t in over_time)  # the totals on the bars
    assert {"Ana Silva", "Ben Okafor"} <= set(per_rep)  # names, not emails
    assert not any("@" in t for t in per_rep)
    assert sum(t.isdigit() for t in per_rep) >= 3  # each bar its count
    assert any(t.endswith((" min", " h", " days")) for t in per_rep)  # median times beside them
    assert any(t.isdigit() for t in organizations)
    slices = [t for t in status if t.isdigit()]
    assert slices and any("(" in t for t in status)  # each slice and legend entry with its count
    assert page.evaluate(CUT_OFF) == []
    shot(page)
    assert console == []


def test_a_link_to_a_filtered_view_opens_it_and_a_reload_keeps_it(
    demo_dashboard: Dashboard, page: Page, console: list[str]
) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{demo_dashboard.url}/issuance_stats?kind=invitation&kind=direct&split=feature")
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000, polling=100)
    kinds = page.get_by_test_id("stMultiSelect").filter(has_text="Kind")
    expect(kinds).to_contain_text("Invitation")
    expect(kinds).to_contain_text("Direct link")
    assert page.evaluate(CUT_OFF) == []
    page.get_by_test_id("stMultiSelect").filter(has_text="Feature").click()
    page.get_by_role("option", name="Directory sync").click()
    page.keyboard.press("Escape")
    page.wait_for_url("**feature=dir_sync**", timeout=30_000)
    page.reload()
    page.wait_for_function(CHARTS_DRAWN, timeout=120_000, polling=100)
    features = page.get_by_test_id("stMultiSelect").filter(has_text="Feature")
    expect(features).to_contain_text("Directory sync")
    assert "split=feature" in page.url and "kind=direct" in page.url
    assert console == []
