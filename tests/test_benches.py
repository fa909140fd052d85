"""Every bench runs, at a tiny size, and prints its table: none can rot unnoticed (a crash in one
once made the README's relay figures impossible to reproduce). The figures are not checked: tests
never assert wall-clock times."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every bench runs as a command (make check leaves them to make test)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_DESK_CHROMIUM", "/usr/bin/chromium")


def bench(*args: str, timeout: float = 240) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))}
    env["DASHBOARD_DOTENV"] = ""
    done = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "Traceback" not in done.stderr
    return done.stdout


def test_emulator_start_bench() -> None:
    out = bench("bench.emulator_start", "--orgs", "5", "--repeat", "2")
    assert re.search(r"^\| 5 \| [\d.]+ / [\d.]+ \| [\d.]+ / [\d.]+ \|", out, re.M), out


def test_relay_bench() -> None:
    args = ("--db", "sqlite", "--opens", "16", "--openers", "1", "2", "--repeat", "1")
    out = bench("bench.relay", *args, "--markdown")
    lines = out.strip().splitlines()[-6:]  # only the table: what bench/readme.py pastes
    assert lines[0] == "| database | openers | app | p50 ms | p99 ms | opens/s | of the floor |"
    assert [line.split(" | ")[1:3] for line in lines[2:]] == [
        ["1", "floor (HTTP + SDK)"],
        ["1", "relay"],
        ["2", "floor (HTTP + SDK)"],
        ["2", "relay"],
    ]


def test_stats_bench() -> None:
    out = bench("bench.stats", "--rows", "300", "--db", "sqlite", "--repeat", "1", "--no-browser")
    assert "KPIs" in out


@pytest.mark.browser
def test_organizations_bench() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    out = bench("bench.organizations", "--orgs", "40", "--repeat", "1", timeout=400)
    assert "floor" in out


@pytest.mark.browser
def test_streamlit_settings_bench() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    out = bench("bench.streamlit_settings", "--orgs", "20", "--repeat", "1", timeout=900)
    assert re.search(r"^\| both off \(make run\) \| [\d.]+ / [\d.]+ \|", out, re.M), out


def test_sdk_suite_bench_says_what_it_needs() -> None:
    out = bench("bench.sdk_suite")  # no vendor checkout here: it says so and runs nothing
    assert "SCALEKIT_SDK_PYTHON_DIR" in out or "checkout" in out
