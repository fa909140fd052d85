"""Moving-window rate limits in this process's memory, on the ``limits`` library.

The library keeps one list of timestamps per key and trims expired timestamps itself, but it
leaves a key whose list is empty behind, forever. ``Windows`` drops those keys once a minute, so
what it holds is only the keys hit within their window: the callers choose keys so that number
stays bounded (see ``relay/limits.py``). Keys are SHA-256 digests: no token is ever held.
"""

from __future__ import annotations

import hashlib
import threading
import time

from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

PRUNE_EVERY_S = 60.0


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class Windows:
    """Counts events per (limit, key); every call takes constant time but the minute's prune."""

    def __init__(self) -> None:
        self._storage = MemoryStorage()
        self._windows = MovingWindowRateLimiter(self._storage)
        # One lock, held for a constant-time hit: a prune never races a hit into a dropped key.
        self._lock = threading.Lock()
        self._next_prune = time.monotonic() + PRUNE_EVERY_S

    def hit(self, limit: RateLimitItem, key: str) -> float:
        """Count one event; 0 if allowed, else the seconds to wait. A refused event stores nothing."""
        name = digest(key)
        with self._lock:
            self._prune_if_due()
            if self._windows.hit(limit, name):
                return 0.0
            reset = self._windows.get_window_stats(limit, name).reset_time
        return max(0.001, reset - time.time())

    def _prune_if_due(self) -> None:
        now = time.monotonic()
        if now < self._next_prune:
            return
        self._next_prune = now + PRUNE_EVERY_S
        events = self._storage.events
        for key in [k for k, window in list(events.items()) if not window]:
            events.pop(key, None)

    @property
    def stored_keys(self) -> int:
        """How many keys the storage holds (each a short list of timestamps): the memory measure."""
        return len(self._storage.events)

    def keys(self) -> list[str]:
        """The keys held, as the storage names them (digests, never what was counted)."""
        return list(self._storage.events)
