"""What the page benches share: Portal Desk served as ``make run`` serves it, on a free port, and
real Chromium to time it in; the emulator, the worker, the dashboard and the floor page each in
its own process (``Stack``), for benches that restart one of them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PORTAL_DESK_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu"]
ENVIRONMENT = "emulator"  # where the history files what the emulator serves


def clean_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without credentials, .env, sign-in or demo history, with
    ``settings`` on top (the caller's settings win)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCALEKIT_", "DASHBOARD_", "GRPC_", "REQUESTS_CA"))
    }
    env.update(
        {
            "DASHBOARD_DOTENV": "",
            "DASHBOARD_OPERATOR": "bench@portal.test",
            "DASHBOARD_SIGN_IN": "off",
            "DASHBOARD_DEMO_HISTORY": "0",
        }
        | settings
    )
    return env


@dataclass
class Server:
    """``streamlit run`` of one script in its own process; ``url`` answers once started."""

    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def serve(
    script: str, env: dict[str, str], log: Path, args: tuple[str, ...] = (), options: tuple[str, ...] = ()
) -> Server:
    """Start ``streamlit run script -- args`` on a free port and return once it answers;
    ``options``: Streamlit's own, as ``section.name=value``. Streamlit exits when a port given
    on its command line is taken (the dashboard must know its port before it binds: sign-in and
    the emulator's frame origins), so a port lost between our choosing and its binding costs
    one more try."""
    for _ in range(5):
        port = free_port()
        with log.open("a") as out:
            start = out.tell()
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
                 "--server.headless", "true", "--browser.gatherUsageStats", "false",
                 *(f"--{option}" for option in options), *(("--", *args) if args else ())],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Server(process, f"http://127.0.0.1:{port}", log)
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                    return server
            except OSError:
                if process.poll() is not None:
                    if f"Port {port} is not available" in log.read_text()[start:]:
                        break  # taken meanwhile: another port
                    raise RuntimeError(f"{script} did not start; see {log}") from None
                if time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError(f"{script} did not start; see {log}") from None
                time.sleep(0.05)
    raise RuntimeError(f"{script} found no free port in 5 tries; see {log}")


@contextmanager
def dashboard(settings: dict[str, str], log: Path) -> Iterator[str]:
    """``streamlit run server.py`` with these settings on top of a clean environment (no
    credentials, no .env, sign-in off, no demo history); yields its URL once it answers."""
    server = serve("server.py", clean_environment(settings), log)
    try:
        yield server.url
    finally:
        server.stop()


@contextmanager
def emulator_process(orgs: int, latency_ms: float, folder: Path) -> Iterator[Path]:
    env_file = folder / "emulator.env"
    command = [sys.executable, "-m", "scalekit_emulator", "--orgs", str(orgs), "--seed", "7",
               "--latency-ms", str(latency_ms), "--env-file", str(env_file)]  # fmt: skip
    with (folder / "emulator.log").open("a") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        while not env_file.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"the emulator did not start; see {folder / 'emulator.log'}")
            time.sleep(0.05)
        yield env_file
    finally:
        proc.terminate()
        proc.wait()


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Stack:
    """The worker, the dashboard and the floor page on one database, each restartable."""

    def __init__(
        self, env_file: Path, database: Path, folder: Path, orgs: int, options: tuple[str, ...] = ()
    ) -> None:
        self.database, self.folder, self.options = database, folder, options
        common = {
            "DASHBOARD_DATABASE_URL": f"sqlite:///{database}",
            "DASHBOARD_EMULATOR_ENV_FILE": str(env_file),
        }
        self.worker_env = clean_environment(common)
        self.dashboard_env = clean_environment(
            common | {"DASHBOARD_WORKER": "off", "DASHBOARD_EMULATOR_ORGS": str(orgs)}
        )
        self.floor_env = clean_environment({})
        self.worker: subprocess.Popen | None = None
        self.dashboard: Server | None = None
        self.floor: Server | None = None

    def start_worker(self) -> None:
        self.stop_worker()
        with (self.folder / "worker.log").open("a") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "dashboard.worker"],
                cwd=ROOT, env=self.worker_env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def stop_worker(self) -> None:
        if self.worker is not None:
            self.worker.terminate()  # the worker releases its lease: the next one sweeps at once
            self.worker.wait(timeout=60)
            self.worker = None

    def start_dashboard(self) -> str:
        if self.dashboard is not None:
            self.dashboard.stop()
        self.dashboard = serve(
            "server.py", self.dashboard_env, self.folder / "dashboard.log", options=self.options
        )
        return self.dashboard.url

    def start_floor(self) -> str:
        if self.floor is not None:
            self.floor.stop()
        self.floor = serve(
            "bench/floor_page.py",
            self.floor_env,
            self.folder / "floor.log",
            (str(self.database), ENVIRONMENT),
            self.options,
        )
        return self.floor.url

    def stop(self) -> None:
        self.stop_worker()
        for server in (self.dashboard, self.floor):
            if server is not None:
                server.stop()
