"""All state of one emulated Scalekit environment, behind one lock.

The per-service backends (``organizations.py``, ``connections.py``, ``directories.py``,
``domains.py``, ``portal.py``) hold the rules and share this state, as moto's service models share
one backend per region. Nothing here knows a wire format.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from .. import seed as seeding
from ..errors import invalid, not_found
from ..paging import paginate
from ..readings import Readings
from ..records import (
    BrandingRecord,
    ConnectionRecord,
    DirectoryRecord,
    DomainRecord,
    LinkRecord,
    OrgRecord,
    SessionPolicyRecord,
)

Clock = Callable[[], dt.datetime]
T = TypeVar("T")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str
    prev_page_token: str
    total_size: int


def new_id(prefix: str) -> str:
    """A Scalekit-shaped id made at run time: random, so a restarted emulator never reissues one
    that a client recorded before the restart (seeded ids come from the seed instead)."""
    return f"{prefix}_{secrets.randbelow(9 * 10**16) + 10**16}"


class Environment:
    def __init__(
        self,
        *,
        seed: int = 7,
        org_count: int = 40,
        clock: Clock | None = None,
        readings: Readings | None = None,
    ) -> None:
        self.seed = seed
        self.org_count = org_count
        self.readings = readings or Readings()  # where Scalekit's sources disagree: which to play
        self._base_clock: Clock = clock or utc_now
        self.lock = threading.RLock()
        self.edits = 0  # counts every change of data (the state file's saver compares it)
        self.reset()

    def clock(self) -> dt.datetime:
        """Now, moved on by ``offset``: the control API advances it, so links expire and portal
        sessions end without a test waiting for them."""
        return self._base_clock() + self.offset

    def reset(self) -> None:
        """Back to exactly what the seed produces; every link, session and change is forgotten."""
        data = seeding.generate(self.seed, self.org_count)
        with self.lock:
            self.offset = dt.timedelta(0)
            # Insertion order is creation order (oldest first); listings reverse it.
            self.orgs: dict[str, OrgRecord] = {org.id: org for org in data.orgs}
            self.by_external: dict[str, str] = {o.external_id: o.id for o in data.orgs if o.external_id}
            self.by_slug: dict[str, str] = {}
            self.connections: dict[str, ConnectionRecord] = {}
            self.directories: dict[str, DirectoryRecord] = {}
            self.domains: dict[str, DomainRecord] = {}
            self.org_connections: dict[str, list[str]] = {org.id: [] for org in data.orgs}
            self.org_directories: dict[str, list[str]] = {org.id: [] for org in data.orgs}
            self.org_domains: dict[str, list[str]] = {org.id: [] for org in data.orgs}
            for connection in data.connections:
                self.add(self.connections, self.org_connections, connection)
            for directory in data.directories:
                self.add(self.directories, self.org_directories, directory)
            for domain in data.domains:
                self.add(self.domains, self.org_domains, domain)
            self.links: dict[str, LinkRecord] = {}
            self.session_policies: dict[str, SessionPolicyRecord] = {}
            self.user_limits: dict[str, int | None] = {}
            self.branding: dict[str, BrandingRecord] = {}
            self.txt_records: set[tuple[str, str]] = set()
            self.revision = getattr(self, "revision", 0) + 1  # listings cached per revision
            self.edits += 1

    # -- shared helpers ----------------------------------------------------------------------

    @staticmethod
    def add(table: dict[str, T], index: dict[str, list[str]], record: T) -> None:
        table[record.id] = record  # type: ignore[attr-defined]
        index.setdefault(record.organization_id, []).append(record.id)  # type: ignore[attr-defined]

    @staticmethod
    def remove(table: dict[str, T], index: dict[str, list[str]], record_id: str) -> None:
        record = table.pop(record_id)
        index[record.organization_id].remove(record_id)  # type: ignore[attr-defined]

    def changed(self) -> None:
        """Something a cached listing depends on changed (call with the lock held)."""
        self.revision += 1
        self.edits += 1

    def edited(self) -> None:
        """Data no cached listing depends on changed (call with the lock held): the state file's
        saver writes only after a change, so a large environment costs nothing while idle."""
        self.edits += 1

    def organization(self, org_id: str = "", external_id: str = "") -> OrgRecord:
        """The organization by id or external id; NOT_FOUND when there is none."""
        if not org_id and not external_id:
            raise invalid("organization id or external id is required")
        if org_id:
            org = self.orgs.get(org_id)
            if org is None:
                raise not_found("organization", org_id)
            return org
        found = self.by_external.get(external_id)
        if found is None:
            raise not_found("organization with external id", external_id)
        return self.orgs[found]

    def owned(self, table: dict[str, T], org_id: str, record_id: str, what: str) -> T:
        """A record of this organization; another organization's record is as good as unknown."""
        record = table.get(record_id)
        if record is None or record.organization_id != org_id:  # type: ignore[attr-defined]
            raise not_found(what, record_id)
        return record

    def of_org(self, table: dict[str, T], index: dict[str, list[str]], org_id: str) -> list[T]:
        """The organization's records, newest first (Scalekit lists newest first)."""
        return [table[i] for i in reversed(index.get(org_id, []))]


def page_of(items: list[T], page_size: int, page_token: str, scope: str, max_size: int = 100) -> Page[T]:
    """One page of ``items``; ``scope`` names the query, so a token can't be replayed on another."""
    window = paginate(len(items), page_size, page_token, scope, max_size=max_size)
    return Page(
        items=items[window.start : window.stop],
        next_page_token=window.next_page_token,
        prev_page_token=window.prev_page_token,
        total_size=window.total_size,
    )
