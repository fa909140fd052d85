"""What the page benches share: Portal Desk served as ``make run`` serves it, on a free port, and
real Chromium to time it in."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_DESK_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard(settings: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run server.py`` with these settings on top of a clean environment (no
    credentials, no .env, sign-in off, no demo history); yields its URL once it answers."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCALEKIT_", "DASHBOARD_", "GRPC_", "REQUESTS_CA"))
    }
    env.update(
        {
            "DASHBOARD_DOTENV": "",
            "DASHBOARD_OPERATOR": "bench@portal.test",
            "DASHBOARD_SIGN_IN": "off",
            "DASHBOARD_DEMO_HISTORY": "0",
        }
        | settings  # the caller's settings win
    )
    with log.open("a") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the dashboard did not start; see {log}") from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
