"""The relay as a live deployment runs it: ``python -m dashboard.relay`` in its own process, with
SCALEKIT_* pointing at the emulator (no control token: a relay never needs one)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from scalekit_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RelayProcess:
    url: str
    output: str = field(default="")  # everything it printed (its access log), once it has stopped


@contextmanager
def standalone_relay(emulator: Emulator, database_url: str) -> Iterator[RelayProcess]:
    """Yields once its /healthz answers; stops it after, keeping what it printed."""
    folder = Path(tempfile.mkdtemp(prefix="portal-desk-relay-"))
    url_file = folder / "url"
    env = {
        "PATH": "/usr/bin:/bin",
        "DASHBOARD_DOTENV": "",
        "DASHBOARD_DATABASE_URL": database_url,
        "DASHBOARD_RELAY_HOST": "127.0.0.1",
        **{k: v for k, v in emulator.env_vars().items() if k.startswith(("SCALEKIT_", "REQUESTS_", "GRPC_"))},
    }
    env.pop("SCALEKIT_EMULATOR_CONTROL_TOKEN")
    # Port 0: the relay binds any free port itself and writes its address, so no other process
    # can take the port between our choosing it and its binding it.
    command = [sys.executable, "-m", "dashboard.relay", "--port", "0", "--url-file", str(url_file)]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    relay = RelayProcess("")
    try:
        deadline = time.monotonic() + 90  # its imports alone took 27 s on a loaded 2-core box
        while True:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            try:
                relay.url = relay.url or url_file.read_text().strip()
                requests.get(f"{relay.url}/healthz", timeout=1)
                break
            except (FileNotFoundError, requests.ConnectionError) as error:
                if time.monotonic() > deadline:
                    process.kill()
                    output = process.communicate()[0]
                    raise AssertionError(f"the relay did not answer within 90 s: {output}") from error
                time.sleep(0.1)
        yield relay
    finally:
        process.terminate()
        relay.output, _ = process.communicate(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
