"""How long a person waits for the Organizations page, and where the time goes.

    python -m bench.organizations --orgs 10000 --latency-ms 0 80 --repeat 3

For each simulated latency (a delay on every emulator RPC: a distant Scalekit), two tables, each
row the min / median of ``--repeat`` runs beside the floor measured in the same run:

Services, in this process, against the emulator in its own process (as ``make run`` has it):
- floor: the raw SDK paging through every organization (client built before the clock starts);
- ``gateway.list_organizations``: what the first table needs;
- every status on a first-ever visit: one StatusBoard round on an empty snapshot;
- every status after a restart: a new board on the saved snapshot;
- baseline: what a competent first version does: the SDK as shipped, ListConnections
  (``include='all'``) and ListDirectories for each organization on 16 threads.

The page, in real Chromium, against ``streamlit run server.py`` (sign-in off; no demo history,
which a live environment does not have), navigating as soon as the server answers: from
navigation to the app shell drawn (Streamlit's own floor in a browser), to the table drawn, and to
every status drawn; on a first-ever visit (a new database, server and browser profile each run),
on a later visit (same browser), and after a server restart (same database, same browser).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from dotenv import dotenv_values
from scalekit import ScalekitClient

from bench import browser
from bench.browser import CHROMIUM, LAUNCH_ARGS
from dashboard.config import Settings, trust_ca_bundle
from dashboard.gateway import ScalekitGateway
from dashboard.history import History
from dashboard.organizations import StatusBoard

ROOT = Path(__file__).resolve().parent.parent
BASELINE_SAMPLE = 1_000  # at a latency, the baseline runs on this many organizations, scaled up


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


@contextmanager
def emulator_process(orgs: int, folder: Path) -> Iterator[dict[str, str]]:
    env_file = folder / "emulator.env"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scalekit_emulator", "--orgs", str(orgs), "--env-file", str(env_file)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        while not env_file.exists():
            time.sleep(0.05)
        yield {k: v or "" for k, v in dotenv_values(env_file).items()}
    finally:
        proc.terminate()
        proc.wait()


def set_latency(env: dict[str, str], ms: float) -> None:
    response = requests.post(
        f"{env['SCALEKIT_EMULATOR_PORTAL_URL']}/_emulator/latency",
        json={"ms": ms},
        headers={"Authorization": f"Bearer {env['SCALEKIT_EMULATOR_CONTROL_TOKEN']}"},
        timeout=10,
    )
    response.raise_for_status()


def raw_paging(client: ScalekitClient) -> int:
    count, token = 0, None
    while True:
        response, _ = client.organization.list_organizations(page_size=100, page_token=token)
        count += len(response.organizations)
        token = response.next_page_token
        if not token:
            return count


def baseline_fill(client: ScalekitClient, org_ids: list[str]) -> None:
    def one(org_id: str) -> None:
        client.connection.list_connections(org_id, include="all")
        client.directory.list_directories(org_id)

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, org_ids))


def first_round(gateway: ScalekitGateway, org_ids: list[str], database: Path) -> tuple[float, History]:
    history = History(f"sqlite:///{database}")  # a new file: an empty snapshot
    board = StatusBoard(gateway, history.statuses, "bench")
    seconds = timed(lambda: (board.request(org_ids), board.wait(900)))
    board.stop()
    assert sum(s.complete for s in board.statuses().values()) == len(org_ids), board.failures()
    return seconds, history


def after_restart(gateway: ScalekitGateway, history: History, org_ids: list[str]) -> float:
    def load() -> None:
        board = StatusBoard(gateway, history.statuses, "bench")
        assert sum(s.complete for s in board.statuses().values()) == len(org_ids)
        board.stop()

    return timed(load)


def services(args: argparse.Namespace, folder: Path) -> dict[float, list[tuple[str, list[float]]]]:
    tables = {}
    with emulator_process(args.orgs, folder) as env:
        trust_ca_bundle(env["SCALEKIT_CA_BUNDLE"])
        url, cid, secret = (
            env["SCALEKIT_ENVIRONMENT_URL"],
            env["SCALEKIT_CLIENT_ID"],
            env["SCALEKIT_CLIENT_SECRET"],
        )
        sdk = ScalekitClient(url, cid, secret)
        gateway = ScalekitGateway.connect(Settings(call_timeout_s=30), url, cid, secret)
        org_ids = [o.id for o in gateway.list_organizations()]
        for latency in args.latency_ms:
            set_latency(env, latency)
            rows: dict[str, list[float]] = {}
            sample = org_ids if latency == 0 else org_ids[:BASELINE_SAMPLE]
            scale = len(org_ids) / len(sample)
            for n in range(args.repeat):
                rows.setdefault("floor: raw SDK paging of every organization", []).append(
                    timed(lambda: raw_paging(sdk))
                )
                rows.setdefault("gateway.list_organizations (the first table's data)", []).append(
                    timed(gateway.list_organizations)
                )
                seconds, history = first_round(gateway, org_ids, folder / f"snapshot-{latency:g}-{n}.db")
                rows.setdefault("every status, first-ever visit (bulk + directories in flight)", []).append(
                    seconds
                )
                rows.setdefault("every status, after a restart (the snapshot)", []).append(
                    after_restart(gateway, history, org_ids)
                )
                label = "baseline: SDK as shipped, 2 calls per org, 16 threads"
                if scale != 1:
                    label += f" ({len(sample):,} orgs, x{scale:g})"
                rows.setdefault(label, []).append(timed(lambda: baseline_fill(sdk, sample)) * scale)  # noqa: B023 - called at once
            tables[latency] = list(rows.items())
        set_latency(env, 0)
    return tables


# -- the page, in Chromium --------------------------------------------------------------------


@contextmanager
def dashboard(database: Path, orgs: int, latency: float, log: Path) -> Iterator[str]:
    with browser.dashboard(
        {
            "DASHBOARD_DATABASE_URL": f"sqlite:///{database}",
            "DASHBOARD_EMULATOR_ORGS": str(orgs),
            "DASHBOARD_EMULATOR_LATENCY_MS": str(latency),
        },
        log,
    ) as url:
        yield url


CAPTION = "[data-testid=stCaptionContainer]"
TABLE_JS = f"""(total) => [...document.querySelectorAll('{CAPTION}')].some(
    e => e.innerText.includes(' of ' + total + ' organizations'))
    && document.querySelector('[data-testid=stDataFrame]') !== null"""
COMPLETE_JS = f"""(total) => [...document.querySelectorAll('{CAPTION}')].some(
    e => e.innerText.includes(' of ' + total + ' organizations') && !e.innerText.includes('checking'))"""


def visit(context, url: str, total: str) -> tuple[float, float, float]:  # a Playwright BrowserContext
    """Seconds from navigation to the app shell drawn (Streamlit in Chromium, no data yet: the
    page's own floor), to the table drawn, and to every status drawn."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector("[data-testid=stSidebarNav]", timeout=600_000)
    shell = time.perf_counter() - start
    page.wait_for_function(TABLE_JS, arg=total, timeout=600_000, polling=50)
    table = time.perf_counter() - start
    page.wait_for_function(COMPLETE_JS, arg=total, timeout=900_000, polling=50)
    complete = time.perf_counter() - start
    page.close()
    return shell, table, complete


def chromium(args: argparse.Namespace, folder: Path) -> dict[float, list[tuple[str, list[float]]]]:
    from playwright.sync_api import sync_playwright

    total = f"{args.orgs:,}"
    tables = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for latency in args.latency_ms:
            rows: dict[str, list[float]] = {}
            for n in range(args.repeat):
                database, log = folder / f"page-{latency:g}-{n}.db", folder / f"page-{latency:g}.log"
                # A person's browser: cold on the first visit, its cache warm on the later ones.
                context = browser.new_context(viewport={"width": 1400, "height": 900})
                with dashboard(database, args.orgs, latency, log) as url:
                    shell, table, complete = visit(context, url, total)
                    rows.setdefault("page floor: app shell drawn, cold browser (no data)", []).append(shell)
                    rows.setdefault("page: table drawn, first-ever visit", []).append(table)
                    rows.setdefault("page: every status drawn, first-ever visit", []).append(complete)
                    shell, _, complete = visit(context, url, total)
                    rows.setdefault("page floor: app shell drawn, warm browser", []).append(shell)
                    rows.setdefault("page: every status drawn, a later visit", []).append(complete)
                with dashboard(database, args.orgs, latency, log) as url:
                    rows.setdefault("page: every status drawn, after a server restart", []).append(
                        visit(context, url, total)[2]
                    )
                context.close()
            tables[latency] = list(rows.items())
        browser.close()
    return tables


def print_table(title: str, rows: list[tuple[str, list[float]]], floor: float) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}\n")
    print(f"| {'step':<{width}} | {'min s':>7} | {'median s':>8} | {'x floor':>7} |")
    print(f"| {'-' * width} | {'-' * 6}: | {'-' * 7}: | {'-' * 6}: |")
    for name, values in rows:
        low, mid = min(values), statistics.median(values)
        print(f"| {name:<{width}} | {low:>7.2f} | {mid:>8.2f} | {mid / floor:>7.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 80.0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true", help="the service rows only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-orgs-"))
    service_tables = services(args, folder)
    page_tables = {} if args.no_browser or not Path(CHROMIUM).exists() else chromium(args, folder)
    for latency, rows in service_tables.items():
        floor = statistics.median(rows[0][1])
        name = f"{args.orgs:,} organizations, {latency:g} ms per RPC"
        print_table(f"Services: {name} (floor median {floor:.2f} s)", rows, floor)
        if latency in page_tables:
            print_table(f"Real Chromium: {name}, server as make run", page_tables[latency], floor)
    if not page_tables:
        print(f"\n(no Chromium rows: {'--no-browser' if args.no_browser else CHROMIUM + ' not found'})")
    print(f"\nRepeats: {args.repeat}; 2 cores; logs and databases in {folder}")


if __name__ == "__main__":
    main()
