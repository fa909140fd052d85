"""The only door to Scalekit: SDK calls in, frozen dataclasses out, errors made actionable.

Nothing else in Portal Desk imports ``scalekit`` or ``grpc``. Calls the SDK's client classes lack
(SearchOrganization, DeletePortalLinkByID) go through the SDK's own generated stub and
``core_client.grpc_exec``, so authentication, headers and retries stay the SDK's.

What the API allows an API client shapes what is here: GeneratePortalLink makes single-use links
that live a minute; GetPortalLinks and DeletePortalLink are reserved to Scalekit's own dashboard,
so Portal Desk never lists an organization's links at Scalekit (its history is the record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

import grpc
from google.protobuf.message import Message
from scalekit import ScalekitClient
from scalekit.common.exceptions import (
    ScalekitBadRequestException,
    ScalekitConflictException,
    ScalekitException,
    ScalekitForbiddenException,
    ScalekitGatewayTimeoutException,
    ScalekitNotFoundException,
    ScalekitServerException,
    ScalekitServiceUnavailableException,
    ScalekitTooManyRequestsException,
    ScalekitUnauthorizedException,
)
from scalekit.v1.commons.commons_pb2 import RegionCode
from scalekit.v1.connections.connections_pb2 import ConnectionProvider, ConnectionStatus, ConnectionType
from scalekit.v1.directories.directories_pb2 import DirectoryProvider
from scalekit.v1.domains.domains_pb2 import VerificationStatus
from scalekit.v1.organizations import organizations_pb2 as org_pb

from .config import Settings
from .errors import (
    BadCredentials,
    InvalidRequest,
    NotAllowed,
    NotFound,
    RateLimited,
    ScalekitError,
    TimedOut,
    Unavailable,
)
from .models import FEATURES, Connection, Directory, Domain, Organization, PortalLink

LIST_PAGE_SIZE = 100  # ListOrganization's largest page: fewest round trips for a full listing
SEARCH_PAGE_SIZE = 30  # SearchOrganization's page_size rule: at most 30
SEARCH_MIN_LENGTH = 3  # SearchOrganization's query rule: at least 3 characters

PROVIDER_NAMES = {
    "OKTA": "Okta",
    "MICROSOFT_AD": "Microsoft Entra ID",
    "GOOGLE": "Google Workspace",
    "ONELOGIN": "OneLogin",
    "JUMPCLOUD": "JumpCloud",
    "PING_IDENTITY": "Ping Identity",
    "AUTH0": "Auth0",
    "ADFS": "Microsoft AD FS",
    "IDP_SIMULATOR": "IdP Simulator",
    "CUSTOM": "Custom",
}

ProgressCallback = Callable[[int, int], None]


def _provider_name(enum_name: str) -> str:
    if enum_name.endswith("UNSPECIFIED"):
        return "Unknown"
    return PROVIDER_NAMES.get(enum_name, enum_name.replace("_", " ").title())


def _time(message: Message, name: str) -> dt.datetime | None:
    if not message.HasField(name):
        return None
    return getattr(message, name).ToDatetime(tzinfo=dt.UTC)


def _organization(msg: org_pb.Organization) -> Organization:
    features = {f.name: f.enabled for f in msg.settings.features}
    region = RegionCode.Name(msg.region_code)
    return Organization(
        id=msg.id,
        display_name=msg.display_name,
        external_id=msg.external_id if msg.HasField("external_id") and msg.external_id else None,
        region="" if region.endswith("UNSPECIFIED") else region,
        created_at=_time(msg, "create_time"),
        updated_at=_time(msg, "update_time"),
        sso_feature=features.get("sso", False),
        dir_sync_feature=features.get("dir_sync", False),
        metadata=tuple(sorted(msg.metadata.items())),
    )


def _link(msg: org_pb.Link, org_id: str) -> PortalLink:
    return PortalLink(
        id=msg.id, organization_id=org_id, expires_at=_time(msg, "expire_time"), location=msg.location
    )


class ScalekitGateway:
    """Portal Desk's view of one Scalekit environment."""

    def __init__(self, client: ScalekitClient, environment_url: str) -> None:
        self._client = client
        self._core = client.core_client
        self._orgs = client.organization.organization_service  # the SDK's generated stub
        self.environment_url = environment_url

    @classmethod
    def connect(
        cls,
        settings: Settings,
        environment_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> ScalekitGateway:
        """Authenticate against Scalekit (or the emulator, given its URL and credentials)."""
        url = environment_url or settings.environment_url
        if url is None:
            raise ValueError("no Scalekit environment URL: start the emulator or configure one")
        host = urlsplit(url).netloc
        with _translate(f"sign in to Scalekit at {host}"):
            client = ScalekitClient(
                url,
                client_id or settings.client_id or "",
                client_secret or settings.client_secret or "",
                call_timeout_s=settings.call_timeout_s,
            )
        return cls(client, url)

    def _exec(self, rpc: grpc.UnaryUnaryMultiCallable, request: Message) -> Message:
        response, _call = self._core.grpc_exec(rpc.with_call, request)
        return response

    # -- organizations -----------------------------------------------------------------------

    def list_organizations(
        self, progress: ProgressCallback | None = None, page_size: int = LIST_PAGE_SIZE
    ) -> list[Organization]:
        """Every organization, following page tokens; ``progress(loaded, total)`` after each page."""
        orgs: list[Organization] = []
        token: str | None = None
        with _translate("list organizations"):
            while True:
                response, _ = self._client.organization.list_organizations(
                    page_size=page_size, page_token=token
                )
                orgs.extend(_organization(o) for o in response.organizations)
                if progress is not None:
                    progress(len(orgs), max(response.total_size, len(orgs)))
                token = response.next_page_token
                if not token or not response.organizations:
                    return orgs

    def search_organizations(self, query: str, limit: int = 200) -> list[Organization]:
        """Scalekit's server-side search on name, id and external id (3 characters at least)."""
        query = query.strip()
        if len(query) < SEARCH_MIN_LENGTH:
            raise InvalidRequest(f"Type at least {SEARCH_MIN_LENGTH} characters to search Scalekit.")
        found: list[Organization] = []
        token = ""
        with _translate("search organizations"):
            while len(found) < limit:
                request = org_pb.SearchOrganizationsRequest(
                    query=query, page_size=min(SEARCH_PAGE_SIZE, limit - len(found)), page_token=token
                )
                response = self._exec(self._orgs.SearchOrganization, request)
                found.extend(_organization(o) for o in response.organizations)
                token = response.next_page_token
                if not token or not response.organizations:
                    break
        return found[:limit]

    def get_organization(self, org_id: str) -> Organization:
        with _translate("load the organization", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.get_organization(org_id)
        return _organization(response.organization)

    def create_organization(
        self, display_name: str, external_id: str | None = None, region: str | None = None
    ) -> Organization:
        new = org_pb.CreateOrganization(display_name=display_name.strip())
        if external_id:
            new.external_id = external_id.strip()
        if region:
            new.region_code = RegionCode.Value(region)
        with _translate("create the organization"):
            response, _ = self._client.organization.create_organization(new)
        return _organization(response.organization)

    def update_organization(
        self, org_id: str, *, display_name: str | None = None, external_id: str | None = None
    ) -> Organization:
        """Rename an organization or change its external id ("" clears it)."""
        change = org_pb.UpdateOrganization()
        if display_name is not None:
            change.display_name = display_name.strip()
        if external_id is not None:
            change.external_id = external_id.strip()
        with _translate("update the organization", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.update_organization(org_id, change)
        return _organization(response.organization)

    def delete_organization(self, org_id: str) -> None:
        with _translate("delete the organization", subject=f"Organization {org_id}"):
            self._client.organization.delete_organization(org_id)

    def update_organization_settings(
        self, org_id: str, *, sso: bool | None = None, dir_sync: bool | None = None
    ) -> Organization:
        """Turn the admin portal's SSO and directory sync features on or off."""
        changes = [
            {"name": name, "enabled": value}
            for name, value in (("sso", sso), ("dir_sync", dir_sync))
            if value is not None
        ]
        if not changes:
            return self.get_organization(org_id)
        with _translate("update the organization's settings", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.update_organization_settings(org_id, changes)
        return _organization(response.organization)

    # -- portal links ------------------------------------------------------------------------

    def generate_portal_link(self, org_id: str, features: Sequence[str]) -> PortalLink:
        """A single-use link that lives a minute. No features asked means Scalekit's default: the
        organization's enabled ones (links.py checks what a rep asked for)."""
        wanted = [org_pb.Feature.Value(name) for name in features if name in FEATURES]
        with _translate("generate a portal link", subject=f"Organization {org_id}"):
            response = self._exec(
                self._orgs.GeneratePortalLink, org_pb.GeneratePortalLinkRequest(id=org_id, features=wanted)
            )
        return _link(response.link, org_id)

    def revoke_portal_link(self, org_id: str, link_id: str) -> None:
        """DeletePortalLinkByID: the link can no longer be opened (NotFound once it was opened or
        expired). The error never names the link: its id is not for screens or logs."""
        with _translate("revoke the portal link", subject="The portal link"):
            self._exec(
                self._orgs.DeletePortalLinkByID,
                org_pb.DeletePortalLinkByIdRequest(id=org_id, link_id=link_id),
            )

    # -- connections, directories, domains ---------------------------------------------------

    def list_connections(self, org_id: str) -> list[Connection]:
        """Every connection, whatever its status: Scalekit lists only active (completed and
        enabled) ones unless asked for ``include='all'``, which would hide draft and in-progress
        setups, the very states a rep follows."""
        with _translate("list SSO connections", subject=f"Organization {org_id}"):
            response, _ = self._client.connection.list_connections(org_id, include="all")
        return [
            Connection(
                id=c.id,
                organization_id=c.organization_id or org_id,
                provider=_provider_name(ConnectionProvider.Name(c.provider)),
                type=ConnectionType.Name(c.type),
                status=ConnectionStatus.Name(c.status)
                .lower()
                .replace("connection_status_unspecified", "unknown"),
                enabled=c.enabled,
                created_at=_time(c, "created_at"),
            )
            for c in response.connections
        ]

    def list_directories(self, org_id: str) -> list[Directory]:
        with _translate("list directories", subject=f"Organization {org_id}"):
            response, _ = self._client.directory.list_directories(org_id)
        return [
            Directory(
                id=d.id,
                organization_id=d.organization_id or org_id,
                name=d.name,
                provider=_provider_name(DirectoryProvider.Name(d.directory_provider)),
                enabled=d.enabled,
                total_users=d.total_users,
                total_groups=d.total_groups,
                last_synced_at=_time(d, "last_synced_at"),
            )
            for d in response.directories
        ]

    def list_domains(self, org_id: str) -> list[Domain]:
        with _translate("list domains", subject=f"Organization {org_id}"):
            response, _ = self._client.domain.list_domains(org_id)
        return [
            Domain(
                id=d.id,
                organization_id=d.organization_id or org_id,
                domain=d.domain,
                verification_status=VerificationStatus.Name(d.verification_status).lower(),
                created_at=_time(d, "create_time"),
            )
            for d in response.domains
        ]


def _server_message(exc: ScalekitServerException) -> str:
    text = (exc.message or "").strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else "the request was not valid"


@contextmanager
def _translate(action: str, subject: str | None = None) -> Iterator[None]:
    """Turn the SDK's exceptions into Portal Desk's, each with a sentence a rep can act on."""
    try:
        yield
    except ScalekitNotFoundException as exc:
        what = subject or "What you asked for"
        raise NotFound(
            f"{what} was not found in Scalekit; it may have been deleted. Refresh the list and pick it again."
        ) from exc
    except ScalekitUnauthorizedException as exc:
        raise BadCredentials(
            f"Scalekit refused Portal Desk's credentials when trying to {action}. Check "
            "SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET, and that the API client is still active."
        ) from exc
    except ScalekitForbiddenException as exc:
        raise NotAllowed(
            f"Scalekit does not let Portal Desk's API client {action} (permission denied). Check the API "
            "client's permissions in Scalekit's dashboard."
        ) from exc
    except ScalekitTooManyRequestsException as exc:
        raise RateLimited(
            f"Scalekit is rate limiting requests, so Portal Desk could not {action}. "
            "Wait a minute and try again."
        ) from exc
    except ScalekitGatewayTimeoutException as exc:
        raise TimedOut(
            f"Scalekit did not answer in time when trying to {action}. Try again; "
            "if it keeps happening, check Scalekit's status page."
        ) from exc
    except (ScalekitBadRequestException, ScalekitConflictException) as exc:
        raise InvalidRequest(f"Scalekit refused to {action}: {_server_message(exc)}.") from exc
    except ScalekitServiceUnavailableException as exc:
        raise Unavailable(
            f"Scalekit is unavailable, so Portal Desk could not {action}. Try again in a minute."
        ) from exc
    except ScalekitServerException as exc:
        raise Unavailable(
            f"Scalekit had an internal error when trying to {action}. Try again in a minute."
        ) from exc
    except ScalekitException as exc:
        # Not an answer from Scalekit: the connection itself failed (DNS, TLS, refused).
        raise Unavailable(
            f"Portal Desk could not reach Scalekit to {action}. Check the network "
            "and SCALEKIT_ENVIRONMENT_URL."
        ) from exc


__all__ = ["ScalekitError", "ScalekitGateway"]
