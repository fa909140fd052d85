"""Settings from the environment and ``.env``.

All three Scalekit variables set means a live environment; none means the bundled emulator; a
partial set is a startup error that names what is missing. Secrets stay out of ``repr`` so a
settings object can be logged or shown in a traceback without leaking them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from .errors import ConfigError
from .mailer import SmtpSettings, parse_smtp_url
from .models import ROLES

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


def _number(values: Mapping[str, str], key: str, default: float, kind: type) -> float:
    raw = values.get(key)
    if raw in (None, ""):
        return default
    try:
        number = kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{key} must be a number, got {raw!r}.") from exc
    if number <= 0:
        raise ConfigError(f"{key} must be greater than zero.")
    return number


def _latency(values: Mapping[str, str]) -> float:
    raw = (values.get("DASHBOARD_EMULATOR_LATENCY_MS") or "").strip()
    if not raw:
        return 0.0
    try:
        latency = float(raw)
    except ValueError as exc:
        raise ConfigError(f"DASHBOARD_EMULATOR_LATENCY_MS must be a number, got {raw!r}.") from exc
    if latency < 0:
        raise ConfigError("DASHBOARD_EMULATOR_LATENCY_MS must not be negative.")
    return latency


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | Path | None = ".env"
) -> Settings:
    """Read settings; the process environment wins over ``.env``."""
    values: dict[str, str] = {}
    if dotenv_path and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    present = {key: values.get(key, "").strip() for key in SCALEKIT_KEYS}
    missing = [key for key, value in present.items() if not value]
    if 0 < len(missing) < len(SCALEKIT_KEYS):
        raise ConfigError(
            f"Scalekit credentials are incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Set all three of "
            f"{', '.join(SCALEKIT_KEYS)} to use a live environment, or none to use the local emulator."
        )
    live = not missing
    url = present["SCALEKIT_ENVIRONMENT_URL"].rstrip("/") if live else None
    if url is not None and urlsplit(url).scheme != "https":
        raise ConfigError(
            "SCALEKIT_ENVIRONMENT_URL must be an https:// URL, as shown in Scalekit's dashboard."
        )
    relay_url = (values.get("DASHBOARD_RELAY_URL") or "").strip().rstrip("/") or None
    if relay_url and urlsplit(relay_url).scheme not in ("http", "https"):
        raise ConfigError("DASHBOARD_RELAY_URL must be the relay's public http(s):// address.")
    smtp_url = (values.get("DASHBOARD_SMTP_URL") or "").strip()
    smtp = (
        parse_smtp_url(smtp_url, values.get("DASHBOARD_SMTP_FROM"), values.get("DASHBOARD_SMTP_CA_FILE"))
        if smtp_url
        else None
    )
    operator_role = (values.get("DASHBOARD_OPERATOR_ROLE") or "admin").strip().lower()
    if operator_role not in ROLES:
        raise ConfigError(f"DASHBOARD_OPERATOR_ROLE must be one of {', '.join(ROLES)}.")
    return Settings(
        notify_urls=tuple(u for u in re.split(r"[\s,]+", values.get("DASHBOARD_NOTIFY_URLS") or "") if u),
        worker_intervals=tuple(
            (key[len("DASHBOARD_WORKER_") : -2].lower(), _number(values, key, 1.0, float))
            for key in sorted(values)
            if key.startswith("DASHBOARD_WORKER_") and key.endswith("_S") and values[key].strip()
        ),
        operator_role=operator_role,
        run_worker=(values.get("DASHBOARD_WORKER") or "on").strip().lower()
        not in ("0", "off", "false", "no"),
        sign_in=(values.get("DASHBOARD_SIGN_IN") or "on").strip().lower() not in ("0", "off", "false", "no"),
        preview_org=(values.get("DASHBOARD_PREVIEW_ORG") or "").strip() or None,
        emulator_env_file=(values.get("DASHBOARD_EMULATOR_ENV_FILE") or "").strip() or None,
        relay_url=relay_url,
        relay_host=(values.get("DASHBOARD_RELAY_HOST") or "0.0.0.0").strip(),
        relay_port=int(_number(values, "DASHBOARD_RELAY_PORT", 8502, int)),
        relay_trusted_proxies=(values.get("DASHBOARD_RELAY_TRUSTED_PROXIES") or "127.0.0.1").strip(),
        relay_brand=(values.get("DASHBOARD_RELAY_BRAND") or "Admin portal").strip(),
        support_contact=(values.get("DASHBOARD_SUPPORT_CONTACT") or "your account team").strip(),
        smtp=smtp,
        environment_url=url,
        client_id=present["SCALEKIT_CLIENT_ID"] if live else None,
        client_secret=present["SCALEKIT_CLIENT_SECRET"] if live else None,
        ca_bundle=(values.get("SCALEKIT_CA_BUNDLE") or None) if live else None,
        database_url=values.get("DASHBOARD_DATABASE_URL") or DEFAULT_DATABASE_URL,
        operator=(values.get("DASHBOARD_OPERATOR") or "").strip() or None,
        call_timeout_s=_number(values, "SCALEKIT_CALL_TIMEOUT", 10.0, float),
        emulator_orgs=int(_number(values, "DASHBOARD_EMULATOR_ORGS", 40, int)),
        emulator_seed=int(_number(values, "DASHBOARD_EMULATOR_SEED", 7, int)),
        demo_history=(values.get("DASHBOARD_DEMO_HISTORY") or "1").strip().lower()
        not in ("0", "false", "no"),
        emulator_portal_session_s=_number(values, "DASHBOARD_EMULATOR_PORTAL_SESSION_TTL", 6 * 3600, float),
        emulator_latency_ms=_latency(values),
    )


def trust_ca_bundle(path: str) -> None:
    """Make the SDK's HTTP and gRPC clients trust ``path``.

    gRPC reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once per process, before its first secure
    channel, so this must run before any Scalekit client is built. Both variables are
    overwritten: machines often preset them to the system bundle, which lacks the emulator CA.
    """
    os.environ["REQUESTS_CA_BUNDLE"] = path
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = path
