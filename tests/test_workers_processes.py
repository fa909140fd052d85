"""Two worker processes on one PostgreSQL history, against one emulator: one sweep per interval,
counted at the emulator; when the sweeping worker is killed outright, the other takes over."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dashboard.history import History
from scalekit_emulator import Emulator

ROOT = Path(__file__).resolve().parent.parent
LISTING_S, LEASE_S = 2.0, 4.0


@contextmanager
def workers(
    emulator: Emulator, database_url: str, folder: Path, count: int
) -> Iterator[list[subprocess.Popen]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))}
    env.update(emulator.env_vars())
    env.update(
        DASHBOARD_DOTENV="",
        DASHBOARD_DATABASE_URL=database_url,
        # Fast, for the test: a listing every 2 s, a lease that runs out 4 s after its last renewal.
        DASHBOARD_WORKER_LISTING_S=str(LISTING_S),
        DASHBOARD_WORKER_LEASE_S=str(LEASE_S),
        DASHBOARD_WORKER_HOLD_S="1",
        DASHBOARD_WORKER_ROUND_S="3600",
        DASHBOARD_WORKER_WATCH_S="3600",
    )
    started = []
    for n in range(count):
        log = (folder / f"worker-{n}.log").open("w")
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "dashboard.worker"], cwd=ROOT, env=env, stdout=log, stderr=log
            )
        )
    try:
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)


def _wait(condition, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.2)


def test_two_workers_on_one_postgresql_sweep_once_and_one_takes_over(
    emulator: Emulator, postgres_url: str, tmp_path: Path
) -> None:
    history = History(postgres_url)
    host = emulator.env_url.removeprefix("https://")
    pages = math.ceil(emulator.backends.organizations.count / 100)  # ListOrganization's pages per listing
    try:
        with workers(emulator, postgres_url, tmp_path, 2) as (first, second):
            _wait(lambda: (state := history.sweepers.state(host)) is not None and state.listed_at is not None)
            emulator.control.reset_calls()
            began = time.monotonic()
            time.sleep(8 * LISTING_S)
            elapsed = time.monotonic() - began
            listings = emulator.control.calls().get("ListOrganization", 0) / pages
            # One worker listing every 2 s makes at most elapsed/2 + 1 listings; two would make twice that.
            assert 1 <= listings <= elapsed / LISTING_S + 1, listings
            holder = history.sweepers.state(host).holder  # type: ignore[union-attr]
            sweeping, standing = (
                (first, second) if holder.split(":")[1] == str(first.pid) else (second, first)
            )
            assert holder.split(":")[1] == str(sweeping.pid)
            sweeping.send_signal(signal.SIGKILL)  # dies without handing over
            sweeping.wait(timeout=10)
            # Taken over within the 60 s (the lease itself runs out 4 s after its last renewal).
            _wait(lambda: history.sweepers.state(host).holder.split(":")[1] == str(standing.pid))  # type: ignore[union-attr]
            emulator.control.reset_calls()
            time.sleep(3 * LISTING_S)
            assert emulator.control.calls().get("ListOrganization", 0) >= pages  # it lists now
            assert standing.poll() is None
    finally:
        history.close()
