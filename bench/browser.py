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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_DESK_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without credentials, .env, sign-in or demo history, with
    ``settings`` on top (the caller's settings win)."""
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
        | settings
    )
    return env


@dataclass
class Server:
    """``streamlit run`` of one script in its own process; ``url`` answers once started."""

    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(
    script: str, env: dict[str, str], log: Path, args: tuple[str, ...] = (), options: tuple[str, ...] = ()
) -> Server:
    """Start ``streamlit run script -- args`` on a free port and return once it answers;
    ``options``: Streamlit's own, as ``section.name=value``."""
    port = free_port()
    with log.open("a") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false",
             *(f"--{option}" for option in options), *(("--", *args) if args else ())],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"{script} did not start; see {log}") from None
            time.sleep(0.05)


@contextmanager
def dashboard(settings: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run server.py`` with these settings on top of a clean environment (no
    credentials, no .env, sign-in off, no demo history); yields its URL once it answers."""
    server = serve("server.py", clean_environment(settings), log)
    try:
        yield server.url
    finally:
        server.stop()
