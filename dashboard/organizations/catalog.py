"""Every organization of one environment, fetched once and kept for a few minutes.

``st.cache_data`` can't be used here: a full listing of a large environment takes seconds, and
the page shows its progress, which a cached function may not draw on a bar created outside it.
"""

from __future__ import annotations

import threading
import time

from ..gateway import ProgressCallback, ScalekitGateway
from ..models import Organization


class OrganizationCatalog:
    def __init__(self, gateway: ScalekitGateway, ttl_s: float = 300) -> None:
        self._gateway = gateway
        self._ttl_s = ttl_s
        self._lock = threading.Lock()  # one listing at a time; other sessions wait for it
        self._orgs: list[Organization] | None = None
        self._loaded_at = 0.0

    def organizations(self, progress: ProgressCallback | None = None) -> list[Organization]:
        with self._lock:
            if self._orgs is None or time.monotonic() - self._loaded_at > self._ttl_s:
                self._orgs = self._gateway.list_organizations(progress=progress)
                self._loaded_at = time.monotonic()
            return self._orgs

    def invalidate(self) -> None:
        with self._lock:
            self._orgs = None
