"""``make run`` with no Scalekit credentials: the emulator in its own process, and sign-in against it.

The emulator runs beside the dashboard (``python -m scalekit_emulator``), so its gRPC and HTTP
threads never compete with Streamlit's, and it is stopped with the server. It is also the
identity provider: Portal Desk is registered with it as an OpenID Connect client, and
``st.login`` is configured to use it, so a newcomer signs in as a demo rep or manager.

The client secret and Streamlit's cookie secret are generated on the first run into ``data/``
(git-ignored, private to the user) and reused after, so a restart keeps everyone signed in.
``DASHBOARD_SIGN_IN=off`` starts the emulator without sign-in (typed names, for scripted demos).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scalekit_emulator import local_origins
from scalekit_emulator.state import PROBLEM as STATE_PROBLEM

from .config import Settings
from .errors import ConfigError

CLIENT_ID = "portal-desk"
DEMO_BRAND = ("Portal Desk Demo", "#5b5bd6")
START_TIMEOUT_S = 60.0
ENV_FILE_VARIABLE = "DASHBOARD_EMULATOR_ENV_FILE"  # how the app's sessions find the emulator
EMULATOR_STATE = Path("data") / "emulator-state.json"  # make run's Scalekit data, kept across restarts


def state_file_for(config: Settings) -> Path:
    """Where the emulator keeps its data across restarts: beside the SQLite history that mentions
    it, so another history (a test's, a second checkout's) never meets these organizations;
    ``data/`` when the history is on a database server."""
    try:
        url = make_url(config.database_url)
    except ArgumentError:
        return EMULATOR_STATE
    if url.drivername.startswith("sqlite") and url.database and url.database != ":memory:":
        return Path(url.database.removeprefix("file:")).with_name(EMULATOR_STATE.name)
    return EMULATOR_STATE


def _private_write(path: Path, text: str) -> None:
    """Written whole and readable by the user alone (it holds secrets)."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(partial, path)


def sign_in_secrets(folder: Path) -> dict[str, str]:
    """The client secret and cookie secret, made once per checkout."""
    path = folder / "sign-in-secrets.json"
    kept = _kept(path)
    if kept is not None:
        return kept
    # None yet, or unreadable: made afresh (everyone signs in again; nothing else is lost).
    made = {"client_secret": secrets.token_urlsafe(32), "cookie_secret": secrets.token_urlsafe(32)}
    _private_write(path, json.dumps(made))
    return made


def _kept(path: Path) -> dict[str, str] | None:
    try:
        kept = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or not {"client_secret", "cookie_secret"} <= set(kept):
        return None
    return {key: str(kept[key]) for key in ("client_secret", "cookie_secret")}


@dataclass
class LocalStack:
    process: subprocess.Popen[bytes]
    env_file: Path
    secrets: dict[str, Any] = field(default_factory=dict, repr=False)  # for Streamlit's secrets
    log: Path | None = None

    def stop(self, keep_log: bool = False) -> None:
        stop_process(self.process)
        if not keep_log:
            shutil.rmtree(self.env_file.parent, ignore_errors=True)


def start(
    config: Settings, *, dashboard_url: str, folder: Path, sign_in: bool, state_file: Path | None = None
) -> LocalStack:
    """Start the emulator and wait until it has written its settings; raise ConfigError if it
    cannot start (the message names its log). ``folder`` keeps the sign-in secrets; what belongs
    to this run alone (the emulator's settings, its log) goes to a private temporary folder, so
    two servers on one checkout (make run beside make test) never share it. ``state_file``: the
    emulator keeps its data there across restarts (``make run``: ``data/emulator-state.json``)."""
    folder.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="portal-desk-emulator-"))
    env_file, log = run / "emulator.env", run / "emulator.log"
    command = [
        sys.executable,
        "-m",
        "scalekit_emulator",
        "--orgs",
        str(config.emulator_orgs),
        "--seed",
        str(config.emulator_seed),
        "--portal-session-ttl",
        str(config.emulator_portal_session_s),
        "--brand-name",
        DEMO_BRAND[0],
        "--brand-color",
        DEMO_BRAND[1],
        "--env-file",
        str(env_file),
        "--exit-with-parent",  # a server killed outright leaves no emulator behind
        "--latency-ms",
        str(config.emulator_latency_ms),
        *(a for reading in config.emulator_readings for a in ("--reading", reading)),
        *(("--state-file", str(state_file)) if state_file is not None else ()),
        # The dashboard's own origins may frame the portal preview (as registered live in Scalekit).
        *(
            a
            for o in (dashboard_url, *local_origins(urlsplit(dashboard_url).port or 80))
            for a in ("--allowed-origin", o)
        ),
    ]
    made: dict[str, str] = {}
    if sign_in:
        made = sign_in_secrets(folder)
        callback = f"{dashboard_url.rstrip('/')}/oauth2callback"
        client = {
            "client_id": CLIENT_ID,
            "client_secret": made["client_secret"],
            "redirect_uris": [callback],
            "post_logout_redirect_uris": [callback],  # where st.logout returns to
        }
        clients_file = run / "oidc-clients.json"
        _private_write(clients_file, json.dumps([client]))
        command += ["--oidc-clients", str(clients_file)]
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=_clean_environment())
    stack = LocalStack(process, env_file, log=log)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not env_file.is_file():
        if process.poll() is not None or time.monotonic() > deadline:
            stack.stop(keep_log=True)
            raise ConfigError(f"The local Scalekit emulator did not start; see {log}.")
        time.sleep(0.05)
    _tell_state_problem(log)
    if sign_in:
        values = dotenv_values(env_file)
        stack.secrets = {
            "auth": {
                "redirect_uri": f"{dashboard_url.rstrip('/')}/oauth2callback",
                "cookie_secret": made["cookie_secret"],
                "client_id": CLIENT_ID,
                "client_secret": made["client_secret"],
                "server_metadata_url": values["SCALEKIT_EMULATOR_OIDC_DISCOVERY"] or "",
            },
            # The emulator's ID tokens carry each person's role in a "roles" claim.
            "roles": {"claim": "roles"},
        }
    return stack


def _tell_state_problem(log: Path) -> None:
    """A state file the emulator could not use is one sentence in its log, which goes with the
    run's temporary folder: say it where the server's own messages go."""
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(STATE_PROBLEM):
            print(f"Portal Desk: {line}", file=sys.stderr)


class Started:
    """What ``make run`` started beside this server, for the pages' settings in the same process.

    Said here rather than through ``os.environ``, which every library of the process (and every
    child it starts) would read too. ``runtime.settings()`` lays these over the environment."""

    def __init__(self) -> None:
        self.env_file: str | None = None  # the emulator's settings file
        self.relay_url: str | None = None  # the relay's address: invitations point there

    def settings(self) -> dict[str, str]:
        """As settings variables, for ``load_settings(overrides=...)``."""
        named = {ENV_FILE_VARIABLE: self.env_file, "DASHBOARD_RELAY_URL": self.relay_url}
        return {key: value for key, value in named.items() if value}

    def clear(self) -> None:
        self.env_file = self.relay_url = None


STARTED = Started()


def _clean_environment() -> dict[str, str]:
    """The emulator's own process must not inherit trust settings meant for the dashboard."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "GRPC_DEFAULT_SSL"))}


def worker_environment(env_file: Path | None, relay_url: str | None) -> dict[str, str]:
    """The worker's own environment: the server's, with the emulator's settings file and the
    relay's address this server started (a child process learns them only this way)."""
    env = dict(os.environ)
    if env_file is not None:
        env[ENV_FILE_VARIABLE] = str(env_file.resolve())
    if relay_url:
        env["DASHBOARD_RELAY_URL"] = relay_url
    return env


def start_worker(env_file: Path | None, relay_url: str | None = None) -> subprocess.Popen[bytes]:
    """The worker in its own process, beside the server (``make run``): it lists, polls and
    notifies, so the server's pages only read. ``env_file``: the emulator's settings, on the
    emulator; ``relay_url``: the relay this server started, where reminders point. Its log lines
    go where the server's go; it stops when the server does, or by itself when the server is
    killed outright."""
    env = worker_environment(env_file, relay_url)
    command = [sys.executable, "-m", "dashboard.worker", "--exit-with-parent"]
    return subprocess.Popen(command, env=env)


def start_relay(env_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The relay in its own process on a free loopback port (``make run`` on the emulator), so the
    server runs no web service of its own; returns the process and its address."""
    url_file = env_file.parent / "relay.url"
    env = {**os.environ, ENV_FILE_VARIABLE: str(env_file.resolve()), "DASHBOARD_RELAY_HOST": "127.0.0.1"}
    command = [sys.executable, "-m", "dashboard.relay", "--port", "0", "--url-file", str(url_file)]
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not url_file.is_file():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise ConfigError("The local relay did not start; see the server's log.")
        time.sleep(0.05)
    return process, url_file.read_text().strip()


def stop_process(process: subprocess.Popen[bytes], timeout_s: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass(frozen=True)
class RunningEmulator:
    """An emulator another process started, as its ``--env-file`` describes it."""

    env_url: str
    client_id: str
    client_secret: str = field(repr=False)
    ca_bundle: str
    portal_url: str


def running_emulator(path: str | None) -> RunningEmulator | None:
    if not path or not Path(path).is_file():
        return None
    values = dotenv_values(path)
    try:
        return RunningEmulator(
            env_url=values["SCALEKIT_ENVIRONMENT_URL"] or "",
            client_id=values["SCALEKIT_CLIENT_ID"] or "",
            client_secret=values["SCALEKIT_CLIENT_SECRET"] or "",
            ca_bundle=values["SCALEKIT_CA_BUNDLE"] or "",
            portal_url=values["SCALEKIT_EMULATOR_PORTAL_URL"] or "",
        )
    except KeyError as exc:
        raise ConfigError(f"{path} is not an emulator's settings file: {exc.args[0]} is missing.") from exc
