"""The emulator's state and rules: what Scalekit would do, with no wire format in sight.

Wire adapters (``servicers.py`` for gRPC, ``http.py`` for REST and the portal pages) translate
requests into calls on :class:`ScalekitBackend` and its results back into messages. Errors are
raised as :class:`BackendError` carrying a gRPC status *name*, so this module never imports grpc.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import seed as seeding
from .errors import BackendError
from .errors import invalid as _invalid
from .errors import not_found as _not_found
from .paging import paginate
from .records import ConnectionRecord, DirectoryRecord, DomainRecord, LinkRecord, OrgRecord

MAX_NAME_LENGTH = 200
FEATURES = ("sso", "dir_sync")
REGIONS = ("US", "EU")


@dataclass(frozen=True)
class Page:
    items: list[OrgRecord]
    next_page_token: str
    prev_page_token: str
    total_size: int


class ScalekitBackend:
    """All state of one emulated Scalekit environment, guarded by one lock."""

    def __init__(
        self,
        *,
        seed: int = 7,
        org_count: int = 40,
        link_ttl: dt.timedelta = dt.timedelta(days=7),
        portal_base_url: str = "http://127.0.0.1",
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.seed = seed
        self.org_count = org_count
        self.link_ttl = link_ttl
        self.portal_base_url = portal_base_url.rstrip("/")
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._lock = threading.RLock()
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to exactly what the seed produces; every link and change is forgotten."""
        data = seeding.generate(self.seed, self.org_count)
        with self._lock:
            self._orgs: dict[str, OrgRecord] = {org.id: org for org in data.orgs}
            self._order: list[str] = [org.id for org in data.orgs]
            self._by_external: dict[str, str] = {
                org.external_id: org.id for org in data.orgs if org.external_id
            }
            self._connections = data.connections
            self._directories = data.directories
            self._domains = data.domains
            self._links: dict[str, LinkRecord] = {}

    # -- organizations -----------------------------------------------------------------------

    def _org(self, org_id: str) -> OrgRecord:
        if not org_id:
            raise _invalid("organization id is required")
        if not org_id.startswith("org_"):
            raise _invalid(f"organization id {org_id!r} is malformed: it must start with 'org_'")
        org = self._orgs.get(org_id)
        if org is None:
            raise _not_found("organization", org_id)
        return org

    def get_organization(self, org_id: str = "", external_id: str = "") -> OrgRecord:
        with self._lock:
            if external_id and not org_id:
                found = self._by_external.get(external_id)
                if found is None:
                    raise _not_found("organization with external id", external_id)
                return self._orgs[found]
            return self._org(org_id)

    def _page(self, ids: list[str], page_size: int, page_token: str, scope: str) -> Page:
        window = paginate(ids, page_size, page_token, scope)
        return Page(
            items=[self._orgs[i] for i in window.ids],
            next_page_token=window.next_page_token,
            prev_page_token=window.prev_page_token,
            total_size=window.total_size,
        )

    def list_organizations(self, page_size: int = 0, page_token: str = "", external_id: str = "") -> Page:
        with self._lock:
            ids = self._order
            if external_id:
                ids = [i for i in ids if self._orgs[i].external_id == external_id]
            return self._page(list(ids), page_size, page_token, scope=f"list:{external_id}")

    def search_organizations(self, query: str, page_size: int = 0, page_token: str = "") -> Page:
        needle = query.strip().lower()
        if not needle:
            raise _invalid("query is required")
        with self._lock:
            ids = [
                org_id
                for org_id in self._order
                if needle in self._orgs[org_id].display_name.lower()
                or org_id.lower().startswith(needle)
                or (self._orgs[org_id].external_id or "").lower().startswith(needle)
            ]
            return self._page(ids, page_size, page_token, scope=f"search:{needle}")

    def _check_new_fields(self, display_name: str | None, external_id: str | None, own_id: str = "") -> None:
        if display_name is not None:
            if not display_name.strip():
                raise _invalid("the display name must not be empty")
            if len(display_name) > MAX_NAME_LENGTH:
                raise _invalid(f"the display name must be at most {MAX_NAME_LENGTH} characters")
        if external_id:
            holder = self._by_external.get(external_id)
            if holder is not None and holder != own_id:
                raise BackendError(
                    "ALREADY_EXISTS", f"an organization with external id {external_id!r} already exists"
                )

    def create_organization(
        self,
        display_name: str,
        external_id: str | None = None,
        region_code: str = "US",
        metadata: dict[str, str] | None = None,
    ) -> OrgRecord:
        if region_code not in REGIONS:
            raise _invalid(f"region_code must be one of {', '.join(REGIONS)}")
        with self._lock:
            self._check_new_fields(display_name, external_id)
            now = self.clock()
            # Runtime ids are random (not from the seed): a restarted emulator must not hand a
            # new organization the id of one created, and recorded, before the restart.
            org = OrgRecord(
                id=f"org_{secrets.randbelow(9 * 10**16) + 10**16}",
                display_name=display_name.strip(),
                external_id=external_id or None,
                region_code=region_code,
                create_time=now,
                update_time=now,
                metadata=dict(metadata or {}),
            )
            self._orgs[org.id] = org
            self._order.append(org.id)
            self._connections[org.id] = []
            self._directories[org.id] = []
            self._domains[org.id] = []
            if org.external_id:
                self._by_external[org.external_id] = org.id
            return org

    def update_organization(
        self,
        org_id: str = "",
        external_id_key: str = "",
        *,
        display_name: str | None = None,
        external_id: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> OrgRecord:
        with self._lock:
            org = self.get_organization(org_id, external_id_key)
            self._check_new_fields(display_name, external_id, own_id=org.id)
            if display_name is not None:
                org.display_name = display_name.strip()
            if external_id is not None:
                if org.external_id:
                    self._by_external.pop(org.external_id, None)
                org.external_id = external_id or None
                if org.external_id:
                    self._by_external[org.external_id] = org.id
            if metadata:
                org.metadata.update(metadata)
            org.update_time = self.clock()
            return org

    def delete_organization(self, org_id: str = "", external_id: str = "") -> None:
        with self._lock:
            org = self.get_organization(org_id, external_id)
            del self._orgs[org.id]
            self._order.remove(org.id)
            if org.external_id:
                self._by_external.pop(org.external_id, None)
            for link in self._links.values():
                if link.organization_id == org.id and link.revoked_at is None:
                    link.revoked_at = self.clock()

    def update_settings(self, org_id: str, features: Iterable[tuple[str, bool]]) -> OrgRecord:
        changes = list(features)
        for name, _ in changes:
            if name not in FEATURES:
                raise _invalid(f"unknown feature {name!r}; expected one of {', '.join(FEATURES)}")
        with self._lock:
            org = self._org(org_id)
            for name, enabled in changes:
                org.features[name] = enabled
            org.update_time = self.clock()
            return org

    # -- portal links ------------------------------------------------------------------------

    def generate_portal_link(self, org_id: str, features: Iterable[str]) -> LinkRecord:
        wanted = tuple(dict.fromkeys(features)) or FEATURES
        for name in wanted:
            if name not in FEATURES:
                raise _invalid(f"unknown feature {name!r}")
        with self._lock:
            self._org(org_id)
            now = self.clock()
            # Links are credentials: their ids come from the OS's randomness, never the seed.
            link_id = str(uuid.uuid4())
            link = LinkRecord(
                id=link_id,
                organization_id=org_id,
                location=f"{self.portal_base_url}/magicLink/{link_id}",
                features=wanted,
                created_at=now,
                expire_time=now + self.link_ttl,
            )
            self._links[link_id] = link
            return link

    def import_link(
        self, org_id: str, features: Iterable[str], created_at: dt.datetime, expire_time: dt.datetime
    ) -> LinkRecord:
        """A link issued in the past (demo history), as if generated back then."""
        link = self.generate_portal_link(org_id, features)
        with self._lock:
            link.created_at, link.expire_time = created_at, expire_time
        return link

    def active_links(self, org_id: str) -> list[LinkRecord]:
        with self._lock:
            self._org(org_id)
            now = self.clock()
            links = [
                link
                for link in self._links.values()
                if link.organization_id == org_id and link.is_active(now)
            ]
            return sorted(links, key=lambda link: link.created_at)

    def revoke_link(self, org_id: str, link_id: str) -> None:
        if not link_id:
            raise _invalid("link_id is required")
        with self._lock:
            self._org(org_id)
            link = self._links.get(link_id)
            if link is None or link.organization_id != org_id or not link.is_active(self.clock()):
                raise _not_found("portal link", link_id)
            link.revoked_at = self.clock()

    def revoke_all_links(self, org_id: str) -> None:
        with self._lock:
            self._org(org_id)
            now = self.clock()
            for link in self._links.values():
                if link.organization_id == org_id and link.is_active(now):
                    link.revoked_at = now

    def peek_link(self, link_id: str) -> tuple[LinkRecord, OrgRecord]:
        """A link and its organization; NOT_FOUND (unknown) or FAILED_PRECONDITION (gone)."""
        with self._lock:
            link = self._links.get(link_id)
            if link is None:
                raise _not_found("portal link", link_id)
            if link.revoked_at is not None:
                raise BackendError("FAILED_PRECONDITION", "This portal link has been revoked.")
            if self.clock() >= link.expire_time:
                raise BackendError("FAILED_PRECONDITION", "This portal link has expired.")
            org = self._orgs.get(link.organization_id)
            if org is None:
                raise BackendError("FAILED_PRECONDITION", "This organization no longer exists.")
            return link, org

    def mark_link_loaded(self, link_id: str) -> None:
        with self._lock:
            self._links[link_id].loads += 1

    # -- connections, directories, domains ---------------------------------------------------

    def connections(self, org_id: str) -> list[ConnectionRecord]:
        with self._lock:
            self._org(org_id)
            return list(self._connections.get(org_id, []))

    def directories(self, org_id: str) -> list[DirectoryRecord]:
        with self._lock:
            self._org(org_id)
            return list(self._directories.get(org_id, []))

    def domains(self, org_id: str) -> list[DomainRecord]:
        with self._lock:
            self._org(org_id)
            return list(self._domains.get(org_id, []))

    @property
    def organization_count(self) -> int:
        with self._lock:
            return len(self._order)

    # -- what the admin portal changes -------------------------------------------------------

    def portal_connection(self, org_id: str) -> ConnectionRecord | None:
        """The connection the admin portal manages: the organization's first one."""
        with self._lock:
            conns = self._connections.get(org_id) or []
            return conns[0] if conns else None

    def upsert_connection(
        self,
        org_id: str,
        *,
        provider: str | None = None,
        type_: str | None = None,
        status: str | None = None,
        enabled: bool | None = None,
        settings: dict[str, str] | None = None,
    ) -> ConnectionRecord:
        with self._lock:
            self._org(org_id)
            conn = self.portal_connection(org_id)
            if conn is None:
                conn = ConnectionRecord(
                    id=f"conn_{secrets.randbelow(9 * 10**16) + 10**16}",
                    organization_id=org_id,
                    provider=provider or "CUSTOM",
                    type=type_ or "SAML",
                    status="DRAFT",
                    enabled=False,
                    created_at=self.clock(),
                    domains=[d.domain for d in self._domains.get(org_id, [])],
                )
                self._connections.setdefault(org_id, []).insert(0, conn)
            if provider is not None and provider != conn.provider:
                conn.provider, conn.enabled = provider, False
            conn.type = type_ or conn.type
            conn.status = status or conn.status
            conn.enabled = conn.enabled if enabled is None else enabled
            conn.settings.update(settings or {})
            return conn

    def upsert_directory(self, org_id: str, *, provider: str | None, enabled: bool) -> DirectoryRecord:
        with self._lock:
            org = self._org(org_id)
            dirs = self._directories.setdefault(org_id, [])
            if not dirs:
                if provider is None:
                    raise _invalid("choose a directory provider")
                dirs.append(
                    DirectoryRecord(
                        id=f"dir_{secrets.randbelow(9 * 10**16) + 10**16}",
                        organization_id=org_id,
                        name=f"{org.display_name} directory",
                        provider=provider,
                        enabled=False,
                        status="IN_PROGRESS",
                        total_users=0,
                        total_groups=0,
                        last_synced_at=None,
                        endpoint=f"/api/v1/directories/{org_id}/scim/v2",
                        created_at=self.clock(),
                    )
                )
            directory = dirs[0]
            if provider is not None:
                directory.provider = provider
            directory.enabled = enabled
            directory.status = "COMPLETED" if enabled else directory.status
            return directory
