"""Moving-window rate limits in this process's memory, on the ``limits`` library.

The library keeps one list of timestamps per key, and trims expired timestamps on a thread it
starts 10 ms after a hit whenever the last one has ended: a scan of every key it holds, about a
hundred times a second under load, which cost the relay a sixth of its CPU with a few thousand
client addresses held. It also leaves a key whose list is empty behind, forever. ``Windows``
starts no such thread: once a minute it trims the lists and drops the empty keys itself, so
what it holds is only the keys hit within their window (give or take that minute): the callers
choose keys so that number stays bounded (see ``relay/limits.py``). Expired timestamps left in
a list meanwhile change no answer: a hit looks only at the newest ones. Keys are SHA-256
digests: no token is ever held.
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


class _PrunedInstead(threading.Timer):
    """Never started: MemoryStorage starts a new expiry thread on a hit only when its ``timer``
    is not alive, and this one always says it is (``Windows`` trims the storage instead)."""

    def __init__(self) -> None:
        super().__init__(0, lambda: None)

    def is_alive(self) -> bool:
        return True


class Windows:
    """Counts events per (limit, key); every call takes constant time but the minute's prune."""

    def __init__(self, prune_every_s: float = PRUNE_EVERY_S) -> None:
        self._storage = MemoryStorage()
        self._storage.timer.cancel()
        self._storage.timer = _PrunedInstead()  # the storage takes it for its expiry thread, running
        self._windows = MovingWindowRateLimiter(self._storage)
        # One lock, held for a constant-time hit: a prune never races a hit into a dropped key.
        self._lock = threading.Lock()
        self._prune_every_s = prune_every_s
        self._next_prune = time.monotonic() + prune_every_s

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
        self._next_prune = now + self._prune_every_s
        storage, at = self._storage, time.time()
        for key, window in list(storage.events.items()):
            live = [entry for entry in window if entry.expiry > at]
            if live:
                storage.events[key] = live
            else:
                storage.events.pop(key, None)
                storage.locks.pop(key, None)

    @property
    def stored_keys(self) -> int:
        """How many keys the storage holds (each a short list of timestamps): the memory measure."""
        return len(self._storage.events)

    def keys(self) -> list[str]:
        """The keys held, as the storage names them (digests, never what was counted)."""
        return list(self._storage.events)
