"""The relay as a live deployment runs it: ``python -m dashboard.relay`` in its own process, with
SCALEKIT_* pointing at the emulator (no control token: a relay never needs one)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from scalekit_emulator import Emulator

from .ports import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RelayProcess:
    url: str
    output: str = field(default="")  # everything it printed (its access log), once it has stopped


@contextmanager
def standalone_relay(emulator: Emulator, database_url: str) -> Iterator[RelayProcess]:
    """Yields once its /healthz answers; stops it after, keeping what it printed."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DASHBOARD_DOTENV": "",
        "DASHBOARD_DATABASE_URL": database_url,
        "DASHBOARD_RELAY_HOST": "127.0.0.1",
        "DASHBOARD_RELAY_PORT": str(port),
        **{k: v for k, v in emulator.env_vars().items() if k.startswith(("SCALEKIT_", "REQUESTS_", "GRPC_"))},
    }
    env.pop("SCALEKIT_EMULATOR_CONTROL_TOKEN")
    process = subprocess.Popen([sys.executable, "-m", "dashboard.relay"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    relay = RelayProcess(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                requests.get(f"{relay.url}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the relay did not answer within 30 s"
                time.sleep(0.1)
        yield relay
    finally:
        process.terminate()
        relay.output, _ = process.communicate(timeout=10)
