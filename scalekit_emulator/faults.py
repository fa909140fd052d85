"""Faults a test can inject into the emulator's RPCs: a status code, a delay, or both."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import grpc

ANY_METHOD = "*"


@dataclass(frozen=True)
class Fault:
    method: str  # RPC name ("GeneratePortalLink") or "*" for every RPC
    code: str | None = None  # gRPC status name ("UNAVAILABLE"); None means delay only
    delay_seconds: float = 0.0
    times: int | None = None  # how many calls it hits; None means until cleared
    message: str = "fault injected by the emulator's control API"


class FaultRegistry:
    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def inject(self, fault: Fault) -> None:
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be at least 1")
        if fault.delay_seconds < 0:
            raise ValueError("delay must not be negative")
        if fault.code is not None and fault.code not in grpc.StatusCode.__members__:
            raise ValueError(f"{fault.code!r} is not a gRPC status code name")
        with self._lock:
            self._faults[fault.method] = fault

    def clear(self, method: str | None = None) -> None:
        with self._lock:
            if method is None:
                self._faults.clear()
            else:
                self._faults.pop(method, None)

    def take(self, method: str) -> Fault | None:
        """The fault that applies to this call, counting it against ``times``."""
        with self._lock:
            key = method if method in self._faults else ANY_METHOD
            fault = self._faults.get(key)
            if fault is None:
                return None
            if fault.times is not None:
                if fault.times <= 1:
                    del self._faults[key]
                else:
                    self._faults[key] = replace(fault, times=fault.times - 1)
            return fault

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults.values())
