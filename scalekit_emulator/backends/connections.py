"""SSO connections of organizations: listing as Scalekit lists them, and their life cycle.

ListConnections shows only active connections (completed and enabled) unless ``include='all'``,
as the field's description in the SDK says. A connection's status follows its settings: DRAFT
with none, IN_PROGRESS with some, COMPLETED once the identity provider's side is complete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..errors import failed_precondition, invalid
from ..records import ConnectionRecord, DomainRecord
from .environment import Environment, Page, new_id, page_of

INCLUDE_ALL = "all"
BULK_PAGE_MAX = 30  # ListOrganizationConnections / SearchOrganizationConnections: page_size lte 30
ORGANIZATION_TYPES = ("SAML", "OIDC")  # what an organization's SSO connection can be


def status_for(protocol: str, settings: Mapping[str, str]) -> str:
    """DRAFT, IN_PROGRESS or COMPLETED, from what the identity provider's side holds."""
    filled = {key for key, value in settings.items() if value.strip()}
    if not filled:
        return "DRAFT"
    if protocol == "SAML":
        complete = "idp_entity_id" in filled and (
            "idp_metadata_url" in filled or {"idp_sso_url", "idp_certificate"} <= filled
        )
    else:
        complete = {"issuer", "client_id"} <= filled
    return "COMPLETED" if complete else "IN_PROGRESS"


class Connections:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self._bulk: tuple[int, list[ConnectionRecord]] = (-1, [])

    # -- reading -----------------------------------------------------------------------------

    def listing(
        self, org_id: str | None = None, domain: str | None = None, include: str | None = None
    ) -> list[ConnectionRecord]:
        """ListConnections: by organization, by an email domain, or (neither) the environment's."""
        if include not in (None, "", INCLUDE_ALL):
            raise invalid(f"include: {include!r} is not supported; use 'all' or leave it empty")
        env = self.env
        with env.lock:
            if org_id:
                found = env.of_org(env.connections, env.org_connections, env.organization(org_id).id)
            elif domain:
                owners = {d.organization_id for d in env.domains.values() if d.domain == domain.lower()}
                found = [
                    c for owner in owners for c in env.of_org(env.connections, env.org_connections, owner)
                ]
            else:
                found = self._newest_first()
        return found if include == INCLUDE_ALL else [c for c in found if c.active]

    def _newest_first(self) -> list[ConnectionRecord]:
        revision, cached = self._bulk
        if revision != self.env.revision:
            cached = sorted(self.env.connections.values(), key=lambda c: (c.created_at, c.id), reverse=True)
            self._bulk = (self.env.revision, cached)
        return cached

    def list_all(self, page_size: int = 0, page_token: str = "") -> Page[ConnectionRecord]:
        """ListOrganizationConnections: every organization's connections, every status, paged."""
        with self.env.lock:
            return page_of(self._newest_first(), page_size, page_token, "bulk", max_size=BULK_PAGE_MAX)

    def search(
        self,
        *,
        query: str | None = None,
        provider: str | None = None,
        status: str | None = None,
        connection_type: str | None = None,
        enabled: bool | None = None,
        page_size: int = 0,
        page_token: str = "",
    ) -> Page[ConnectionRecord]:
        """SearchOrganizationConnections: query is a connection id or an organization id."""
        needle = (query or "").strip().lower()
        with self.env.lock:
            found = [
                c
                for c in self._newest_first()
                if (
                    not needle
                    or c.id.lower().startswith(needle)
                    or c.organization_id.lower().startswith(needle)
                )
                and (not provider or c.provider == provider.upper())
                and (status is None or c.status == status)
                and (connection_type is None or c.type == connection_type)
                and (enabled is None or c.enabled == enabled)
            ]
            scope = f"search:{needle}:{provider}:{status}:{connection_type}:{enabled}"
            return page_of(found, page_size, page_token, scope, max_size=BULK_PAGE_MAX)

    def get(self, org_id: str, conn_id: str) -> ConnectionRecord:
        with self.env.lock:
            self.env.organization(org_id)
            return self.env.owned(self.env.connections, org_id, conn_id, "connection")

    def organization_name(self, conn: ConnectionRecord) -> str:
        org = self.env.orgs.get(conn.organization_id)
        return org.display_name if org else ""

    def domains_of(self, conn: ConnectionRecord) -> list[DomainRecord]:
        return [self.env.domains[d] for d in conn.domain_ids if d in self.env.domains]

    # -- writing -----------------------------------------------------------------------------

    def create(self, org_id: str, provider: str, protocol: str) -> ConnectionRecord:
        if protocol not in ORGANIZATION_TYPES:
            raise invalid(f"connection.type: an organization's connection is SAML or OIDC, not {protocol}")
        if provider == "CONNECTION_PROVIDER_UNSPECIFIED":
            raise invalid("connection.provider: choose an identity provider")
        env = self.env
        with env.lock:
            env.organization(org_id)
            now = env.clock()
            conn = ConnectionRecord(
                id=new_id("conn"),
                organization_id=org_id,
                provider=provider,
                type=protocol,
                status="DRAFT",
                enabled=False,
                created_at=now,
                updated_at=now,
            )
            env.add(env.connections, env.org_connections, conn)
            env.changed()
            return conn

    def update(
        self,
        org_id: str,
        conn_id: str,
        *,
        provider: str | None = None,
        protocol: str | None = None,
        settings: Mapping[str, str] | None = None,
        debug_enabled: bool | None = None,
        ui_button_title: str | None = None,
    ) -> ConnectionRecord:
        if protocol is not None and protocol not in ORGANIZATION_TYPES:
            raise invalid(f"connection.type: an organization's connection is SAML or OIDC, not {protocol}")
        with self.env.lock:
            conn = self.get(org_id, conn_id)
            if protocol is not None and protocol != conn.type:
                conn.type, conn.settings = protocol, {}  # the other protocol's settings mean nothing
            if provider is not None and provider != conn.provider:
                conn.provider = provider
            if settings is not None:
                conn.settings.update({k: v.strip() for k, v in settings.items()})
            if debug_enabled is not None:
                conn.debug_enabled = debug_enabled
            if ui_button_title is not None:
                conn.ui_button_title = ui_button_title
            conn.status = status_for(conn.type, conn.settings)
            if conn.status != "COMPLETED":
                conn.enabled = False  # an incomplete connection cannot stay on
            conn.updated_at = self.env.clock()
            self.env.changed()
            return conn

    def delete(self, org_id: str, conn_id: str) -> None:
        with self.env.lock:
            self.get(org_id, conn_id)
            self.env.remove(self.env.connections, self.env.org_connections, conn_id)
            self.env.changed()

    def set_enabled(self, org_id: str, conn_id: str, enabled: bool) -> ConnectionRecord:
        with self.env.lock:
            conn = self.get(org_id, conn_id)
            if enabled and conn.status != "COMPLETED" and not self.env.readings.enable_incomplete_sso:
                raise failed_precondition(
                    f"connection {conn_id!r} is {conn.status.lower().replace('_', ' ')}: complete its "
                    "configuration before enabling it"
                )
            conn.enabled = enabled
            conn.updated_at = self.env.clock()
            self.env.changed()
            return conn

    def assign_domains(self, org_id: str, conn_id: str, domain_ids: Iterable[str]) -> ConnectionRecord:
        with self.env.lock:
            conn = self.get(org_id, conn_id)
            wanted = list(dict.fromkeys(domain_ids))
            for domain_id in wanted:
                self.env.owned(self.env.domains, org_id, domain_id, "domain")
            conn.domain_ids = wanted
            conn.updated_at = self.env.clock()
            self.env.edited()
            return conn

    # -- what the admin portal manages -------------------------------------------------------

    def portal_connection(self, org_id: str) -> ConnectionRecord | None:
        """The connection the admin portal shows: the organization's oldest."""
        with self.env.lock:
            ids = self.env.org_connections.get(org_id) or []
            return self.env.connections[ids[0]] if ids else None

    def configure_from_portal(
        self, org_id: str, provider: str, protocol: str, settings: Mapping[str, str], well_formed: bool
    ) -> ConnectionRecord:
        """What "Test connection" saves: the settings, and the status they earn (a failed test
        leaves the connection in progress, whatever was filled in)."""
        with self.env.lock:
            conn = self.portal_connection(org_id)
            if conn is None:
                conn = self.create(org_id, provider, protocol)
                conn.domain_ids = list(self.env.org_domains.get(org_id, []))
            elif provider != conn.provider:
                conn.enabled = False  # a new identity provider starts switched off
            conn = self.update(org_id, conn.id, provider=provider, protocol=protocol, settings=settings)
            if not well_formed and conn.status == "COMPLETED":
                conn.status, conn.enabled = "IN_PROGRESS", False
            return conn
