"""Settings from the environment and ``.env``.

All three Scalekit variables set means a live environment; none means the bundled emulator; a
partial set is a startup error that names what is missing. Secrets stay out of ``repr`` so a
settings object can be logged or shown in a traceback without leaking them. Every value is
checked here, so a bad one stops the start with one sentence naming the variable instead of
breaking later (an invitation URL, a port, a switch that is quietly ignored).

Each part of Portal Desk reads its own variables through a pydantic-settings model
(``config_parts``); ``Settings`` gathers them into the one frozen object the code passes around.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from . import config_parts
from .config_checks import readable_file, relay_url_when_live
from .config_parts import (
    EmulatorPart,
    HistoryPart,
    NotificationsPart,
    PagesPart,
    RelayPart,
    ScalekitPart,
    SmtpPart,
    WorkerPart,
    read,
)
from .errors import ConfigError
from .mailer import SmtpSettings

SCALEKIT_KEYS = ("SCALEKIT_ENVIRONMENT_URL", "SCALEKIT_CLIENT_ID", "SCALEKIT_CLIENT_SECRET")
DEFAULT_DATABASE_URL = "sqlite:///data/issuance.db"
EMULATOR_LABEL = "Local emulator"


@dataclass(frozen=True)
class Settings:
    environment_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # A CA bundle to trust for Scalekit (set by an emulator's --env-file); None keeps normal trust.
    ca_bundle: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    operator: str | None = None
    operator_role: str = "admin"  # DASHBOARD_OPERATOR's role: a one-operator deployment
    sign_in: bool = True  # on the emulator: sign in through its identity provider (make run)
    preview_org: str | None = None  # a demo organization the Portal preview offers first
    # On the emulator: one already running (make run starts it beside the server), as its
    # --env-file describes it; None: the server process embeds one (tests, AppTest).
    emulator_env_file: str | None = None
    call_timeout_s: float = 10.0
    emulator_orgs: int = 40
    emulator_seed: int = 7
    emulator_portal_session_s: float = 6 * 3600
    emulator_latency_ms: float = 0.0  # a delay on every emulator RPC: a distant Scalekit, for demos
    # Where Scalekit's sources disagree, which reading the emulator plays (python -m
    # scalekit_emulator --readings lists them); empty: the documented defaults.
    emulator_readings: tuple[str, ...] = ()
    demo_history: bool = True  # emulator mode only: seed a plausible history into an empty database
    # The relay: its public address (invitation URLs start with it), where it listens when run on
    # its own, which proxies may tell it the client's address, and what its pages say.
    relay_url: str | None = None
    relay_host: str = "0.0.0.0"
    relay_port: int = 8502
    relay_trusted_proxies: str = "127.0.0.1"
    relay_brand: str = "Admin portal"
    support_contact: str = "your account team"
    smtp: SmtpSettings | None = None  # None: invitations are sent from the rep's own mail client
    # The worker: Apprise URLs for the team's notifications, and its job intervals in seconds
    # (DASHBOARD_WORKER_<JOB>_S, e.g. WATCH; for tests and demos, the defaults suit production).
    notify_urls: tuple[str, ...] = field(default=(), repr=False)  # may hold webhook secrets
    worker_intervals: tuple[tuple[str, float], ...] = ()
    run_worker: bool = True  # make run starts a worker beside the server (off: workers run apart)

    @property
    def uses_emulator(self) -> bool:
        return self.environment_url is None

    @property
    def environment_host(self) -> str:
        """Where rows and caches are filed: the live host, or ``emulator``."""
        if self.environment_url is None:
            return "emulator"
        return urlsplit(self.environment_url).netloc or self.environment_url

    @property
    def environment_label(self) -> str:
        return EMULATOR_LABEL if self.uses_emulator else self.environment_host


def load_settings(
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | Path | None = ".env",
    overrides: Mapping[str, str] | None = None,
) -> Settings:
    """Read settings; the process environment wins over ``.env``, and ``overrides`` (what this
    process started itself, like make run's emulator and relay) over both. Every value is checked
    here, so a bad one is one ConfigError sentence at start, never a traceback later."""
    values: dict[str, str] = {}
    if dotenv_path and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    values.update(overrides or {})
    settings = _checked(tuple(sorted(values.items())))
    # Files are looked at every time: one removed since is a sentence now, not a failed call later.
    readable_file("SCALEKIT_CA_BUNDLE", settings.ca_bundle)
    readable_file("DASHBOARD_SMTP_CA_FILE", settings.smtp.ca_file if settings.smtp else None)
    return settings


@functools.lru_cache(maxsize=16)
def _checked(items: tuple[tuple[str, str], ...]) -> Settings:
    """Settings from the merged variables. The same variables give the same Settings, so the
    pages, which read them on every rerun, pay a lookup: pydantic-settings builds its sources
    anew for each part, about 1 ms each. A refusal is not kept: it is raised again each time."""
    values = dict(items)
    present = {key: values.get(key, "").strip() for key in SCALEKIT_KEYS}
    missing = [key for key, value in present.items() if not value]
    if 0 < len(missing) < len(SCALEKIT_KEYS):
        raise ConfigError(
            f"Scalekit credentials are incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Set all three of "
            f"{', '.join(SCALEKIT_KEYS)} to use a live environment, or none to use the local emulator."
        )
    live = not missing
    with config_parts.reading(values):
        scalekit, pages, history = read(ScalekitPart), read(PagesPart), read(HistoryPart)
        relay, emulator = read(RelayPart), read(EmulatorPart)
        smtp, notifications, worker = read(SmtpPart), read(NotificationsPart), read(WorkerPart)
        intervals = worker.intervals()
    return Settings(
        environment_url=scalekit.environment_url if live else None,
        client_id=scalekit.client_id if live else None,
        client_secret=scalekit.client_secret if live else None,
        ca_bundle=scalekit.live_ca_bundle(),
        call_timeout_s=scalekit.call_timeout,
        database_url=history.database_url,
        demo_history=history.demo_history,
        operator=pages.operator,
        operator_role=pages.operator_role,
        sign_in=pages.sign_in,
        preview_org=pages.preview_org,
        emulator_env_file=emulator.env_file,
        emulator_orgs=emulator.orgs,
        emulator_seed=emulator.seed,
        emulator_portal_session_s=emulator.portal_session_ttl,
        emulator_latency_ms=emulator.latency_ms,
        emulator_readings=emulator.readings,
        relay_url=relay_url_when_live(RelayPart.variable("url"), relay.url, live),
        relay_host=relay.host,
        relay_port=relay.port,
        relay_trusted_proxies=relay.trusted_proxies,
        relay_brand=relay.brand,
        support_contact=relay.support_contact,
        smtp=smtp.settings(),
        notify_urls=notifications.urls,
        worker_intervals=intervals,
        run_worker=worker.worker,
    )
