"""Admin portal links and the sessions they start, and what an IT admin changes in the portal.

GeneratePortalLink describes itself: "Creates a single use Admin Portal URL valid for 1 minute.
Once the generated admin portal URL is accessed or rendered, a temporary session of 6 hours is
created." So a link opens once, within its minute; that open starts a session bound to the link,
its organization and its features. Every request from a portal page names its session, and a
session acts only on its own organization, so two portals open in one browser never cross.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import BackendError, failed_precondition, invalid, not_found
from ..providers import DIRECTORY_PROVIDERS, SSO_PROVIDERS, Provider, by_key
from ..records import FEATURES, ConnectionRecord, DirectoryRecord, LinkRecord, OrgRecord
from .connections import Connections
from .directories import Directories
from .environment import Environment, new_id

LINK_TTL = dt.timedelta(minutes=1)
SESSION_TTL = dt.timedelta(hours=6)
WARNING_LEAD = dt.timedelta(minutes=5)  # PORTAL_SESSION_WARNING comes this long before the end


def web_origin(value: str) -> str:
    """``scheme://host[:port]``, lower-cased, as a browser names an origin; ValueError otherwise."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{value!r} is not an origin such as https://app.example.com")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{value!r} is not an origin such as https://app.example.com")
    default = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port not in (None, default) else ""
    host = parts.hostname.lower()
    return f"{parts.scheme}://{'[' + host + ']' if ':' in host else host}{port}"


def local_origins(port: int, scheme: str = "http") -> tuple[str, str]:
    """Both names a browser reaches a local app on ``port`` by: register both to frame the portal."""
    return (f"{scheme}://localhost:{port}", f"{scheme}://127.0.0.1:{port}")


@dataclass(frozen=True)
class PortalSession:
    id: str
    link_id: str
    organization_id: str
    features: tuple[str, ...]  # what the link granted
    expires_at: dt.datetime


@dataclass(frozen=True)
class OpenedPortal:
    session: PortalSession
    organization: OrgRecord
    features: tuple[str, ...]  # granted by the link and enabled for the organization right now
    started: bool  # False: this browser resumed its own session


def _https_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme == "https" and "." in parts.netloc and " " not in value.strip()


def check_sso_settings(protocol: str, fields: Mapping[str, str]) -> str | None:
    """What is wrong with the settings, in the IT admin's words; None when they are well formed."""
    if protocol == "SAML":
        metadata = fields.get("idp_metadata_url", "").strip()
        entity = fields.get("idp_entity_id", "").strip()
        if not metadata:
            return "Enter the IdP metadata URL from your identity provider's SAML app."
        if not _https_url(metadata):
            return "The metadata URL must be a full https:// address, such as https://acme.okta.com/app/…/sso/saml/metadata."
        if not entity:
            return "Enter the IdP entity ID (issuer) from your identity provider's SAML app."
        if not (entity.startswith(("http://", "https://", "urn:")) and " " not in entity):
            return "The entity ID must be a URI, such as http://www.okta.com/exk123 or urn:example:idp."
        return None
    if protocol == "OIDC":
        issuer = fields.get("issuer", "").strip()
        client_id = fields.get("client_id", "").strip()
        if not _https_url(issuer):
            return "The issuer must be a full https:// address, such as https://acme.okta.com."
        if not client_id or " " in client_id:
            return "Enter the client ID of the OIDC app you created in your identity provider."
        return None
    return f"Unknown protocol {protocol!r}: choose SAML or OIDC."


class Portal:
    def __init__(
        self,
        env: Environment,
        connections: Connections,
        directories: Directories,
        *,
        base_url: str,
        link_ttl: dt.timedelta = LINK_TTL,
        session_ttl: dt.timedelta = SESSION_TTL,
    ) -> None:
        self.env = env
        self.connections = connections
        self.directories = directories
        self.base_url = base_url.rstrip("/")
        self.link_ttl = link_ttl
        self.session_ttl = session_ttl
        self._sessions: dict[str, PortalSession] = {}
        self._by_token: dict[str, str] = {}  # path token -> link id
        self._lock = threading.Lock()
        # The environment's settings, not its data: a reset keeps them.
        self._origins: list[str] = []  # pages allowed to frame the portal and hear its events
        self.warning_lead = WARNING_LEAD

    # -- the environment's allowed origins (Scalekit: Dashboard > API Config > Redirect URIs) --

    def allow_origin(self, origin: str) -> str:
        normal = web_origin(origin)
        with self._lock:
            if normal not in self._origins:
                self._origins.append(normal)
        return normal

    def forget_origins(self) -> None:
        with self._lock:
            self._origins.clear()

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._origins)

    def reset(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._by_token.clear()

    def sessions(self) -> list[PortalSession]:
        """Every session started and not forgotten (for the state file)."""
        with self._lock:
            return list(self._sessions.values())

    def adopt(self, sessions: Iterable[PortalSession]) -> None:
        """Sessions restored from the state file."""
        with self._lock:
            self._sessions.update((s.id, s) for s in sessions)

    # -- links (the API side) ----------------------------------------------------------------

    def generate(self, org_id: str, features: Iterable[str]) -> LinkRecord:
        """A fresh single-use link; no features asked means the organization's enabled ones."""
        asked = tuple(dict.fromkeys(features))
        unknown = [name for name in asked if name not in FEATURES]
        if unknown:
            raise invalid(f"features: {unknown[0]!r} is not a feature")
        env = self.env
        with env.lock:
            org = env.organization(org_id)
            enabled = org.enabled_features()
            disabled = [name for name in asked if name not in enabled]
            if disabled:
                raise invalid(
                    f"features: {disabled[0]} is disabled for organization {org.id}; enable it in the "
                    "organization's settings first"
                )
            granted = asked or enabled
            if not granted:
                raise invalid(
                    f"organization {org.id} has no admin portal feature enabled; enable sso or dir_sync first"
                )
            now = env.clock()
            features = tuple(name for name in FEATURES if name in granted)
            if env.readings.links_reusable:
                # The SDK 2.21 descriptor: "this call may hand back a link that already existed".
                for existing in reversed(env.links.values()):
                    same = existing.organization_id == org.id and existing.features == features
                    if same and existing.usable(now):
                        return existing
            token = secrets.token_urlsafe(32)  # the location's secret: never the link's id
            link = LinkRecord(
                id=new_id("lnk"),
                token=token,
                organization_id=org.id,
                location=f"{self.base_url}/magicLink/{token}",
                features=features,
                created_at=now,
                expire_time=now + self.link_ttl,
            )
            env.links[link.id] = link
            env.edited()
            with self._lock:
                self._by_token[token] = link.id
            return link

    def live_links(self, org_id: str) -> list[LinkRecord]:
        """GetPortalLinks (dashboard sessions only): links that can still be opened, newest first."""
        with self.env.lock:
            self.env.organization(org_id)
            now = self.env.clock()
            found = [lk for lk in self.env.links.values() if lk.organization_id == org_id and lk.usable(now)]
            return sorted(found, key=lambda link: link.created_at, reverse=True)

    def revoke(self, org_id: str, link_id: str) -> None:
        """DeletePortalLinkByID: the link can no longer be opened, and a session it started ends."""
        with self.env.lock:
            self.env.organization(org_id)
            link = self.env.links.get(link_id)
            if link is None or link.organization_id != org_id or not self._live(link):
                raise not_found("portal link", link_id)
            link.revoked_at = self.env.clock()
            self.env.edited()

    def revoke_all(self, org_id: str) -> None:
        """DeletePortalLink (dashboard sessions only): every link of the organization."""
        with self.env.lock:
            self.env.organization(org_id)
            now = self.env.clock()
            for link in self.env.links.values():
                if link.organization_id == org_id and link.revoked_at is None:
                    link.revoked_at = now
            self.env.edited()

    def _live(self, link: LinkRecord) -> bool:
        """Still worth revoking: openable, or its session still runs."""
        now = self.env.clock()
        if link.usable(now):
            return True
        with self._lock:
            return any(s.link_id == link.id and now < s.expires_at for s in self._sessions.values())

    # -- sessions (the browser side) ---------------------------------------------------------

    def open(self, token: str, session_id: str | None) -> OpenedPortal:
        """Start a session with an unused link, or resume this browser's own session.

        NOT_FOUND for an unknown link; FAILED_PRECONDITION for a revoked, expired or used one.
        """
        with self._lock:
            link_id = self._by_token.get(token)
        env = self.env
        with env.lock:
            link = env.links.get(link_id or "")
            if link is None:
                raise not_found("portal link", "(hidden)")
            org = env.orgs.get(link.organization_id)
            now = env.clock()
            if link.revoked_at is not None:
                raise failed_precondition("This portal link has been revoked.")
            if org is None:
                raise failed_precondition("This organization no longer exists.")
            with self._lock:
                current = self._sessions.get(session_id or "")
                if current is not None and current.link_id == link.id and now < current.expires_at:
                    return OpenedPortal(current, org, self._granted(current, org), started=False)
                if link.opened_at is not None and not env.readings.links_reusable:
                    raise failed_precondition("This link has already been used.")
                if now >= link.expire_time:
                    raise failed_precondition("This portal link has expired.")
                link.opened_at = link.opened_at or now
                session = PortalSession(
                    id=secrets.token_urlsafe(24),
                    link_id=link.id,
                    organization_id=org.id,
                    features=link.features,
                    expires_at=now + self.session_ttl,
                )
                self._sessions[session.id] = session
            env.edited()
            return OpenedPortal(session, org, self._granted(session, org), started=True)

    @staticmethod
    def _granted(session: PortalSession, org: OrgRecord) -> tuple[str, ...]:
        return tuple(name for name in session.features if org.features.get(name))

    def session(self, token: str, session_id: str | None) -> tuple[PortalSession, OrgRecord]:
        """The live session a portal page names, checked against the link it was opened with."""
        with self._lock:
            session = self._sessions.get(session_id or "")
            link_id = self._by_token.get(token)
        if session is None or session.link_id != link_id:
            raise BackendError("UNAUTHENTICATED", "There is no admin portal session. Open your link again.")
        with self.env.lock:
            link = self.env.links.get(session.link_id)
            org = self.env.orgs.get(session.organization_id)
            now = self.env.clock()
        if link is None or link.revoked_at is not None or org is None or now >= session.expires_at:
            raise BackendError("UNAUTHENTICATED", "Your admin portal session has ended.")
        return session, org

    def _require(self, session: PortalSession, org: OrgRecord, feature: str) -> None:
        if feature not in self._granted(session, org):
            raise BackendError(
                "PERMISSION_DENIED", "This admin portal session does not include that feature."
            )

    # -- what the IT admin does --------------------------------------------------------------

    def test_sso(
        self,
        session: PortalSession,
        org: OrgRecord,
        provider_key: str,
        protocol: str,
        fields: Mapping[str, str],
    ) -> tuple[ConnectionRecord, str | None]:
        """Save the settings; well-formed ones complete the connection. Returns (conn, problem)."""
        self._require(session, org, "sso")
        provider = by_key(provider_key, SSO_PROVIDERS)
        if provider is None:
            raise invalid("Choose an identity provider.")
        problem = check_sso_settings(protocol, fields)
        settings = {k: str(v) for k, v in fields.items() if k in _SSO_FIELDS}
        conn = self.connections.configure_from_portal(
            org.id, provider.enum, protocol, settings, well_formed=problem is None
        )
        return conn, problem

    def set_sso_enabled(self, session: PortalSession, org: OrgRecord, enabled: bool) -> ConnectionRecord:
        self._require(session, org, "sso")
        conn = self.connections.portal_connection(org.id)
        incomplete = conn is not None and conn.status != "COMPLETED"
        if conn is None or (enabled and incomplete and not self.env.readings.enable_incomplete_sso):
            raise failed_precondition("Test the connection successfully before enabling SSO.")
        return self.connections.set_enabled(org.id, conn.id, enabled)

    def set_directory_enabled(
        self, session: PortalSession, org: OrgRecord, provider_key: str | None, enabled: bool
    ) -> DirectoryRecord:
        self._require(session, org, "dir_sync")
        provider: Provider | None = by_key(provider_key, DIRECTORY_PROVIDERS)
        if enabled and provider is None:
            raise invalid("Choose your directory provider.")
        return self.directories.configure_from_portal(org.id, provider.enum if provider else None, enabled)


_SSO_FIELDS = ("idp_metadata_url", "idp_entity_id", "issuer", "client_id")
