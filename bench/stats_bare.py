"""The Issuance stats page beside a bare Streamlit page, in the same Chromium run.

    python -m bench.stats_bare --rows 1000000 --repeat 5 [--folder DIR] [--markdown]

Two seeded synthetic histories on SQLite (bench/synthetic.py): 2,000 rows and ``--rows`` rows
(kept in ``--folder`` and reused by a later run). For each, the dashboard (``streamlit run
server.py``, as ``make run``) and the floor (bench/stats_floor.py: a title, a date range, a
multiselect and a metric, reading nothing) are served at once; one browser loads them turn about,
``--repeat`` times each after the worker's first rounds (until the history's version stays put
for 5 s) and one warming load of each: from navigation to the last chart drawn
(the stats page) or the metric shown (the floor), min / median, and the stats page's median over
the floor's. The issue's bar: within 2x.

:func:`readme_table` gives the README's table from :func:`measure`'s results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench import browser
from bench.browser import CHROMIUM, LAUNCH_ARGS
from bench.stats import DRAWN_JS, SMALL
from bench.synthetic import fill
from dashboard.history import History

FLOOR_JS = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return !!app && app.dataset.testScriptState === 'notRunning'
        && !!document.querySelector('[data-testid=stMetric]');
}"""
Results = dict[str, dict[str, list[float]]]  # history -> page ("stats", "floor") -> seconds


def histories(folder: Path, rows: int) -> dict[str, str]:
    """History name -> SQLite URL, filled once: a later run with the same folder reuses them."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = {}
    for count in (SMALL, rows):
        path = folder / f"history-{count}.db"
        done = path.with_suffix(".filled")
        if not done.exists():
            path.unlink(missing_ok=True)
            started = time.perf_counter()
            fill(History(f"sqlite:///{path}"), count)
            print(f"  filled {count:,} rows in {time.perf_counter() - started:.0f} s", flush=True)
            done.touch()
        urls[f"{count:,} rows"] = f"sqlite:///{path}"
    return urls


def _load(context, url: str, drawn: str) -> float:  # a Playwright BrowserContext
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(drawn, timeout=300_000, polling=20)
    seconds = time.perf_counter() - start
    page.close()
    return seconds


def settled(url: str, quiet_s: float = 5, limit_s: float = 180) -> None:
    """Wait out the worker's first rounds after a start: each status it records for the first
    time moves the history's version, and with it every figure the page keeps. Warm means after
    that (a dashboard that has been running a while)."""
    history = History(url)
    try:
        last, since, deadline = history.version(), time.monotonic(), time.monotonic() + limit_s
        while time.monotonic() - since < quiet_s and time.monotonic() < deadline:
            time.sleep(0.5)
            now = history.version()
            if now != last:
                last, since = now, time.monotonic()
    finally:
        history.close()


def measure(urls: dict[str, str], repeat: int, folder: Path) -> Results:
    """Per history, the stats page and the floor, warm, loaded turn about in one browser."""
    from playwright.sync_api import sync_playwright

    results: Results = {}
    floor = browser.serve("bench/stats_floor.py", browser.clean_environment({}), folder / "floor.log")
    try:
        with sync_playwright() as p:
            chrome = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            context = chrome.new_context(viewport={"width": 1280, "height": 800})
            for name, url in urls.items():
                log = folder / f"page-{name.replace(' ', '-').replace(',', '')}.log"
                with browser.dashboard({"DASHBOARD_DATABASE_URL": url}, log) as dashboard:
                    settled(url)
                    pages = {
                        "stats": (f"{dashboard}/issuance_stats", DRAWN_JS),
                        "floor": (floor.url, FLOOR_JS),
                    }
                    for target, drawn in pages.values():
                        _load(context, target, drawn)  # warming: server caches, browser cache
                    runs = results.setdefault(name, {})
                    for _ in range(repeat):
                        for page, (target, drawn) in pages.items():
                            runs.setdefault(page, []).append(_load(context, target, drawn))
            context.close()
            chrome.close()
    finally:
        floor.stop()
    return results


def readme_table(results: Results) -> str:
    """The README's table: per history, both pages' min / median (seconds) and the ratio."""
    lines = [
        "| warm load, real Chromium (s) | stats page min | median | bare page min | median | stats / bare |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, runs in results.items():
        stats, floor = runs["stats"], runs["floor"]
        ratio = statistics.median(stats) / statistics.median(floor)
        lines.append(
            f"| {name} | {min(stats):.2f} | {statistics.median(stats):.2f} | {min(floor):.2f} | "
            f"{statistics.median(floor):.2f} | {ratio:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/bench-stats-bare"))
    parser.add_argument("--markdown", action="store_true", help="print only the README's table")
    args = parser.parse_args()
    urls = histories(args.folder, args.rows)
    table = readme_table(measure(urls, args.repeat, args.folder))
    if args.markdown:
        print(table)
        return
    print(f"\nThe stats page beside a bare page, {args.repeat} warm loads each, turn about\n")
    print(table)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load} ({os.cpu_count()} cores)\nDatabases and logs in {args.folder}")


if __name__ == "__main__":
    main()
