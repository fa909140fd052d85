"""The Issuance stats page on a large history and a small one, on SQLite and on PostgreSQL.

    python -m bench.stats --rows 1000000 --db sqlite postgresql --repeat 5

Each database gets two seeded synthetic histories (bench/synthetic.py): ``--rows`` rows and
2,000 rows. On the large one, for the page's default filter (last 90 days):

- every SQL aggregate of the page, and all of them together: "first" is the first call in a new
  process (its connection opened before the clock; the OS may cache the file), then
  ``--repeat`` runs in this process, min / median;
- the fair naive version beside them (bench/naive.py: only the needed columns, environment and
  dates filtered in SQL, aggregation in pandas);
- a full page run in AppTest (no browser): Python's share of a page.

Then, in real Chromium against ``streamlit run server.py`` (as ``make run``), for both sizes:
the time from navigation to the last chart drawn, on the first load of a new
server in a new browser, on later loads (same browser, server warm), and after a filter change
(the chart's split switched; a rep added: new figures). PostgreSQL runs on a throwaway local
server (tests/postgres.py), fsync off.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from bench import browser, naive
from bench.browser import CHROMIUM, LAUNCH_ARGS
from bench.synthetic import fill
from dashboard.history import History
from dashboard.history.stats import IssuanceStats, StatsFilter

ROOT = Path(__file__).resolve().parent.parent
SMALL = 2_000
REPS = ["rep01@portal-desk.test", "rep02@portal-desk.test"]  # busy in both histories (synthetic.py)


def default_filter() -> tuple[StatsFilter, dt.datetime]:
    """What the page asks for when it opens: the last 90 days up to today, kinds by default."""
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    start = dt.datetime.combine(today - dt.timedelta(days=90), dt.time(), dt.UTC)
    return StatsFilter("emulator", start, start + dt.timedelta(days=91)), now


def queries(history: History) -> dict[str, Callable[[], object]]:
    stats, (f, now) = IssuanceStats(history), default_filter()

    def naive_page() -> None:
        items, seen = naive.load(history.engine, f)
        naive.kpis(items, seen, f, now)
        naive.funnel(items, seen, f)
        naive.per_period(items, f, "week", "kind")
        naive.per_rep(items, f)
        naive.top_organizations(items, f)
        naive.status_breakdown(items, f, now)
        naive.filtered(items, f).sort_values("issued_at", ascending=False).head(1000)

    steps: dict[str, Callable[[], object]] = {
        "KPIs (counts + time to SSO)": lambda: stats.kpis(f, now),
        "invitation funnel + per rep (one read)": lambda: stats.funnels(f),
        "items per week, by kind": lambda: stats.per_period(f, "week", "kind"),
        "per rep": lambda: stats.per_rep(f),
        "top organizations": lambda: stats.top_organizations(f),
        "newest 1,000 rows": lambda: stats.rows(f, limit=1000),
    }
    one_page = list(steps.values())
    steps["all queries of one page, one after another"] = lambda: [step() for step in one_page]
    steps["the same at once, as the page runs them (report)"] = lambda: (
        stats.report(f, now),
        stats.per_period(f, "week", "kind"),
    )
    steps["fair naive: read, then pandas"] = naive_page
    return steps


def cold(url: str) -> dict[str, float]:
    """Each step's first call, in a new process (``python -m bench.stats --cold URL``)."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.stats", "--cold", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_cold(url: str) -> None:
    history = History(url)
    history.read("connect", sa.select(1))  # the connection is not the query's cost
    firsts = {}
    for name, step in queries(history).items():
        start = time.perf_counter()
        step()
        firsts[name] = time.perf_counter() - start
    print(json.dumps(firsts))


def repeated(step: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        runs.append(time.perf_counter() - start)
    return runs


def page_runs(url: str, repeat: int) -> tuple[list[float], list[float]]:
    """A full run of the page in AppTest: with its figures recomputed (the caches cleared before
    each run), and a rerun that finds them kept."""
    from streamlit.testing.v1 import AppTest

    from dashboard import runtime

    os.environ.update(
        DASHBOARD_DOTENV="",
        DASHBOARD_DATABASE_URL=url,
        DASHBOARD_OPERATOR="bench",
        DASHBOARD_DEMO_HISTORY="0",
    )
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/issuance_stats.py")
    at.run()
    assert not at.exception, at.exception

    def recomputed() -> None:
        runtime.stats_report.clear()
        runtime.stats_per_period.clear()
        at.run()

    return repeated(recomputed, repeat), repeated(at.run, repeat)


# -- the page, in Chromium --------------------------------------------------------------------

CHARTS = 4  # one per question; the table is drawn only on demand
DRAWN_JS = f"""() => {{
    const app = document.querySelector('[data-testid=stApp]');
    if (!app || app.dataset.testScriptState !== 'notRunning') return false;
    const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart]')];
    const drawn = charts.filter(c => c.querySelector('canvas, svg') && c.getBoundingClientRect().height > 50);
    return drawn.length >= {CHARTS} && !document.querySelector('[data-stale=true]');
}}"""
WATCH_JS = """() => {
    window.__ran = false;
    const app = document.querySelector('[data-testid=stApp]');
    new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.__ran = true; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def load(context, url: str) -> float:  # a Playwright BrowserContext
    page = context.new_page()
    start = time.perf_counter()
    page.goto(f"{url}/issuance_stats", wait_until="commit")
    page.wait_for_function(DRAWN_JS, timeout=300_000, polling=20)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def _rerun(page, act: Callable[[], None]) -> float:
    page.evaluate(WATCH_JS)
    start = time.perf_counter()
    act()
    page.wait_for_function(f"() => window.__ran && ({DRAWN_JS})()", timeout=300_000, polling=20)
    return time.perf_counter() - start


def interactions(context, url: str, reps: list[str]) -> dict[str, list[float]]:
    """Two kinds of rerun: the chart's split switched (the kept figures serve all but that chart),
    and a rep added to the filter (new figures: every query again)."""
    page = context.new_page()
    page.goto(f"{url}/issuance_stats")
    page.wait_for_function(DRAWN_JS, timeout=300_000, polling=20)
    runs: dict[str, list[float]] = {}
    for n in range(2):
        choice = page.get_by_text(("feature", "kind")[n % 2], exact=True)
        runs.setdefault("chart split switched", []).append(_rerun(page, choice.click))
    for rep in reps:

        def add_rep(rep: str = rep) -> None:
            page.get_by_test_id("stMultiSelect").first.locator("input").fill(rep)
            page.keyboard.press("Enter")

        runs.setdefault("a rep added to the filter (new figures)", []).append(_rerun(page, add_rep))
    page.close()
    return runs


def chromium(urls: dict[str, str], repeat: int, folder: Path) -> dict[str, dict[str, list[float]]]:
    """Per history (name -> database URL): step -> seconds of each run."""
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {}
    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        for name, url in urls.items():
            rows = results.setdefault(name, {})
            for _ in range(repeat):
                context = chrome.new_context(viewport={"width": 1400, "height": 1000})
                log = folder / f"page-{name.replace(' ', '-')}.log"
                with browser.dashboard({"DASHBOARD_DATABASE_URL": url}, log) as page_url:
                    rows.setdefault("first load: new server, new browser", []).append(load(context, page_url))
                    rows.setdefault("later load: same browser", []).append(load(context, page_url))
                    for step, seconds in interactions(context, page_url, REPS).items():
                        rows.setdefault(step, []).extend(seconds)
                context.close()
        chrome.close()
    return results


# -- histories and tables ---------------------------------------------------------------------


@contextmanager
def histories(db: str, rows: int, folder: Path) -> Iterator[dict[str, str]]:
    """URLs of a filled large and small history on this database."""
    if db == "sqlite":
        urls = {size: f"sqlite:///{folder / f'{size}.db'}" for size in ("large", "small")}
        yield _filled(urls, rows)
        return
    from bench.servers import create_database, running_server

    with running_server() as server:
        yield _filled({size: server.url(create_database(server)) for size in ("large", "small")}, rows)


def _filled(urls: dict[str, str], rows: int) -> dict[str, str]:
    for size, url in urls.items():
        start, count = time.perf_counter(), rows if size == "large" else SMALL
        fill(History(url), count)
        print(f"  filled {size} ({count:,} rows) in {time.perf_counter() - start:.0f} s")
    return urls


def table(title: str, columns: list[str], rows: list[tuple[str, list[str]]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}\n")
    print(f"| {'step':<{width}} | " + " | ".join(f"{c:>9}" for c in columns) + " |")
    print(f"| {'-' * width} | " + " | ".join("-" * 8 + ":" for _ in columns) + " |")
    for name, cells in rows:
        print(f"| {name:<{width}} | " + " | ".join(f"{c:>9}" for c in cells) + " |")


def mm(values: list[float]) -> list[str]:
    return [f"{min(values):.3f}", f"{statistics.median(values):.3f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--cold", help=argparse.SUPPRESS)  # the child process of cold()
    args = parser.parse_args()
    if args.cold:
        return run_cold(args.cold)
    folder = Path(tempfile.mkdtemp(prefix="bench-stats-"))
    for db in args.db:
        print(f"{db}:")
        with histories(db, args.rows, folder / db if db == "sqlite" else folder) as urls:
            history = History(urls["large"])
            firsts = cold(urls["large"])
            rows, medians = [], {}
            for name, step in queries(history).items():
                runs = repeated(step, args.repeat)
                rows.append((name, [f"{firsts[name]:.3f}", *mm(runs)]))
                medians[name.split(",")[0].split(" (")[0]] = statistics.median(runs)
            fair = medians["fair naive: read"]
            serial, together = medians["all queries of one page"], medians["the same at once"]
            recomputed, kept = page_runs(urls["large"], args.repeat)
            rows.append(("page run in AppTest (no browser), figures recomputed", ["", *mm(recomputed)]))
            rows.append(("page rerun in AppTest, figures kept", ["", *mm(kept)]))
            table(
                f"{db}: {args.rows:,} rows, last 90 days (seconds; fair naive / SQL: "
                f"{fair / serial:.1f}x one after another, {fair / together:.1f}x at once)",
                ["first", "min", "median"],
                rows,
            )
            if args.no_browser or not Path(CHROMIUM).exists():
                continue
            pages = chromium(
                {f"{args.rows:,} rows": urls["large"], f"{SMALL:,} rows": urls["small"]}, 3, folder
            )
            large, small = pages[f"{args.rows:,} rows"], pages[f"{SMALL:,} rows"]
            table(
                f"{db}, real Chromium: navigation to the last chart drawn (seconds, 3 servers)",
                [f"{SMALL:,} min", "median", f"{args.rows // 1000:,}k min", "median", "x small"],
                [
                    (step, [*mm(small[step]), *mm(large[step]),
                            f"{statistics.median(large[step]) / statistics.median(small[step]):.2f}"])
                    for step in small
                ],
            )  # fmt: skip
    print(f"\nRepeats: {args.repeat} (Chromium: 3 servers, a first and a later load each, 2 of each rerun)")
    print(f"2 cores; databases and logs in {folder}")


if __name__ == "__main__":
    main()
