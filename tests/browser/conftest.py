"""Real Chromium (Debian's) driven by Playwright against `streamlit run` on a free port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("PORTAL_DESK_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; set PORTAL_DESK_CHROMIUM (.ci/run installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Without the background-networking flags Chromium keeps dialing Google on a closed network.
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@dataclass(frozen=True)
class Dashboard:
    url: str
    database: Path
    log: Path


@contextmanager
def running_dashboard(folder: Path, **extra_env: str) -> Iterator[Dashboard]:
    """`streamlit run server.py`: with no Scalekit credentials, on the emulator it starts beside
    itself (as `make run` does); ``extra_env`` may point it elsewhere or set anything else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))}
    env.update(
        DASHBOARD_DOTENV="",
        DASHBOARD_DATABASE_URL=f"sqlite:///{folder / 'issuance.db'}",
        DASHBOARD_OPERATOR="browser@portal.test",
        DASHBOARD_DEMO_HISTORY="0",  # the tests count rows
        DASHBOARD_SIGN_IN="off",  # DASHBOARD_OPERATOR acts; tests/browser/test_sign_in_browser.py signs in
    )
    env.update(extra_env)
    log = folder / "streamlit.log"
    # Not port 0: the server must know its address before it binds (sign-in's redirect and the
    # emulator's allowed frame origins). Streamlit binds before it starts anything, and exits
    # when a port set on its command line is taken, so a port lost to another process between
    # our choosing and its binding costs one more try, never a failed test.
    for _ in range(5):
        port = free_port()
        server = _start_streamlit(port, env, log)
        if _listening_or_refused(server, log) == "listening":
            break
    else:
        raise AssertionError(f"the dashboard found no free port in 5 tries:\n{log.read_text()}")
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + float(os.environ.get("PORTAL_DESK_START_S", "60"))  # busy machines
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield Dashboard(url=url, database=folder / "issuance.db", log=log)
    finally:
        server.terminate()
        server.wait(timeout=15)


def _start_streamlit(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _listening_or_refused(server: subprocess.Popen[bytes], log: Path) -> str:
    """Whether Streamlit bound its port ("URL: …" printed) or exited because it was taken."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text()
        if "is not available" in text and server.wait(timeout=15) is not None:
            return "refused"
        if "URL: http" in text:
            return "listening"
        assert server.poll() is None, text
        time.sleep(0.1)
    raise AssertionError(f"the dashboard printed no address within 60 s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    with running_dashboard(tmp_path_factory.mktemp("dashboard")) as running:
        yield running


@pytest.fixture
def shot(request: pytest.FixtureRequest):
    """Save a screenshot named after the test, to look at (test-artifacts/ is gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(page, suffix: str = "") -> Path:
        path = ARTIFACTS / f"{request.node.name}{suffix}.png"
        # Streamlit scrolls inside its main container, which full_page cannot see: grow the
        # viewport to the content for the picture, then put it back.
        size = page.viewport_size
        height = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
            " return m ? m.scrollHeight : document.body.scrollHeight; }"
        )
        page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 4000)})
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        return path

    return save
