"""Rate limits of the relay: per invitation token and per client address.

Sliding windows in memory, per relay process (a relay behind a load balancer with several
processes multiplies them; the README says so). Keys are hashed: the limiter holds no token.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str
    events: int
    per_s: float


# An IT admin opens an invitation a few times a day; a script trying tokens opens thousands.
PER_TOKEN = Limit("token", events=10, per_s=600)
PER_CLIENT_OPENS = Limit("client", events=30, per_s=60)
PER_CLIENT_PAGES = Limit("client pages", events=120, per_s=60)


class RateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, limit: Limit, key: str) -> float:
        """Count one event; 0 if allowed, else the seconds to wait before the next is allowed."""
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        now = self._clock()
        with self._lock:
            window = self._seen.setdefault((limit.name, digest), deque())
            while window and window[0] <= now - limit.per_s:
                window.popleft()
            if len(window) >= limit.events:
                return max(0.001, window[0] + limit.per_s - now)
            window.append(now)
            if len(self._seen) > 100_000:  # forget idle keys rather than grow without bound
                self._seen = {k: v for k, v in self._seen.items() if v and v[-1] > now - 3600}
            return 0.0
