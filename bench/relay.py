"""Invitation opens through the relay, beside its floor (the same HTTP stack calling the SDK and
nothing else), at several numbers of concurrent openers, on SQLite and on PostgreSQL.

    python -m bench.relay [--db sqlite postgresql] [--openers 1 20 50] [--opens 500] [--repeat 3]
    python -m bench.relay --markdown          # only the table (what bench/readme.py pastes)
    python -m bench.relay --flood 100000

Four processes, as deployed: the emulator (``python -m scalekit_emulator``), the relay
(``python -m dashboard.relay``, uvicorn, its history on SQLite or on a throwaway PostgreSQL server),
the floor (``python -m bench.relay_floor``: uvicorn with the relay's settings, POST calls the SDK's
``generate_portal_link`` and answers 303, nothing else) and this client. The client POSTs with as
many threads as openers and times each POST until the 303 arrives. Floor and relay take turns run by
run in the same session, so a busy machine weighs on both alike. Rate limits stay on: opens are
spread over invitations (8 each, under the per-token limit) and client addresses (X-Forwarded-For
from the trusted proxy), as a crowd of IT admins would be.

``readme_rows(argv)`` runs the bench and returns the table's lines, for bench/readme.py.

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
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from dotenv import dotenv_values

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


FLOOR, RELAY = "floor (HTTP + SDK)", "relay"
PER_INVITATION = 8  # opens of one invitation: under the per-token limit of 10 in ten minutes


@dataclass(frozen=True)
class Row:
    """One app at one concurrency on one database: (opens/s, p50 s, p99 s) of each run."""

    database: str
    openers: int
    app: str
    runs: tuple[tuple[float, float, float], ...]

    @property
    def rate(self) -> float:
        return statistics.median(r[0] for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r[1] for r in self.runs) * 1000

    @property
    def p99_ms(self) -> float:
        return statistics.median(r[2] for r in self.runs) * 1000


@contextmanager
def server(module: list[str], env: dict[str, str], folder: Path, name: str) -> Iterator[tuple[str, int]]:
    """(base URL, pid) of ``python -m module`` listening on a port it bound itself (port 0)."""
    url_file, log = folder / f"{name}.url", folder / f"{name}.log"
    with log.open("w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", *module, "--url-file", str(url_file)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        wait_for(lambda: url_file.exists() or process.poll() is not None, name)
        if process.poll() is not None:
            raise SystemExit(f"{name} stopped: {log.read_text()[-2000:]}")
        base = url_file.read_text().strip()

        def up() -> bool:
            try:
                return requests.get(f"{base}/healthz", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_for(up, name)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def database_url(db: str, folder: Path) -> Iterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{folder / 'history.db'}"
        return
    from tests.postgres import create_database, running_server

    with running_server() as pg:
        yield pg.url(create_database(pg))


def opener(url_for: Callable[[int], str]) -> Callable[[int], None]:
    """POST number i (each from an address of its own: the per-client limit never bites)."""
    sessions = threading.local()

    def open_one(i: int) -> None:
        if not hasattr(sessions, "s"):
            sessions.s = requests.Session()
        answer = sessions.s.post(
            url_for(i),
            allow_redirects=False,
            timeout=60,
            headers={"X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"},
        )
        assert answer.status_code == 303, answer.status_code

    return open_one


def compare(db: str, floor: str, relay: str, urls: list[str], args: argparse.Namespace) -> list[Row]:
    """Floor and relay taking turns, run by run, at each number of openers."""
    apps = {
        FLOOR: opener(lambda i: f"{floor}/i/floor-{i}"),
        RELAY: opener(lambda i: urls[i // PER_INVITATION]),
    }
    for action in apps.values():
        load(2 * PER_INVITATION, 4, action)  # warm up: connections, gRPC channels, first pages
    first, rows = dict.fromkeys(apps, 2 * PER_INVITATION), []  # the next open's number, per app
    for openers in args.openers:
        runs: dict[str, list[tuple[float, float, float]]] = {app: [] for app in apps}
        for _ in range(args.repeat):
            for app, action in apps.items():
                wall, latencies = load(args.opens, openers, lambda i, a=action, f=first[app]: a(f + i))
                first[app] += args.opens
                runs[app].append((args.opens / wall, pct(latencies, 50), pct(latencies, 99)))
        rows += [Row(db, openers, app, tuple(runs[app])) for app in apps]
    return rows


def table(rows: list[Row]) -> list[str]:
    """The markdown table: medians of the runs; the relay's opens/s as a share of the floor's."""
    floors = {(r.database, r.openers): r.rate for r in rows if r.app == FLOOR}
    lines = [
        "| database | openers | app | p50 ms | p99 ms | opens/s | of the floor |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        share = "" if r.app == FLOOR else f"{r.rate / floors[(r.database, r.openers)]:.0%}"
        lines.append(
            f"| {r.database} | {r.openers} | {r.app} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.rate:,.0f} "
            f"| {share} |"
        )
    return lines


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.relay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--openers", type=int, nargs="+", default=[1, 20, 50])
    parser.add_argument("--opens", type=int, default=500, help="opens per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each app at each concurrency")
    parser.add_argument("--latency-ms", type=float, default=0, help="the emulator's added latency")
    parser.add_argument("--markdown", action="store_true", help="print only the table")
    parser.add_argument("--flood", type=int, default=0, help="garbage tokens from one client instead")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace) -> list[Row]:
    folder = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    env_file = folder / "emulator.env"
    with ExitStack() as stack:
        emulator = subprocess.Popen(
            [sys.executable, "-m", "scalekit_emulator", "--orgs", "100", "--env-file", str(env_file),
             "--latency-ms", str(args.latency_ms)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        stack.callback(emulator.wait, 10)
        stack.callback(emulator.terminate)
        wait_for(env_file.exists, "the emulator")
        emulator_env = {k: v for k, v in dotenv_values(env_file).items() if v}
        os.environ.update({k: v for k, v in emulator_env.items() if k.startswith(("REQUESTS_", "GRPC_"))})
        from dashboard import invitations
        from dashboard.config import Settings
        from dashboard.gateway import ScalekitGateway
        from dashboard.history import History
        from dashboard.models import Operator

        url = emulator_env["SCALEKIT_ENVIRONMENT_URL"]
        gateway = ScalekitGateway.connect(
            Settings(call_timeout_s=30),
            url,
            emulator_env["SCALEKIT_CLIENT_ID"],
            emulator_env["SCALEKIT_CLIENT_SECRET"],
        )
        orgs = [o for o in gateway.list_organizations() if o.sso_feature][:20]
        child_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))},
            **{k: v for k, v in emulator_env.items() if k != "SCALEKIT_EMULATOR_CONTROL_TOKEN"},
            "DASHBOARD_DOTENV": "",
            "DASHBOARD_RELAY_HOST": "127.0.0.1",
        }
        floor_server = server(
            ["bench.relay_floor", "--orgs", ",".join(o.id for o in orgs)], child_env, folder, "floor"
        )
        floor, _ = stack.enter_context(floor_server)
        operator = Operator("bench@portal.test", "rep", "environment", "Bench")
        rows: list[Row] = []
        for db in ["sqlite"] if args.flood else args.db:
            with database_url(db, folder) as database:
                history = History(database)
                relay_env = {**child_env, "DASHBOARD_DATABASE_URL": database}
                with server(["dashboard.relay", "--port", "0"], relay_env, folder, f"relay-{db}") as (
                    relay,
                    pid,
                ):
                    total = 2 * PER_INVITATION + len(args.openers) * args.repeat * args.opens  # and warm-up
                    needed = 1 if args.flood else total // PER_INVITATION + 1
                    urls = [
                        invitations.create(
                            gateway, history, environment=url.removeprefix("https://"), relay_url=relay,
                            organization=orgs[n % len(orgs)], features=["sso"], days=7, operator=operator,
                        ).url
                        for n in range(needed)
                    ]  # fmt: skip
                    if args.flood:
                        print_flood(args.flood, flood(relay, urls[0], args.flood, pid))
                    else:
                        rows += compare(db, floor, relay, urls, args)
                history.engine.dispose()
        return rows


def readme_rows(argv: list[str] | None = None) -> list[str]:
    """Run the bench (``argv`` as on the command line) and return its table's lines."""
    return table(measure(parse(argv)))


def main() -> None:
    args = parse()
    rows = measure(args)
    if args.flood:
        return
    if not args.markdown:
        print(
            f"\nInvitation opens: {args.opens:,} per run, {args.repeat} runs of each app per row (medians), "
            f"emulator latency {args.latency_ms:g} ms\n"
        )
    print("\n".join(table(rows)))
    if not args.markdown:
        for r in rows:
            if r.app == RELAY and r.database == "sqlite" and r.openers == 20:
                floor = next(
                    f for f in rows if f.app == FLOOR and (f.database, f.openers) == (r.database, 20)
                )
                met = r.p99_ms <= 300 and r.rate >= floor.rate / 2
                share = r.rate / floor.rate
                print(
                    f"\nsqlite, 20 openers: p99 {r.p99_ms:.0f} ms (≤ 300), {share:.0%} of the floor's "
                    f"opens/s (≥ 50%): {'met' if met else 'NOT met'}"
                )


if __name__ == "__main__":
    main()
