"""How long a person waits for the Organizations page, beside the floor page, in real Chromium.

    python -m bench.organizations --orgs 10000 --repeat 3

Everything runs as ``make run`` runs it, each part in its own process so each can be restarted on
its own: the emulator (``--orgs`` organizations), the worker (``python -m dashboard.worker``), the
dashboard (``streamlit run server.py`` with DASHBOARD_WORKER=off, as the worker runs apart) and,
beside it, the floor page (``bench/floor_page.py``: the simplest Streamlit page showing the same
rows from the same SQLite file, one ``st.dataframe``). Sign-in off, no demo history.

Each repeat starts on a new database and new browser contexts (one per page, so each page has its
own cache), and times, from navigation to the table's rows drawn (Streamlit's grid holds every
row) and to every status drawn (no "Checking…" left), each beside the floor page's time in the
same situation:

- a first-ever visit: the worker's first start (with the dashboard's, at once), navigating as soon
  as the dashboard answers; the floor page is visited once every status is in the history;
- a later visit: a new page in the same browser context, same servers;
- after a restart of the dashboard server (the floor page's server is restarted for its turn);
- after a restart of the worker only (restarted again for the floor page's turn).

Also, in the same run: from the worker's first start to the listing and to every status in the
history; the server's CPU while one tab sits open on each page (the Organizations page redraws
every 2 s); and the services in this process: the raw SDK paging through every organization (the
floor of any listing), ``gateway.list_organizations``, and a worker's first listing and round as
``Worker`` does them (the round fed by the listing) beside the listing saved first.
Tables give min / median of ``--repeat`` runs. ``--streamlit-option`` gives both servers a
Streamlit setting alike (e.g. ``runner.postScriptGC=false``), to measure one on both pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values
from scalekit import ScalekitClient

from bench.browser import CHROMIUM, ENVIRONMENT, LAUNCH_ARGS, Server, Stack, cpu_seconds, emulator_process
from dashboard.config import Settings
from dashboard.gateway import ScalekitGateway, trust_ca_bundle
from dashboard.history import History
from dashboard.worker.board import StatusBoard

POLL_MS = 25  # how often the browser and the history are looked at
IDLE_S = 4.0  # how long a tab sits open for the server's idle load (two of the page's 2 s redraws)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


# -- the services, in this process -----------------------------------------------------------


def raw_paging(client: ScalekitClient) -> int:
    count, token = 0, None
    while True:
        response, _ = client.organization.list_organizations(page_size=100, page_token=token)
        count += len(response.organizations)
        token = response.next_page_token
        if not token:
            return count


def first_start(gateway: ScalekitGateway, database: Path, *, listing_first: bool) -> tuple[float, float]:
    """A worker's first listing and status round on an empty history, as ``Worker`` does it (the
    round fed page by page as the listing goes), or with the listing saved before the round
    starts; seconds until the listing is saved, and until every status is."""
    history = History(f"sqlite:///{database}")
    board = StatusBoard(gateway, history.statuses, ENVIRONMENT)
    start = time.perf_counter()
    if listing_first:
        orgs = gateway.list_organizations()
        history.listing.save(ENVIRONMENT, orgs, dt.datetime.now(dt.UTC))
        listed = time.perf_counter() - start
        board.request([o.id for o in orgs])
    else:
        board.begin()
        orgs = gateway.list_organizations(on_page=lambda page: board.feed([o.id for o in page]))
        history.listing.save(ENVIRONMENT, orgs, dt.datetime.now(dt.UTC))
        listed = time.perf_counter() - start
        board.close()
    board.wait(900)
    complete = time.perf_counter() - start
    board.stop()
    assert len(history.statuses.load(ENVIRONMENT)) == len(orgs), board.failures()
    return listed, complete


def services(env_file: Path, repeat: int, folder: Path) -> dict[str, list[float]]:
    env = {k: v or "" for k, v in dotenv_values(env_file).items()}
    trust_ca_bundle(env["SCALEKIT_CA_BUNDLE"])
    url, cid = env["SCALEKIT_ENVIRONMENT_URL"], env["SCALEKIT_CLIENT_ID"]
    secret = env["SCALEKIT_CLIENT_SECRET"]
    sdk = ScalekitClient(url, cid, secret)
    gateway = ScalekitGateway.connect(Settings(call_timeout_s=30), url, cid, secret)
    gateway.list_organizations()  # channels open and warm before the clock starts
    rows: dict[str, list[float]] = {}
    for n in range(repeat):
        rows.setdefault("floor: raw SDK paging of every organization", []).append(
            timed(lambda: raw_paging(sdk))
        )
        rows.setdefault("gateway.list_organizations (the worker's listing)", []).append(
            timed(gateway.list_organizations)
        )
        ways = [(False, "first start as the worker does it (round fed by the listing)"),
                (True, "first start, listing saved before the round starts")]  # fmt: skip
        for listing_first, name in ways if n % 2 == 0 else ways[::-1]:
            listed, complete = first_start(
                gateway, folder / f"first-{n}-{listing_first}.db", listing_first=listing_first
            )
            rows.setdefault(f"{name}: listing saved", []).append(listed)
            rows.setdefault(f"{name}: every status saved", []).append(complete)
    return rows


# -- the pages, in Chromium ------------------------------------------------------------------

GRID = "[data-testid=stDataFrame] table[role=grid]"
ROWS_JS = f"""(total) => [...document.querySelectorAll('{GRID}')].some(
    g => g.getAttribute('aria-rowcount') === String(total + 1) && g.querySelectorAll('tr').length > 1)"""
CAPTION = "[data-testid=stCaptionContainer]"
COMPLETE_JS = f"""(total) => ({ROWS_JS})(total)
    && [...document.querySelectorAll('{CAPTION}')].some(e => e.innerText.includes(
        ' of ' + total.toLocaleString('en-US') + ' organizations') && !e.innerText.includes('checking'))
    && ![...document.querySelectorAll('{GRID} td')].some(td => td.innerText.includes('Checking'))"""


def visit(context, url: str, total: int, *, complete: bool) -> tuple[float, float]:
    """Seconds from navigation to the table's rows drawn, and to every status drawn."""
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ROWS_JS, arg=total, timeout=600_000, polling=POLL_MS)
    rows = time.perf_counter() - start
    if complete:
        page.wait_for_function(COMPLETE_JS, arg=total, timeout=900_000, polling=POLL_MS)
    done = time.perf_counter() - start
    page.close()
    return rows, done


def idle_load(context, url: str, total: int, server: Server, seconds: float) -> float:
    """The server's CPU per second while one tab sits open on the drawn page, untouched."""
    page = context.new_page()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ROWS_JS, arg=total, timeout=600_000, polling=POLL_MS)
    time.sleep(1)  # the first run's end (its garbage collection, the file watcher's pass)
    before = cpu_seconds(server.process.pid)
    time.sleep(seconds)
    used = cpu_seconds(server.process.pid) - before
    page.close()
    return used / seconds


@dataclass
class HistoryWatch:
    """Looks at the history from the side (plain sqlite3, read-only) and notes when the listing
    and every status arrived, in seconds after ``start``."""

    database: Path
    total: int
    start: float = field(default_factory=time.perf_counter)
    listed: float | None = None
    complete: float | None = None

    def __post_init__(self) -> None:
        threading.Thread(target=self._watch, daemon=True).start()

    def counts(self) -> tuple[int, int]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as conn:
            listed, known = conn.execute(
                "SELECT (SELECT count(*) FROM organization_listing WHERE environment = ?),"
                " (SELECT count(*) FROM org_status WHERE environment = ?)",
                (ENVIRONMENT, ENVIRONMENT),
            ).fetchone()
        return listed, known

    def _watch(self) -> None:
        deadline = self.start + 1800
        while self.complete is None and time.perf_counter() < deadline:
            try:
                listed, known = self.counts()
            except sqlite3.Error:  # no file or no tables yet
                listed = known = 0
            now = time.perf_counter() - self.start
            if self.listed is None and listed >= self.total:
                self.listed = now
            if known >= self.total:
                self.complete = now
            time.sleep(POLL_MS / 1000)

    def wait(self, timeout_s: float = 1800) -> float:
        deadline = time.perf_counter() + timeout_s
        while self.complete is None:
            if time.perf_counter() > deadline:
                raise RuntimeError("the worker did not bring every status into the history")
            time.sleep(0.05)
        return self.complete


Results = dict[str, list[float]]


def add(results: Results, name: str, value: float) -> None:
    results.setdefault(name, []).append(value)


def page_repeat(pw, args: argparse.Namespace, env_file: Path, folder: Path, n: int, results: Results) -> None:
    """One repeat of every case, on a new database; the floor page goes first on odd repeats
    wherever the order is free, so a drift of the machine's load falls on both alike."""
    run = folder / f"run-{n}"
    run.mkdir()
    orgs = args.orgs
    stack = Stack(env_file, run / "history.db", run, orgs, tuple(args.streamlit_option))
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    page_ctx = chromium.new_context(viewport={"width": 1400, "height": 900})
    floor_ctx = chromium.new_context(viewport={"width": 1400, "height": 900})
    try:
        floor_url = stack.start_floor()  # idle until its turn, as the dashboard is until navigated
        watch = HistoryWatch(stack.database, orgs)
        stack.start_worker()  # the worker's first start, and the dashboard's, at once (make run)
        page_url = stack.start_dashboard()
        navigated = time.perf_counter() - watch.start
        rows, done = visit(page_ctx, page_url, orgs, complete=True)
        add(results, "first-ever visit: rows drawn", rows)
        add(results, "first-ever visit: every status drawn", done)
        add(results, "worker start -> dashboard answers (navigation)", navigated)
        add(results, "worker start -> every status drawn in the page", navigated + done)
        add(results, "worker start -> listing in the history", watch.listed or float("nan"))
        add(results, "worker start -> every status in the history", watch.wait())
        add(results, "floor: first-ever visit", visit(floor_ctx, floor_url, orgs, complete=False)[0])

        def page_visit(case: str) -> None:
            rows, done = visit(page_ctx, stack.dashboard.url, orgs, complete=True)  # type: ignore[union-attr]
            add(results, f"{case}: rows drawn", rows)
            add(results, f"{case}: every status drawn", done)

        def floor_visit(case: str) -> None:
            add(results, f"floor: {case}", visit(floor_ctx, stack.floor.url, orgs, complete=False)[0])  # type: ignore[union-attr]

        turns = [(page_visit, stack.start_dashboard), (floor_visit, stack.start_floor)]
        for visit_one, _ in turns if n % 2 == 0 else turns[::-1]:
            visit_one("a later visit")
        assert stack.dashboard is not None and stack.floor is not None
        for ctx, server, name in [(page_ctx, stack.dashboard, "page"), (floor_ctx, stack.floor, "floor")]:
            add(
                results,
                f"{name}: server CPU s per s, one tab open",
                idle_load(ctx, server.url, orgs, server, IDLE_S),
            )
        for visit_one, restart_server in turns if n % 2 == 0 else turns[::-1]:
            restart_server()
            visit_one("after a server restart")
        for visit_one, _ in turns if n % 2 == 0 else turns[::-1]:
            before = round_finished(stack.database)
            stack.start_worker()
            visit_one("after a worker restart")
            wait_for_round(stack.database, before)  # the new worker's round, done before the next turn
    finally:
        chromium.close()
        stack.stop()


def round_finished(database: Path) -> object:
    state = History(f"sqlite:///{database}").sweepers.state(ENVIRONMENT)
    return state.round_finished_at if state is not None else None


def wait_for_round(database: Path, before: object, timeout_s: float = 600) -> None:
    """Until a round has finished since ``before`` (the restarted worker's first round)."""
    sweepers = History(f"sqlite:///{database}").sweepers
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        state = sweepers.state(ENVIRONMENT)
        if state is not None and state.round_finished_at != before and not state.refreshing:
            return
        time.sleep(0.2)


def chromium(args: argparse.Namespace, env_file: Path, folder: Path) -> Results:
    from playwright.sync_api import sync_playwright

    results: Results = {}
    with sync_playwright() as pw:
        for n in range(args.repeat):
            page_repeat(pw, args, env_file, folder, n, results)
    return results


# -- the report ------------------------------------------------------------------------------

CASES = ["first-ever visit", "a later visit", "after a server restart", "after a worker restart"]


def spread(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def print_pages(results: Results, title: str) -> None:
    print(f"\n{title}\n")
    names = ["case", "what", "page min", "page med", "floor min", "floor med", "x floor"]
    widths = [24, 20, 8, 8, 9, 9, 7]
    print("| " + " | ".join(f"{n:<{w}}" for n, w in zip(names, widths, strict=True)) + " |")
    print("| " + " | ".join("-" * w if i < 2 else "-" * (w - 1) + ":" for i, w in enumerate(widths)) + " |")
    for case in CASES:
        floor = results.get(f"floor: {case}")
        for what in ("rows drawn", "every status drawn"):
            page = results.get(f"{case}: {what}")
            if page is None or floor is None:
                continue
            (p_min, p_med), (f_min, f_med) = spread(page), spread(floor)
            figures = [p_min, p_med, f_min, f_med, p_med / f_med]
            cells = [f"{v:>{w}.2f}" for v, w in zip(figures, widths[2:], strict=True)]
            print(f"| {case:<24} | {what:<20} | " + " | ".join(cells) + " |")


def print_rows(rows: list[tuple[str, list[float]]], title: str) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}\n")
    print(f"| {'step':<{width}} | {'min s':>7} | {'median s':>8} |")
    print(f"| {'-' * width} | {'-' * 6}: | {'-' * 7}: |")
    for name, values in rows:
        low, mid = spread(values)
        print(f"| {name:<{width}} | {low:>7.2f} | {mid:>8.2f} |")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="a delay on every emulator RPC")
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="a Streamlit option for both pages' servers alike (e.g. runner.postScriptGC=false)",
    )
    parser.add_argument("--no-browser", action="store_true", help="the service rows only")
    parser.add_argument("--no-services", action="store_true", help="the pages only")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-orgs-"))
    options = (
        f"; Streamlit options for both pages: {' '.join(args.streamlit_option)}"
        if args.streamlit_option
        else ""
    )
    print(f"{args.orgs:,} organizations, {args.latency_ms:g} ms per RPC, {args.repeat} repeats{options}; "
          f"load average at the start {load_average()}", flush=True)  # fmt: skip
    with emulator_process(args.orgs, args.latency_ms, folder) as env_file:
        service_rows = {} if args.no_services else services(env_file, args.repeat, folder)
        browser_ok = not args.no_browser and Path(CHROMIUM).exists()
        pages = chromium(args, env_file, folder) if browser_ok else {}
    if service_rows:
        title = "Services, in this process, against the emulator in its own process"
        print_rows(list(service_rows.items()), title)
    if pages:
        title = "Real Chromium: the Organizations page beside the floor page, seconds from navigation"
        print_pages(pages, title)
        print_rows(
            [(name, values) for name, values in pages.items() if name.startswith("worker start")],
            "The worker's first start (with the dashboard's), seconds after it",
        )
        print_rows(
            [(name, values) for name, values in pages.items() if "CPU" in name],
            f"Idle load: the server's CPU while one tab sits open {IDLE_S:g} s on the drawn page",
        )
    else:
        print(f"\n(no Chromium rows: {'--no-browser' if args.no_browser else CHROMIUM + ' not found'})")
    print(f"\nLoad average at the end {load_average()}; 2 cores")
    print(f"Logs and databases in {folder}")


if __name__ == "__main__":
    main()
