"""The checks behind every setting, each failure one sentence naming the variable.

Each check takes the variable's name and its value as typed (stripped, never empty: an empty
variable is an unset one) and returns the value to use or raises :class:`ConfigError`."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from .errors import ConfigError
from .models import ROLES

ON_WORDS = ("1", "true", "yes", "on")
OFF_WORDS = ("0", "false", "no", "off")
MAX_PORT = 65535
# Bounds that keep a typo from hanging or crashing a process later (a timedelta overflows, an
# emulator with a billion organizations never starts); each is far beyond any real use.
MAX_CALL_TIMEOUT_S = 3600.0
MAX_EMULATOR_ORGS = 1_000_000
MAX_PORTAL_SESSION_S = 30 * 24 * 3600.0
MAX_LATENCY_MS = 60_000.0
MAX_INTERVAL_S = 86400.0


def _figure(number: float) -> str:
    """65535, 3600, 1,000,000: thousands marked only where they help reading."""
    return f"{number:,.0f}" if number >= 100_000 else f"{number:g}"


def shown(raw: str, limit: int = 40) -> str:
    """A bad value as a sentence may quote it: short, so a pasted secret never fills a page."""
    return repr(raw if len(raw) <= limit else raw[: limit - 3] + "...")


def switch(key: str, raw: str) -> bool:
    """Every on/off setting reads the same words, so no setting quietly ignores one of them.

    Ours rather than pydantic's bool: that one also takes t/f/y/n, and its error would not name
    the variable."""
    if raw.lower() in ON_WORDS:
        return True
    if raw.lower() in OFF_WORDS:
        return False
    words = "1/0, true/false, yes/no or on/off, in any case"
    raise ConfigError(f"{key} must be on or off ({words}), got {shown(raw)}.")


def whole(key: str, raw: str, low: int, high: int | None = None) -> int:
    within = f"from {low} to {_figure(high)}" if high is not None else f"of {low} or more"
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or number < low or (high is not None and number > high):
        raise ConfigError(f"{key} must be a whole number {within}, got {shown(raw)}.")
    return number


def amount(key: str, raw: str, unit: str, high: float, *, zero: bool) -> float:
    """A number of ``unit`` up to ``high``; zero allowed only when ``zero`` (nan and inf never)."""
    within = f"from 0 to {_figure(high)}" if zero else f"greater than 0 and at most {_figure(high)}"
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not (0 <= number <= high) or (number == 0 and not zero):
        raise ConfigError(f"{key} must be a number of {unit} {within}, got {shown(raw)}.")
    return number


def role(key: str, raw: str) -> str:
    if raw.lower() not in ROLES:
        raise ConfigError(f"{key} must be one of {', '.join(ROLES)}.")
    return raw.lower()


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


def environment_url(key: str, raw: str) -> str:
    example = "https://acme.scalekit.dev"
    parts = _address(key, raw.rstrip("/"), example)
    if parts.scheme.lower() != "https":
        raise ConfigError(f"{key} must be an https:// URL, as shown in Scalekit's dashboard.")
    if parts.path:  # gRPC would drop it while the token request kept it: two different places
        raise ConfigError(f"{key} must be the environment's address alone, like {example}, with no path.")
    return f"https://{parts.netloc}"


RELAY_EXAMPLE = "https://portal-invite.example.com"


def relay_url(key: str, raw: str) -> str:
    """The relay's public address, which every invitation URL starts with: ``<url>/i/<token>``."""
    parts = _address(key, raw, RELAY_EXAMPLE)
    path = parts.path.rstrip("/")
    if path == "/i" or path.endswith("/i"):
        raise ConfigError(
            f"{key} must not end in /i: Portal Desk adds /i/ and the token itself. Write the relay's "
            f"address alone, like {RELAY_EXAMPLE}."
        )
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def relay_url_when_live(key: str, url: str | None, live: bool) -> str | None:
    """An invitation link is a credential: in a live environment it travels over https only."""
    parts = urlsplit(url or "")
    if url and live and parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise ConfigError(
            f"{key} must start with https:// in a live environment: an invitation link is a "
            "credential and must not travel in clear (http:// is only for the emulator or localhost)."
        )
    return url


def listen_host(key: str, raw: str) -> str:
    """Where ``make relay`` binds: an IP address or a host name, or uvicorn fails at bind time."""
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
            f"{key} must be an IP address to listen on (like 0.0.0.0 or 127.0.0.1) or "
            f"a host name, got {shown(raw)}."
        )
    return raw


def trusted_proxies(key: str, raw: str) -> str:
    """uvicorn quietly takes a mistyped address as a name that never matches: refuse it here."""
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if entries == ["*"]:
        return raw
    for entry in entries:
        try:
            # strict, as uvicorn reads it: 10.0.0.1/24 (host bits set) would never match there
            ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError as exc:
            raise ConfigError(
                f"{key} must list IP addresses or networks separated by "
                "commas (like 127.0.0.1, 10.0.0.0/8), or be a single * to trust any; "
                f"{shown(entry)} is neither."
            ) from exc
    return ",".join(entries)


def readable_file(key: str, path: str | None) -> str | None:
    if path is None:
        return None
    try:
        readable = Path(path).is_file() and os.access(path, os.R_OK)
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        readable = False
    if not readable:
        raise ConfigError(
            f"{key} names {shown(path, 200)}, which is not a file Portal Desk can read. Point it "
            "at the CA bundle (a PEM file), or unset it."
        )
    return path


def words(key: str, raw: str) -> tuple[str, ...]:
    """A list typed as words separated by spaces or commas."""
    return tuple(word for word in re.split(r"[\s,]+", raw) if word)
