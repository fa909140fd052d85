"""Backing off when Scalekit rate-limits (per environment, per minute): wait as long as it asks
(RetryInfo / retry-after), else exponentially with jitter, then go on. A round that meets the
limit finishes late rather than failing every organization in it."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..errors import RateLimited

T = TypeVar("T")
Sleep = Callable[[float], object]  # what it returns is ignored; threading.Event.wait fits


@dataclass(frozen=True)
class Backoff:
    base_s: float = 1.0
    cap_s: float = 60.0
    attempts: int = 8  # then the rate limit is reported as the failure it has become

    def delay(self, attempt: int, retry_after_s: float | None) -> float:
        """How long to wait before try ``attempt + 1``. Scalekit's own word wins (a little
        jitter on top, so many waiters do not return in the same instant)."""
        if retry_after_s:
            return retry_after_s + random.uniform(0, min(1.0, retry_after_s / 10))
        return min(self.cap_s, self.base_s * 2.0**attempt) * random.uniform(0.5, 1.0)

    def call(self, work: Callable[[], T], sleep: Sleep, stopped: Callable[[], bool] = lambda: False) -> T:
        """``work()``, waiting and trying again while Scalekit rate-limits it."""
        attempt = 0
        while True:
            try:
                return work()
            except RateLimited as error:
                if attempt + 1 >= self.attempts or stopped():
                    raise
                sleep(self.delay(attempt, error.retry_after_s))
                attempt += 1
