"""How fast the Organizations page gets its data, against the raw SDK as the floor.

    python -m bench.organizations --orgs 10000

Prints one table: each step's time and its ratio to the floor (raw SDK paging of every org).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dotenv import dotenv_values
from scalekit import ScalekitClient

from dashboard.config import Settings, trust_ca_bundle
from dashboard.gateway import ScalekitGateway
from dashboard.onboarding import StatusBoard
from scalekit_emulator import Emulator
from scalekit_emulator.tls import process_ca

ROOT = Path(__file__).resolve().parent.parent


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def raw_sdk_paging(env: dict[str, str]) -> int:
    client = ScalekitClient(
        env["SCALEKIT_ENVIRONMENT_URL"], env["SCALEKIT_CLIENT_ID"], env["SCALEKIT_CLIENT_SECRET"]
    )
    count, token = 0, None
    while True:
        response, _ = client.organization.list_organizations(page_size=100, page_token=token)
        count += len(response.organizations)
        token = response.next_page_token
        if not token:
            return count


def page_runs(orgs: int, tmp: Path) -> tuple[float, float, float, float]:
    """First run (emulator start + listing + table drawn), completion, and warm reruns."""
    from streamlit.testing.v1 import AppTest

    from dashboard import runtime
    from dashboard.config import load_settings

    os.environ.update(
        DASHBOARD_DOTENV="",
        DASHBOARD_EMULATOR_ORGS=str(orgs),
        DASHBOARD_DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
        DASHBOARD_OPERATOR="bench",
    )
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    first, _ = timed(at.run)
    assert not at.exception, at.exception
    board = runtime.status_board(runtime.gateway(load_settings(dotenv_path=None)))
    start = time.perf_counter()
    board.wait(300)
    complete = first + time.perf_counter() - start
    at.run()  # the run that draws the complete table
    warm = [timed(at.run)[0] for _ in range(5)]
    return first, complete, statistics.median(warm), max(warm)


@contextmanager
def emulator_process(orgs: int, folder: Path) -> Iterator[dict[str, str]]:
    """The emulator in its own process, as a remote Scalekit would be: no shared GIL."""
    env_file = folder / "emulator.env"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scalekit_emulator", "--orgs", str(orgs), "--env-file", str(env_file)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        while not env_file.exists():
            time.sleep(0.05)
        time.sleep(0.1)
        yield dotenv_values(env_file)
    finally:
        proc.terminate()
        proc.wait()


def fill_time(gateway: ScalekitGateway, orgs: list, workers: int) -> float:
    board = StatusBoard(gateway, workers=workers)
    seconds, _ = timed(lambda: (board.request(o.id for o in orgs), board.wait(600)))
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-orgs-"))
    with emulator_process(args.orgs, tmp) as remote:
        # gRPC reads its roots once per process: trust the remote emulator's CA and this process's.
        bundle = tmp / "roots.pem"
        bundle.write_bytes(
            Path(remote["SCALEKIT_CA_BUNDLE"]).read_bytes() + process_ca().ca_file.read_bytes()
        )
        trust_ca_bundle(str(bundle))
        floor, count = timed(lambda: raw_sdk_paging(remote))
        gateway = ScalekitGateway.connect(
            Settings(),
            remote["SCALEKIT_ENVIRONMENT_URL"],
            remote["SCALEKIT_CLIENT_ID"],
            remote["SCALEKIT_CLIENT_SECRET"],
        )
        listing, orgs = timed(gateway.list_organizations)
        remote_fill = fill_time(gateway, orgs, args.workers)
    with Emulator(orgs=args.orgs, seed=7) as emulator:
        gateway = ScalekitGateway.connect(
            Settings(), emulator.env_url, emulator.client_id, emulator.client_secret
        )
        local_fill = fill_time(gateway, gateway.list_organizations(), args.workers)
    first, complete, warm, warm_max = page_runs(args.orgs, tmp)
    rows = [
        ("raw SDK paging of every org (floor)", floor),
        ("gateway.list_organizations", listing),
        (f"status fill, {2 * count:,} RPCs, {args.workers} threads, emulator in own process", remote_fill),
        ("status fill, same, emulator in this process", local_fill),
        ("page first run (embedded emulator): start, list, draw", first),
        ("page complete (embedded emulator): every status in", complete),
        ("page warm rerun (median of 5)", warm),
        ("page warm rerun (max of 5)", warm_max),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"\nOrganizations page, {count:,} organizations\n")
    print(f"| {'step':<{width}} | {'seconds':>8} | {'x floor':>7} |")
    print(f"| {'-' * width} | {'-' * 7}: | {'-' * 6}: |")
    for name, seconds in rows:
        print(f"| {name:<{width}} | {seconds:>8.3f} | {seconds / floor:>7.1f} |")


if __name__ == "__main__":
    main()
