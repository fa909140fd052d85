"""The control API: what a test or a benchmark may do to the emulator that no Scalekit client can.

In-process it is the :class:`Control` object (``emulator.control``); over HTTP it is
``/_emulator/...`` on the portal port (``web/control.py``), behind a token generated at start.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import asdict

from .backends import Backends
from .faults import Fault, FaultRegistry
from .guard import Guard
from .tokens import TokenAuthority


class Control:
    def __init__(
        self,
        *,
        backends: Backends,
        faults: FaultRegistry,
        tokens: TokenAuthority,
        guard: Guard,
        describe: Callable[[], dict],
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
        """Back to the seed: faults cleared, links, sessions and changes forgotten, tokens kept."""
        self._faults.clear()
        self._backends.reset()

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

    def status(self) -> dict:
        return {
            **self._describe(),
            "organizations": self._backends.organizations.count,
            "latency_ms": round(self._guard.latency_s * 1000, 3),
            "clock_offset_s": self._backends.env.offset.total_seconds(),
            "faults": [asdict(f) for f in self._faults.active()],
        }
