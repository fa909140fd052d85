"""How many invitation opens the relay serves, against the raw GeneratePortalLink call it wraps.

    python -m bench.relay [--openers 50] [--opens 2000] [--latency-ms 0]

Three processes, as deployed: the emulator (``python -m scalekit_emulator``), the relay
(``python -m dashboard.relay``, uvicorn, SQLite history) and this client. The client POSTs to
invitations with 50 threads and times each POST until the 303 redirect arrives; the floor is
the same 50 threads calling GeneratePortalLink straight through the SDK. Rate limits stay on:
opens are spread over many invitations and client addresses (X-Forwarded-For from a trusted
proxy), as a real crowd of IT admins would be.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from dotenv import dotenv_values

from bench.browser import free_port

ROOT = Path(__file__).resolve().parent.parent


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start")
        time.sleep(0.1)


def load(n: int, openers: int, action: Callable[[int], None]) -> tuple[float, list[float]]:
    """Run ``action`` n times on ``openers`` threads; (wall seconds, per-call latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        start = time.perf_counter()
        action(i)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=openers) as pool:
        list(pool.map(one, range(n)))
    return time.perf_counter() - start, latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--openers", type=int, default=50)
    parser.add_argument("--opens", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    env_file, database, relay_port = tmp / "emulator.env", tmp / "history.db", free_port()
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalekit_emulator",
            "--orgs",
            "100",
            "--env-file",
            str(env_file),
            "--latency-ms",
            str(args.latency_ms),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(env_file.exists, "the emulator")
        emulator_env = {k: v for k, v in dotenv_values(env_file).items() if v}
        os.environ.update({k: v for k, v in emulator_env.items() if k.startswith(("REQUESTS_", "GRPC_"))})
        from scalekit import ScalekitClient

        from dashboard import invitations
        from dashboard.config import Settings
        from dashboard.gateway import ScalekitGateway
        from dashboard.history import History

        url = emulator_env["SCALEKIT_ENVIRONMENT_URL"]
        host = url.removeprefix("https://")
        relay_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))},
            **{k: v for k, v in emulator_env.items() if k != "SCALEKIT_EMULATOR_CONTROL_TOKEN"},
            "DASHBOARD_DOTENV": "",
            "DASHBOARD_DATABASE_URL": f"sqlite:///{database}",
            "DASHBOARD_RELAY_HOST": "127.0.0.1",
            "DASHBOARD_RELAY_PORT": str(relay_port),
        }
        history = History(f"sqlite:///{database}")
        relay = subprocess.Popen(
            [sys.executable, "-m", "dashboard.relay"],
            cwd=ROOT,
            env=relay_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{relay_port}"

            def up() -> bool:
                try:
                    return requests.get(f"{base}/healthz", timeout=1).ok
                except requests.ConnectionError:
                    return False

            wait_for(up, "the relay")
            gateway = ScalekitGateway.connect(
                Settings(call_timeout_s=30),
                url,
                emulator_env["SCALEKIT_CLIENT_ID"],
                emulator_env["SCALEKIT_CLIENT_SECRET"],
            )
            orgs = [o for o in gateway.list_organizations() if o.sso_feature][:20]
            # Ten opens per invitation at most (the per-token limit): enough invitations for every open.
            urls = [
                invitations.create(
                    gateway,
                    history,
                    environment=host,
                    relay_url=base,
                    organization=orgs[n % len(orgs)],
                    features=["sso"],
                    days=7,
                    operator="bench",
                ).url
                for n in range(args.opens * args.repeat // 8 + 1)
            ]
            sessions = threading.local()

            def session() -> requests.Session:
                if not hasattr(sessions, "s"):
                    sessions.s = requests.Session()
                return sessions.s

            def open_one(i: int) -> None:
                answer = session().post(
                    urls[i // 8],
                    allow_redirects=False,
                    timeout=60,
                    headers={"X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"},
                )
                assert answer.status_code == 303, answer.status_code

            client = ScalekitClient(
                url, emulator_env["SCALEKIT_CLIENT_ID"], emulator_env["SCALEKIT_CLIENT_SECRET"]
            )

            def raw_one(i: int) -> None:
                client.organization.generate_portal_link(orgs[i % len(orgs)].id)

            rows = []
            for label, action in (
                ("raw GeneratePortalLink through the SDK (floor)", raw_one),
                ("relay: POST /i/<token> until the 303", open_one),
            ):
                runs = []
                for run in range(args.repeat):
                    first = run * args.opens  # each run opens invitations of its own
                    wall, latencies = load(args.opens, args.openers, lambda i, a=action, f=first: a(f + i))
                    runs.append((args.opens / wall, pct(latencies, 50), pct(latencies, 99)))
                rows.append((label, runs))
        finally:
            relay.terminate()
            relay.wait(10)
    finally:
        emulator.terminate()
        emulator.wait(10)
    print(
        f"\nInvitation opens, {args.opens:,} per run × {args.repeat} runs, {args.openers} concurrent "
        "openers, "
        f"emulator latency {args.latency_ms:g} ms\n"
    )
    print("| path | opens/s (median) | p50 ms (median) | p99 ms (median) | p99 ms (worst run) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, runs in rows:
        rate = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs) * 1000
        p99 = statistics.median(r[2] for r in runs) * 1000
        worst = max(r[2] for r in runs) * 1000
        print(f"| {label} | {rate:,.0f} | {p50:.1f} | {p99:.1f} | {worst:.1f} |")


if __name__ == "__main__":
    main()
