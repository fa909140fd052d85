"""The mock admin portal's rules: sessions that links start, and the SSO and directory settings an
IT admin changes there. State lives in :class:`ScalekitBackend`; this adds what only the portal does.

Every link is single-use, as Scalekit documents for links generated through the API: the first
load starts a portal session (a cookie), which that browser keeps for up to the session lifetime
(6 hours by default). Any other load of the same link is refused as "already used".
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from .backend import BackendError, ScalekitBackend
from .records import ConnectionRecord, DirectoryRecord, LinkRecord, OrgRecord

# (key, label, ConnectionProvider name, default protocol): the choices the portal offers.
SSO_PROVIDERS = (
    ("okta", "Okta", "OKTA", "SAML"),
    ("entra", "Microsoft Entra ID", "MICROSOFT_AD", "SAML"),
    ("google", "Google Workspace", "GOOGLE", "SAML"),
    ("onelogin", "OneLogin", "ONELOGIN", "SAML"),
    ("jumpcloud", "JumpCloud", "JUMPCLOUD", "SAML"),
    ("ping", "Ping Identity", "PING_IDENTITY", "SAML"),
    ("saml", "Generic SAML", "CUSTOM", "SAML"),
    ("oidc", "Generic OIDC", "CUSTOM", "OIDC"),
)
DIRECTORY_PROVIDERS = (
    ("okta", "Okta", "OKTA"),
    ("entra", "Microsoft Entra ID", "MICROSOFT_AD"),
    ("google", "Google Workspace", "GOOGLE"),
    ("onelogin", "OneLogin", "ONELOGIN"),
    ("jumpcloud", "JumpCloud", "JUMPCLOUD"),
    ("ping", "Ping Identity", "PING_IDENTITY"),
)


@dataclass(frozen=True)
class PortalSession:
    id: str
    link_id: str
    organization_id: str
    features: tuple[str, ...]
    expires_at: dt.datetime


def _https_url(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme == "https" and "." in parts.netloc and " " not in value.strip()


def check_sso_settings(protocol: str, fields: dict[str, str]) -> str | None:
    """What is wrong with the settings, in the IT admin's words; None when they are well formed."""
    if protocol == "SAML":
        metadata = fields.get("metadata_url", "").strip()
        entity = fields.get("entity_id", "").strip()
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


class PortalBackend:
    def __init__(self, backend: ScalekitBackend, session_ttl: dt.timedelta = dt.timedelta(hours=6)) -> None:
        self.backend = backend
        self.session_ttl = session_ttl
        self._sessions: dict[str, PortalSession] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._sessions.clear()

    # -- sessions ----------------------------------------------------------------------------

    def open(self, link_id: str, session_id: str | None) -> tuple[PortalSession, LinkRecord, OrgRecord, bool]:
        """Start a session with a fresh link, or resume this browser's own session.

        Returns (session, link, org, started). Raises NOT_FOUND for an unknown link and
        FAILED_PRECONDITION for a revoked, expired or already used one.
        """
        link, org = self.backend.peek_link(link_id)
        now = self.backend.clock()
        with self._lock:
            current = self._sessions.get(session_id or "")
            if current is not None and current.link_id == link_id and now < current.expires_at:
                return current, link, org, False
            if link.loads:
                raise BackendError("FAILED_PRECONDITION", "This link has already been used.")
            self.backend.mark_link_loaded(link_id)
            session = PortalSession(
                id=secrets.token_urlsafe(24),
                link_id=link_id,
                organization_id=org.id,
                features=link.features,
                expires_at=now + self.session_ttl,
            )
            self._sessions[session.id] = session
            return session, link, org, True

    def session(self, session_id: str | None) -> PortalSession:
        with self._lock:
            session = self._sessions.get(session_id or "")
        if session is None:
            raise BackendError("UNAUTHENTICATED", "There is no admin portal session. Open your link again.")
        if self.backend.clock() >= session.expires_at:
            raise BackendError("UNAUTHENTICATED", "Your admin portal session has expired.")
        return session

    # -- what the IT admin does --------------------------------------------------------------

    def _require(self, session: PortalSession, feature: str) -> None:
        if feature not in session.features:
            raise BackendError("PERMISSION_DENIED", "This link does not include that feature.")

    def test_sso(
        self, session: PortalSession, provider_key: str, protocol: str, fields: dict[str, str]
    ) -> tuple[ConnectionRecord, str | None]:
        """Save the settings; well-formed ones complete the connection. Returns (conn, problem)."""
        self._require(session, "sso")
        provider = next((p for p in SSO_PROVIDERS if p[0] == provider_key), None)
        if provider is None:
            raise BackendError("INVALID_ARGUMENT", "Choose an identity provider.")
        problem = check_sso_settings(protocol, fields)
        conn = self.backend.upsert_connection(
            session.organization_id,
            provider=provider[2],
            type_=protocol,
            status="IN_PROGRESS" if problem else "COMPLETED",
            settings={k: v.strip() for k, v in fields.items()},
        )
        return conn, problem

    def set_sso_enabled(self, session: PortalSession, enabled: bool) -> ConnectionRecord:
        self._require(session, "sso")
        conn = self.backend.portal_connection(session.organization_id)
        if conn is None or (enabled and conn.status != "COMPLETED"):
            raise BackendError("FAILED_PRECONDITION", "Test the connection successfully before enabling SSO.")
        return self.backend.upsert_connection(session.organization_id, enabled=enabled)

    def set_directory_enabled(
        self, session: PortalSession, provider_key: str | None, enabled: bool
    ) -> DirectoryRecord:
        self._require(session, "dir_sync")
        provider = next((p for p in DIRECTORY_PROVIDERS if p[0] == provider_key), None)
        if enabled and provider is None:
            raise BackendError("INVALID_ARGUMENT", "Choose your directory provider.")
        return self.backend.upsert_directory(
            session.organization_id, provider=provider[2] if provider else None, enabled=enabled
        )
