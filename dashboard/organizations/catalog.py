"""Every organization of one environment: listed once, kept in the history, refreshed behind the
page.

The first listing ever is waited for (the page shows its progress; ``st.cache_data`` could not
draw it). After that, whoever asks gets the list at hand at once, from memory or, after a
restart, from the history's copy; when it is older than the TTL (or Refresh was pressed), it is
listed again in the background and replaced whole. A change made from Portal Desk (a new
organization, a rename, a deletion) is patched in at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from ..errors import PortalDeskError
from ..gateway import ProgressCallback, ScalekitGateway
from ..history.listing import OrganizationListing
from ..models import Organization

PageCallback = Callable[[list[Organization]], None]


class OrganizationCatalog:
    def __init__(
        self,
        gateway: ScalekitGateway,
        listing: OrganizationListing | None = None,
        environment: str = "emulator",
        ttl_s: float = 300,
    ) -> None:
        self._gateway = gateway
        self._listing, self._environment = listing, environment
        self._ttl_s = ttl_s
        self._lock = threading.Lock()  # one listing at a time; other sessions wait for the first
        self._orgs: list[Organization] | None = None
        self._listed_at = 0.0  # monotonic
        self._refreshing: threading.Thread | None = None
        self.problem: str | None = None  # the last background listing's failure, for the page
        self._loaded = False

    def organizations(
        self, progress: ProgressCallback | None = None, on_page: PageCallback | None = None
    ) -> list[Organization]:
        with self._lock:
            if not self._loaded:
                self._loaded = True
                self._load_copy()
            if self._orgs is None:  # never listed: wait for it (progress shown)
                self._orgs = self._list(progress, on_page)
                return self._orgs
            if time.monotonic() - self._listed_at > self._ttl_s and self._refreshing is None:
                self._refreshing = threading.Thread(target=self._refresh, daemon=True, name="catalog-refresh")
                self._refreshing.start()
            return self._orgs

    @property
    def refreshing(self) -> bool:
        return self._refreshing is not None

    @property
    def listed(self) -> bool:
        """True once a listing is at hand (the history's copy counts)."""
        with self._lock:
            if not self._loaded:
                self._loaded = True
                self._load_copy()
            return self._orgs is not None

    def invalidate(self) -> None:
        """Refresh: the next request lists again, in the background (the list shown stays)."""
        with self._lock:
            self._listed_at = -1e9

    def replace(self, org: Organization) -> None:
        """A new or changed organization, patched in at once (newest first, as Scalekit lists)."""
        with self._lock:
            if self._orgs is None:
                return
            others = [o for o in self._orgs if o.id != org.id]
            if len(others) == len(self._orgs):
                self._orgs = [org, *others]
            else:
                self._orgs = [org if o.id == org.id else o for o in self._orgs]

    def remove(self, org_id: str) -> None:
        with self._lock:
            if self._orgs is not None:
                self._orgs = [o for o in self._orgs if o.id != org_id]

    def _load_copy(self) -> None:
        if self._listing is None:
            return
        try:
            found = self._listing.load(self._environment)
        except PortalDeskError as error:  # no copy: list from Scalekit, as on a first start
            self.problem = str(error)
            return
        if found is not None:
            self._orgs, listed_at = found
            age = (dt.datetime.now(dt.UTC) - listed_at).total_seconds()
            self._listed_at = time.monotonic() - max(age, 0.0)

    def _list(self, progress: ProgressCallback | None, on_page: PageCallback | None) -> list[Organization]:
        orgs = self._gateway.list_organizations(progress=progress, on_page=on_page)
        self._listed_at = time.monotonic()
        self._keep_copy(orgs)
        return orgs

    def _refresh(self) -> None:
        try:
            orgs = self._gateway.list_organizations()
        except PortalDeskError as error:
            self.problem = str(error)
        else:
            self.problem = None
            with self._lock:
                self._orgs, self._listed_at = orgs, time.monotonic()
            self._keep_copy(orgs)
        finally:
            self._refreshing = None

    def _keep_copy(self, orgs: list[Organization]) -> None:
        if self._listing is None:
            return
        try:
            self._listing.save(self._environment, orgs, dt.datetime.now(dt.UTC))
        except PortalDeskError as error:  # the list is good; only the next restart lists again
            self.problem = str(error)
