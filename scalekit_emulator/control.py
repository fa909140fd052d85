"""The control API: what a test or a benchmark may do to the emulator that no Scalekit client can.

In-process it is the :class:`Control` object (``emulator.control``); over HTTP it is
``/_emulator/...`` on the portal port (``web/control.py``), behind a token generated at start.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from .backends import Backends
from .faults import Fault, FaultRegistry
from .guard import Guard
from .readings import Readings
from .tokens import TokenAuthority


class Control:
    def __init__(
        self,
        *,
        backends: Backends,
        faults: FaultRegistry,
        tokens: TokenAuthority,
        guard: Guard,
        describe: Callable[[], dict[str, Any]],
    ) -> None:
        self._backends = backends
        self._faults = faults
        self._tokens = tokens
        self._guard = guard
        self._describe = describe
        # Sent by callers as "Authorization: Bearer <token>"; written to the env file.
        self.token = secrets.token_urlsafe(32)

    def inject_fault(self, fault: Fault) -> None:
        self._faults.inject(fault)

    def clear_faults(self, method: str | None = None) -> None:
        self._faults.clear(method)

    def reset(self) -> None:
        """Back to the seed: faults cleared, links, sessions and changes forgotten, the readings'
        counters restarted; tokens, readings and allowed origins kept."""
        self._faults.clear()
        self._backends.reset()
        self._guard.apply_readings(self._guard.readings)

    def set_readings(self, names: list[str]) -> None:
        """Play other readings from now on (ValueError for an unknown one); see readings.py."""
        readings = Readings.parse(names)
        self._backends.env.readings = readings
        self._guard.apply_readings(readings)

    def readings(self) -> list[str]:
        return self._backends.env.readings.in_effect()

    def allow_origin(self, origin: str) -> str:
        """Register a page origin that may frame the portal and receive its events."""
        return self._backends.portal.allow_origin(origin)

    def forget_origins(self) -> None:
        self._backends.portal.forget_origins()

    def set_session_warning(self, seconds_before_expiry: float) -> None:
        """How long before a portal session ends PORTAL_SESSION_WARNING fires (5 min as Scalekit)."""
        if seconds_before_expiry < 0:
            raise ValueError("the warning's lead time must not be negative")
        self._backends.portal.warning_lead = dt.timedelta(seconds=seconds_before_expiry)

    def expire_tokens(self) -> None:
        self._tokens.expire_all()

    def workspace_token(self) -> str:
        """A dashboard (workspace) session's access token, for calling dashboard-only methods."""
        return self._tokens.issue_workspace().access_token

    def publish_txt(self, name: str, value: str) -> None:
        """Make a DNS TXT record visible to VerifyDomain."""
        self._backends.domains.publish_txt(name, value)

    def advance_clock(self, seconds: float) -> None:
        """Move the emulator's clock on: links expire and portal sessions end without waiting."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._backends.env.offset += dt.timedelta(seconds=seconds)

    def reset_clock(self) -> None:
        """Back to real time (links and sessions made meanwhile keep the times they were given)."""
        self._backends.env.offset = dt.timedelta(0)

    def set_latency(self, milliseconds: float) -> None:
        if milliseconds < 0:
            raise ValueError("latency must not be negative")
        self._guard.latency_s = milliseconds / 1000

    def status(self) -> dict[str, Any]:
        return {
            **self._describe(),
            "organizations": self._backends.organizations.count,
            "latency_ms": round(self._guard.latency_s * 1000, 3),
            "clock_offset_s": self._backends.env.offset.total_seconds(),
            "faults": [asdict(f) for f in self._faults.active()],
            "readings": self.readings(),
            "allowed_origins": list(self._backends.portal.allowed_origins),
            "session_warning_s": self._backends.portal.warning_lead.total_seconds(),
            "calls": self.calls(),
        }

    def calls(self) -> dict[str, int]:
        """Calls received per method since the start (or the last ``reset_calls``)."""
        return self._guard.counted()

    def reset_calls(self) -> None:
        self._guard.reset_counts()
