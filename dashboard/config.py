"""Settings from the environment and ``.env``.

All three Scalekit variables set means a live environment; none means the bundled emulator; a
partial set is a startup error that names what is missing. Secrets stay out of ``repr`` so a
settings object can be logged or shown in a traceback without leaking them. Every value is
checked here, so a bad one stops the start with one sentence naming the variable instead of
breaking later (an invitation URL, a port, a switch that is quietly ignored).
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

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


ON_WORDS = ("1", "true", "yes", "on")
OFF_WORDS = ("0", "false", "no", "off")
MAX_PORT = 65535
# Bounds that keep a typo from hanging or crashing a process later (a timedelta overflows, an
# emulator with a billion organizations never starts); each is far beyond any real use.
MAX_CALL_TIMEOUT_S = 3600.0
MAX_EMULATOR_ORGS = 1_000_000
MAX_PORTAL_SESSION_S = 30 * 24 * 3600.0
MAX_LATENCY_MS = 60_000.0


def _figure(number: float) -> str:
    """65535, 3600, 1,000,000: thousands marked only where they help reading."""
    return f"{number:,.0f}" if number >= 100_000 else f"{number:g}"


def _shown(raw: str, limit: int = 40) -> str:
    """A bad value as a sentence may quote it: short, so a pasted secret never fills a page."""
    return repr(raw if len(raw) <= limit else raw[: limit - 3] + "...")


def _text(values: Mapping[str, str], key: str) -> str | None:
    return (values.get(key) or "").strip() or None


def _text_or(values: Mapping[str, str], key: str, default: str) -> str:
    return _text(values, key) or default


def _switch(values: Mapping[str, str], key: str, default: bool) -> bool:
    """Every on/off setting reads the same words, so no setting quietly ignores one of them.

    Hand-written rather than pydantic's bool: that one also takes t/f/y/n, and its error would
    not name the variable."""
    raw = _text(values, key)
    if raw is None:
        return default
    if raw.lower() in ON_WORDS:
        return True
    if raw.lower() in OFF_WORDS:
        return False
    words = "1/0, true/false, yes/no or on/off, in any case"
    raise ConfigError(f"{key} must be on or off ({words}), got {_shown(raw)}.")


def _whole(values: Mapping[str, str], key: str, default: int, low: int, high: int | None = None) -> int:
    raw = _text(values, key)
    if raw is None:
        return default
    within = f"from {low} to {_figure(high)}" if high is not None else f"of {low} or more"
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise ConfigError(f"{key} must be a whole number {within}, got {_shown(raw)}.")
    return number


def _amount(
    values: Mapping[str, str], key: str, default: float, unit: str, high: float, *, zero: bool
) -> float:
    """A number of ``unit`` up to ``high``; zero allowed only when ``zero`` (nan and inf never)."""
    raw = _text(values, key)
    if raw is None:
        return default
    within = f"from 0 to {_figure(high)}" if zero else f"greater than 0 and at most {_figure(high)}"
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not (0 <= number <= high) or (number == 0 and not zero):
        raise ConfigError(f"{key} must be a number of {unit} {within}, got {_shown(raw)}.")
    return number


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _address(key: str, raw: str, example: str) -> SplitResult:
    """An absolute http(s) URL with a host and nothing a browser or the SDK would misread: each
    problem is its own sentence. The URL itself is never quoted (it may carry a password)."""
    if any(c.isspace() or not c.isprintable() for c in raw):
        raise ConfigError(f"{key} must not contain spaces or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(
            f"{key} is not a valid address: its host or port cannot be read (a port is a number "
            f"from 1 to {MAX_PORT}); write it like {example}."
        ) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise ConfigError(f"{key} must start with https://, like {example}.")
    if not parts.hostname:
        raise ConfigError(f"{key} has no host name; write it like {example}.")
    if "@" in parts.netloc:
        raise ConfigError(f"{key} must not carry a user name or password.")
    if port == 0:
        raise ConfigError(f"{key} has port 0; a port is from 1 to {MAX_PORT}.")
    if parts.query or "?" in raw:
        raise ConfigError(f"{key} must not have a query (the part from '?'); write it like {example}.")
    if parts.fragment or "#" in raw:
        raise ConfigError(f"{key} must not have a fragment (the part from '#'); write it like {example}.")
    return parts


def _environment_url(raw: str) -> str:
    key, example = "SCALEKIT_ENVIRONMENT_URL", "https://acme.scalekit.dev"
    parts = _address(key, raw.rstrip("/"), example)
    if parts.scheme.lower() != "https":
        raise ConfigError(f"{key} must be an https:// URL, as shown in Scalekit's dashboard.")
    if parts.path:  # gRPC would drop it while the token request kept it: two different places
        raise ConfigError(f"{key} must be the environment's address alone, like {example}, with no path.")
    return f"https://{parts.netloc}"


def _relay_url(raw: str | None, live: bool) -> str | None:
    """The relay's public address, which every invitation URL starts with: ``<url>/i/<token>``."""
    if raw is None:
        return None
    key, example = "DASHBOARD_RELAY_URL", "https://portal-invite.example.com"
    parts = _address(key, raw, example)
    path = parts.path.rstrip("/")
    if path == "/i" or path.endswith("/i"):
        raise ConfigError(
            f"{key} must not end in /i: Portal Desk adds /i/ and the token itself. Write the relay's "
            f"address alone, like {example}."
        )
    scheme = parts.scheme.lower()
    if live and scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise ConfigError(
            f"{key} must start with https:// in a live environment: an invitation link is a "
            "credential and must not travel in clear (http:// is only for the emulator or localhost)."
        )
    return f"{scheme}://{parts.netloc}{path}"


def _listen_host(values: Mapping[str, str]) -> str:
    """Where ``make relay`` binds: an IP address or a host name, or uvicorn fails at bind time."""
    raw = _text_or(values, "DASHBOARD_RELAY_HOST", "0.0.0.0")
    try:
        ipaddress.ip_address(raw)
        return raw
    except ValueError:
        pass
    labels = raw.rstrip(".").split(".")
    if len(raw) > 253 or not all(
        re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?", x) for x in labels
    ):
        raise ConfigError(
            "DASHBOARD_RELAY_HOST must be an IP address to listen on (like 0.0.0.0 or 127.0.0.1) or "
            f"a host name, got {_shown(raw)}."
        )
    return raw


def _trusted_proxies(values: Mapping[str, str]) -> str:
    """uvicorn quietly takes a mistyped address as a name that never matches: refuse it here."""
    raw = _text_or(values, "DASHBOARD_RELAY_TRUSTED_PROXIES", "127.0.0.1")
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if entries == ["*"]:
        return raw
    for entry in entries:
        try:
            # strict, as uvicorn reads it: 10.0.0.1/24 (host bits set) would never match there
            ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError as exc:
            raise ConfigError(
                "DASHBOARD_RELAY_TRUSTED_PROXIES must list IP addresses or networks separated by "
                "commas (like 127.0.0.1, 10.0.0.0/8), or be a single * to trust any; "
                f"{_shown(entry)} is neither."
            ) from exc
    return ",".join(entries)


def _readable_file(key: str, path: str | None) -> str | None:
    if path is None:
        return None
    try:
        readable = Path(path).is_file() and os.access(path, os.R_OK)
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        readable = False
    if not readable:
        raise ConfigError(
            f"{key} names {_shown(path, 200)}, which is not a file Portal Desk can read. Point it "
            "at the CA bundle (a PEM file), or unset it."
        )
    return path


def _smtp(values: Mapping[str, str]) -> SmtpSettings | None:
    url = _text(values, "DASHBOARD_SMTP_URL")
    if url is None:
        return None
    try:
        smtp = parse_smtp_url(url, values.get("DASHBOARD_SMTP_FROM"), _text(values, "DASHBOARD_SMTP_CA_FILE"))
    except ValueError as exc:  # urlsplit's own refusals (a broken [IPv6] host); the URL may hold a password
        raise ConfigError(
            "DASHBOARD_SMTP_URL must look like smtp://user:password@host:587 (STARTTLS), "
            "smtps://…:465 (TLS) or smtp+insecure://host:25."
        ) from exc
    _readable_file("DASHBOARD_SMTP_CA_FILE", smtp.ca_file)
    return smtp


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
    present = {key: values.get(key, "").strip() for key in SCALEKIT_KEYS}
    missing = [key for key, value in present.items() if not value]
    if 0 < len(missing) < len(SCALEKIT_KEYS):
        raise ConfigError(
            f"Scalekit credentials are incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing. Set all three of "
            f"{', '.join(SCALEKIT_KEYS)} to use a live environment, or none to use the local emulator."
        )
    live = not missing
    operator_role = _text_or(values, "DASHBOARD_OPERATOR_ROLE", "admin").lower()
    if operator_role not in ROLES:
        raise ConfigError(f"DASHBOARD_OPERATOR_ROLE must be one of {', '.join(ROLES)}.")
    seconds, session_s = MAX_CALL_TIMEOUT_S, MAX_PORTAL_SESSION_S
    return Settings(
        notify_urls=tuple(u for u in re.split(r"[\s,]+", values.get("DASHBOARD_NOTIFY_URLS") or "") if u),
        worker_intervals=tuple(
            (
                key[len("DASHBOARD_WORKER_") : -2].lower(),
                _amount(values, key, 1.0, "seconds", 86400, zero=False),
            )
            for key in sorted(values)
            if key.startswith("DASHBOARD_WORKER_") and key.endswith("_S") and values[key].strip()
        ),
        operator_role=operator_role,
        run_worker=_switch(values, "DASHBOARD_WORKER", True),
        sign_in=_switch(values, "DASHBOARD_SIGN_IN", True),
        preview_org=_text(values, "DASHBOARD_PREVIEW_ORG"),
        emulator_env_file=_text(values, "DASHBOARD_EMULATOR_ENV_FILE"),
        relay_url=_relay_url(_text(values, "DASHBOARD_RELAY_URL"), live),
        relay_host=_listen_host(values),
        relay_port=_whole(values, "DASHBOARD_RELAY_PORT", 8502, 1, MAX_PORT),
        relay_trusted_proxies=_trusted_proxies(values),
        relay_brand=_text_or(values, "DASHBOARD_RELAY_BRAND", "Admin portal"),
        support_contact=_text_or(values, "DASHBOARD_SUPPORT_CONTACT", "your account team"),
        smtp=_smtp(values),
        environment_url=_environment_url(present["SCALEKIT_ENVIRONMENT_URL"]) if live else None,
        client_id=present["SCALEKIT_CLIENT_ID"] if live else None,
        client_secret=present["SCALEKIT_CLIENT_SECRET"] if live else None,
        ca_bundle=_readable_file("SCALEKIT_CA_BUNDLE", _text(values, "SCALEKIT_CA_BUNDLE")) if live else None,
        # Checked deeply by the history, which owns it (its sentences name the driver, the server).
        database_url=_text_or(values, "DASHBOARD_DATABASE_URL", DEFAULT_DATABASE_URL),
        operator=_text(values, "DASHBOARD_OPERATOR"),
        call_timeout_s=_amount(values, "SCALEKIT_CALL_TIMEOUT", 10.0, "seconds", seconds, zero=False),
        emulator_orgs=_whole(values, "DASHBOARD_EMULATOR_ORGS", 40, 1, MAX_EMULATOR_ORGS),
        emulator_seed=_whole(values, "DASHBOARD_EMULATOR_SEED", 7, 0),
        demo_history=_switch(values, "DASHBOARD_DEMO_HISTORY", True),
        emulator_portal_session_s=_amount(
            values, "DASHBOARD_EMULATOR_PORTAL_SESSION_TTL", 6 * 3600, "seconds", session_s, zero=False
        ),
        emulator_latency_ms=_amount(
            values, "DASHBOARD_EMULATOR_LATENCY_MS", 0.0, "milliseconds", MAX_LATENCY_MS, zero=True
        ),
        emulator_readings=tuple(r for r in (_text(values, "DASHBOARD_EMULATOR_READINGS") or "").split() if r),
    )

