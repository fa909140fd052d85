"""How many invitation opens the relay serves, against the raw GeneratePortalLink call it wraps.

    python -m bench.relay [--openers 50] [--opens 2000] [--latency-ms 0]
    python -m bench.relay --flood 100000


Three processes, as deployed: the emulator (``python -m scalekit_emulator``), the relay
(``python -m dashboard.relay``, uvicorn, SQLite history) and this client. The client POSTs to
invitations with 50 threads and times each POST until the 303 redirect arrives; the floor is
the same 50 threads calling GeneratePortalLink straight through the SDK. Rate limits stay on:
opens are spread over many invitations and client addresses (X-Forwarded-For from a trusted
proxy), as a real crowd of IT admins would be.

``--flood N``: one client POSTs N distinct garbage tokens while a customer GETs a real
invitation from another address; prints the customer's median before, during and after the
flood, and the relay's memory. The floor: after within 2x of before, measured in the same run.
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


SAMPLES = 100  # customer GETs per phase, each from its own address (its page limit never bites)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def customer_gets(url: str, phase: int, count: int = SAMPLES, first: int = 0) -> list[float]:
    """A real customer's GETs of a real invitation, one after another, from other addresses."""
    latencies = []
    with requests.Session() as session:
        for n in range(first, first + count):
            headers = {"X-Forwarded-For": f"10.{200 + phase}.{n // 256}.{n % 256}"}
            start = time.perf_counter()
            answer = session.get(url, headers=headers, timeout=30)
            latencies.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.status_code
    return latencies


def flood(base: str, customer: str, n: int, relay_pid: int) -> list[tuple[str, list[float], float]]:
    """(phase, customer latencies, relay MB) before, during and after N garbage POSTs."""
    customer_gets(customer, 0, 10)  # warm up: connections, the relay's first GetOrganization
    rows = [("before the flood", customer_gets(customer, 1), rss_mb(relay_pid))]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    sessions = threading.local()

    def garbage(i: int) -> None:
        if not hasattr(sessions, "s"):
            sessions.s = requests.Session()
        answer = sessions.s.post(
            f"{base}/i/garbage-{i:07d}-{os.urandom(6).hex()}",
            headers={"X-Forwarded-For": "198.51.100.7"},
            allow_redirects=False,
            timeout=60,
        )
        with lock:
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

    flooding = threading.Thread(target=load, args=(n, 8, garbage))
    start = time.perf_counter()
    flooding.start()
    during: list[float] = []
    while flooding.is_alive():  # sampled all along the flood, a pause between tens
        during.extend(customer_gets(customer, 2, 10, first=len(during)))
        time.sleep(0.5)
    flooding.join()
    wall = time.perf_counter() - start
    rows.append((f"during ({n / wall:,.0f} garbage POSTs/s)", during, rss_mb(relay_pid)))
    rows.append(("after the flood", customer_gets(customer, 3), rss_mb(relay_pid)))
    print(f"garbage POSTs answered: {dict(sorted(statuses.items()))}")
    return rows


def print_flood(n: int, rows: list[tuple[str, list[float], float]]) -> None:
    print(f"\nA customer's GET /i/<token> while one client POSTs {n:,} distinct garbage tokens\n")
    print("| phase | customer GETs | p50 ms | p90 ms | relay RSS MB |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for phase, latencies, mb in rows:
        if latencies:
            p50, p90 = pct(latencies, 50) * 1000, pct(latencies, 90) * 1000
            print(f"| {phase} | {len(latencies)} | {p50:.1f} | {p90:.1f} | {mb:.0f} |")
    before, after = statistics.median(rows[0][1]), statistics.median(rows[-1][1])
    verdict = "within" if after <= 2 * before else "NOT within"
    print(f"\nafter / before (median): {after / before:.2f}x, {verdict} the 2x floor")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--openers", type=int, default=50)
    parser.add_argument("--opens", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flood", type=int, default=0, help="garbage tokens from one client instead")
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
        from dashboard.models import Operator

        bench_operator = Operator("bench@portal.test", "rep", "environment", "Bench")

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
            if args.flood:
                customer = invitations.create(
                    gateway, history, environment=host, relay_url=base, organization=orgs[0],
                    features=["sso"], days=7, operator=bench_operator,
                ).url  # fmt: skip
                flood_rows = flood(base, customer, args.flood, relay.pid)
                return print_flood(args.flood, flood_rows)
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
                    operator=bench_operator,
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
