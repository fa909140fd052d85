"""What each of Streamlit's settings in ``.streamlit/config.toml`` buys, in real Chromium.

    python -m bench.streamlit_settings --orgs 1000 --repeat 3

``make run`` turns off two of Streamlit's defaults: the full garbage collection after every
script run (``runner.postScriptGC``) and the file watcher (``server.fileWatcherType``; ``make
dev`` turns it back on to reload on save). This starts the dashboard four ways on one history
(the worker fills it first, then stops, so the page servers have the machine to themselves):
Streamlit's defaults, each setting off alone, and both off as ``make run`` has them. For each, a
new server, then from navigation to the Organizations table's rows and every status drawn: a
first visit (new browser context), a later visit (same context), and the server's CPU while one
tab sits open. The four take turns within each repeat, in a rotated order; min / median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from bench.browser import CHROMIUM, LAUNCH_ARGS, Stack, emulator_process
from bench.organizations import IDLE_S, idle_load, round_finished, visit, wait_for_round

SETTINGS = {
    "Streamlit's defaults": ("runner.postScriptGC=true", "server.fileWatcherType=auto"),
    "post-run GC off": ("runner.postScriptGC=false", "server.fileWatcherType=auto"),
    "file watcher off": ("runner.postScriptGC=true", "server.fileWatcherType=none"),
    "both off (make run)": ("runner.postScriptGC=false", "server.fileWatcherType=none"),
}
MEASURES = ("first visit s", "later visit s", "server CPU s per s, one tab open")


def one_setting(pw, stack: Stack, orgs: int) -> tuple[float, float, float]:
    """A new dashboard server with ``stack.options``: a first visit, a later one, the idle cost."""
    url = stack.start_dashboard()
    chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    try:
        context = chromium.new_context(viewport={"width": 1400, "height": 900})
        first = visit(context, url, orgs, complete=True)[1]
        later = visit(context, url, orgs, complete=True)[1]
        assert stack.dashboard is not None
        idle = idle_load(context, url, orgs, stack.dashboard, IDLE_S)
    finally:
        chromium.close()
    return first, later, idle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="bench-streamlit-settings-"))
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in SETTINGS}
    with emulator_process(args.orgs, 0.0, folder) as env_file, sync_playwright() as pw:
        stack = Stack(env_file, folder / "history.db", folder, args.orgs)
        before = round_finished(stack.database)
        stack.start_worker()
        wait_for_round(stack.database, before)
        stack.stop_worker()
        names = list(SETTINGS)
        for n in range(args.repeat):
            for name in names[n % len(names) :] + names[: n % len(names)]:
                stack.options = SETTINGS[name]
                results[name].append(one_setting(pw, stack, args.orgs))
        stack.stop()
    print(f"\n{args.orgs:,} organizations, the Organizations page; min / median of {args.repeat}\n")
    print("| settings | " + " | ".join(MEASURES) + " |")
    print("| --- | " + " | ".join("---:" for _ in MEASURES) + " |")
    for name, runs in results.items():
        cells = []
        for i in range(len(MEASURES)):
            values = [run[i] for run in runs]
            cells.append(f"{min(values):.2f} / {statistics.median(values):.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nLoad average at the end: {load} (2 cores)\nLogs in {folder}")


if __name__ == "__main__":
    main()
