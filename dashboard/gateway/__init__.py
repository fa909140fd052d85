"""The only door to Scalekit: SDK calls in, frozen dataclasses out, errors made actionable.

Nothing else in Portal Desk imports ``scalekit`` or ``grpc``. Calls the SDK's client classes lack
(SearchOrganization, DeletePortalLinkByID, the environment-wide connection listings) go through
the SDK's own generated stubs and ``core_client.grpc_exec``, so authentication, headers and
retries stay the SDK's. Two changes to how the SDK talks, both for the Organizations page at
scale, both through one adapter (channel.py): its channel without the per-call thread of its call
credentials, and directories fetched as gRPC futures, many in flight (bulk.py).

What the API allows an API client shapes what is here: GeneratePortalLink makes single-use links
that live a minute; GetPortalLinks and DeletePortalLink are reserved to Scalekit's own dashboard,
so Portal Desk never lists an organization's links at Scalekit (its history is the record).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlsplit

import grpc
from google.protobuf.message import Message
from scalekit import ScalekitClient
from scalekit.common.exceptions import ScalekitServerException
from scalekit.v1.commons.commons_pb2 import RegionCode
from scalekit.v1.domains.domains_pb2 import VerificationStatus
from scalekit.v1.organizations import organizations_pb2 as org_pb

from ..config import Settings
from ..errors import InvalidRequest, ScalekitError
from ..models import FEATURES, Connection, Directory, Domain, Organization, PortalLink
from . import bulk, convert
from .channel import SdkChannel
from .translate import translate
from .trust import trust_ca_bundle

LIST_PAGE_SIZE = 100  # ListOrganization's largest page: fewest round trips for a full listing
SEARCH_PAGE_SIZE = 30  # SearchOrganization's page_size rule: at most 30
SEARCH_MIN_LENGTH = 3  # SearchOrganization's query rule: at least 3 characters

ProgressCallback = Callable[[int, int], object]  # what it returns is ignored


class ScalekitGateway:
    """Portal Desk's view of one Scalekit environment."""

    def __init__(self, client: ScalekitClient, environment_url: str) -> None:
        self._client = client
        self._core = client.core_client
        self._channel = SdkChannel(client)
        self._orgs = self._channel.organizations  # the SDK's generated stub
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
        with translate(f"sign in to Scalekit at {host}", host=host):
            client = ScalekitClient(
                url,
                client_id or settings.client_id or "",
                client_secret or settings.client_secret or "",
                call_timeout_s=settings.call_timeout_s,
            )
        return cls(client, url)

    def _exec(self, rpc: grpc.UnaryUnaryMultiCallable, request: Message, *, retry: bool = True) -> Message:
        """``retry=False``: UNAVAILABLE is raised, not retried (see generate_portal_link)."""
        return self._channel.exec(rpc, request, retry=retry)

    # -- organizations -----------------------------------------------------------------------

    def list_organizations(
        self,
        progress: ProgressCallback | None = None,
        page_size: int = LIST_PAGE_SIZE,
        on_page: Callable[[list[Organization]], None] | None = None,
    ) -> list[Organization]:
        """Every organization, following page tokens; ``progress(loaded, total)`` and ``on_page``
        (a status round can start on them) after each page."""
        orgs: list[Organization] = []
        token: str | None = None
        with translate("list organizations"):
            while True:
                response, _ = self._client.organization.list_organizations(
                    page_size=page_size, page_token=token
                )
                page = [convert.organization(o) for o in response.organizations]
                orgs.extend(page)
                if on_page is not None:
                    on_page(page)
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
        with translate("search organizations"):
            while len(found) < limit:
                request = org_pb.SearchOrganizationsRequest(
                    query=query, page_size=min(SEARCH_PAGE_SIZE, limit - len(found)), page_token=token
                )
                response = self._exec(self._orgs.SearchOrganization, request)
                found.extend(convert.organization(o) for o in response.organizations)
                token = response.next_page_token
                if not token or not response.organizations:
                    break
        return found[:limit]

    def get_organization(self, org_id: str) -> Organization:
        with translate("load the organization", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.get_organization(org_id)
        return convert.organization(response.organization)

    def create_organization(
        self, display_name: str, external_id: str | None = None, region: str | None = None
    ) -> Organization:
        new = org_pb.CreateOrganization(display_name=display_name.strip())
        if external_id:
            new.external_id = external_id.strip()
        if region:
            new.region_code = RegionCode.Value(region)
        with translate("create the organization"):
            response, _ = self._client.organization.create_organization(new)
        return convert.organization(response.organization)

    def update_organization(
        self, org_id: str, *, display_name: str | None = None, external_id: str | None = None
    ) -> Organization:
        """Rename an organization or change its external id ("" clears it)."""
        change = org_pb.UpdateOrganization()
        if display_name is not None:
            change.display_name = display_name.strip()
        if external_id is not None:
            change.external_id = external_id.strip()
        with translate("update the organization", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.update_organization(org_id, change)
        return convert.organization(response.organization)

    def delete_organization(self, org_id: str) -> None:
        with translate("delete the organization", subject=f"Organization {org_id}"):
            self._client.organization.delete_organization(org_id)

    def update_organization_settings(
        self, org_id: str, *, sso: bool | None = None, dir_sync: bool | None = None
    ) -> Organization:
        """Turn the admin portal's SSO and directory sync features on or off.

        Directory sync is switched under the name the environment itself reports for this
        organization (``dir_sync``, ``directory_sync`` or ``scim``: Scalekit's sources disagree),
        read first; ``dir_sync`` when its settings do not name it."""
        directory = "dir_sync"
        if dir_sync is not None:
            with translate("load the organization", subject=f"Organization {org_id}"):
                current, _ = self._client.organization.get_organization(org_id)
            directory = convert.directory_feature_name(current.organization) or "dir_sync"
        changes = [
            {"name": name, "enabled": value}
            for name, value in (("sso", sso), (directory, dir_sync))
            if value is not None
        ]
        if not changes:
            return self.get_organization(org_id)
        with translate("update the organization's settings", subject=f"Organization {org_id}"):
            response, _ = self._client.organization.update_organization_settings(org_id, changes)
        return convert.organization(response.organization)

    # -- portal links ------------------------------------------------------------------------

    def generate_portal_link(self, org_id: str, features: Sequence[str]) -> PortalLink:
        """A single-use link that lives a minute. No features asked means Scalekit's default: the
        organization's enabled ones (links.py checks what a rep asked for).

        Never retried on UNAVAILABLE: that status may mean the link was made and only its answer
        lost, and the SDK's retry would mint again, leaving a link the history cannot know. One
        call, one pending row (links.py): a lost answer leaves that row to close as "unknown"."""
        wanted = [org_pb.Feature.Value(name) for name in features if name in FEATURES]
        with translate("generate a portal link", subject=f"Organization {org_id}"):
            response = self._exec(
                self._orgs.GeneratePortalLink,
                org_pb.GeneratePortalLinkRequest(id=org_id, features=wanted),
                retry=False,
            )
        return convert.link(response.link, org_id)

    def revoke_portal_link(self, org_id: str, link_id: str) -> None:
        """DeletePortalLinkByID: the link can no longer be opened (NotFound once it was opened or
        expired). The error never names the link: its id is not for screens or logs."""
        with translate("revoke the portal link", subject="The portal link"):
            self._exec(
                self._orgs.DeletePortalLinkByID,
                org_pb.DeletePortalLinkByIdRequest(id=org_id, link_id=link_id),
            )

    # -- connections, directories, domains ---------------------------------------------------

    def list_connections(self, org_id: str) -> list[Connection]:
        """Every connection, whatever its status: Scalekit lists only active (completed and
        enabled) ones unless asked for ``include='all'``, which would hide draft and in-progress
        setups, the very states a rep follows."""
        with translate("list SSO connections", subject=f"Organization {org_id}"):
            response, _ = self._client.connection.list_connections(org_id, include="all")
        return [convert.connection(c, org_id) for c in response.connections]

    def list_directories(self, org_id: str) -> list[Directory]:
        with translate("list directories", subject=f"Organization {org_id}"):
            response, _ = self._client.directory.list_directories(org_id)
        return [convert.directory(d, org_id) for d in response.directories]

    # -- the whole environment at once (the Organizations page) ------------------------------

    def every_connection(
        self, on_page: bulk.PageCallback, patience: Callable[[Callable[[], Message]], Message] | None = None
    ) -> None:
        """Every connection of every organization, every status, page by page (bulk.py).
        NotAllowed when the environment does not offer it to an API client. ``patience`` wraps
        each page's call (the worker's back-off on a rate limit), so a long walk resumes where
        Scalekit stopped it rather than from the start."""
        action = "list every SSO connection of the environment"

        def page(rpc: grpc.UnaryUnaryMultiCallable, request: Message) -> Message:
            def once() -> Message:
                with translate(action):
                    return self._exec(rpc, request)

            return patience(once) if patience is not None else once()

        with translate(action):
            bulk.every_connection(page, self._channel.connections, on_page)

    def directories_of(
        self,
        org_ids: Iterable[str],
        on_result: Callable[[str, list[Directory] | ScalekitError], None],
        *,
        in_flight: int = 64,
        stopped: threading.Event | None = None,
    ) -> None:
        """Each organization's directories, many calls in flight (bulk.py); ``on_result`` gets
        the directories or the error, from gRPC's threads."""
        expired: list[str] = []

        def arrived(org_id: str, found: list[Directory] | None, error: grpc.RpcError | None) -> None:
            if error is None:
                on_result(org_id, found or [])
            elif error.code() == grpc.StatusCode.UNAUTHENTICATED:
                expired.append(org_id)  # list.append is atomic; retried below through the SDK
            else:
                on_result(org_id, _error(error, org_id))

        bulk.directories_of(
            lambda request: self._channel.future(self._channel.directories.ListDirectories, request),
            org_ids,
            on_result=arrived,
            in_flight=in_flight,
            stopped=stopped,
        )
        for org_id in expired:  # the token expired meanwhile: the SDK's own path signs in again
            try:
                on_result(org_id, self.list_directories(org_id))
            except ScalekitError as error:
                on_result(org_id, error)

    def list_domains(self, org_id: str) -> list[Domain]:
        with translate("list domains", subject=f"Organization {org_id}"):
            response, _ = self._client.domain.list_domains(org_id)
        return [
            Domain(
                id=d.id,
                organization_id=d.organization_id or org_id,
                domain=d.domain,
                verification_status=VerificationStatus.Name(d.verification_status).lower(),
                created_at=convert.time(d, "create_time"),
            )
            for d in response.domains
        ]


def _error(error: grpc.RpcError, org_id: str) -> ScalekitError:
    """An RPC's failure, as the SDK would have raised it and the gateway translated it."""
    try:
        with translate("list directories", subject=f"Organization {org_id}"):
            raise ScalekitServerException.promote(error)
    except ScalekitError as translated:
        return translated
    raise AssertionError("translate() turns every SDK exception into a ScalekitError")


__all__ = ["ProgressCallback", "ScalekitError", "ScalekitGateway", "trust_ca_bundle"]
