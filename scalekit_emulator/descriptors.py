"""What the SDK's own descriptors say about every RPC of the services the emulator serves.

Scalekit publishes its API as protobuf, and the SDK ships the compiled descriptors with their
method options: ``scalekit.v1.options.auth_option`` (who may call a method), ``google.api.http``,
``google.api.method_visibility`` and the OpenAPI summary. The emulator reads its rules from here at
run time instead of copying them, so a new SDK release brings Scalekit's new rules with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from google.protobuf.descriptor import Descriptor, MethodDescriptor, ServiceDescriptor
from scalekit.v1.connections import connections_pb2
from scalekit.v1.directories import directories_pb2
from scalekit.v1.domains import domains_pb2
from scalekit.v1.options import options_pb2
from scalekit.v1.organizations import organizations_pb2

AuthenticationType = options_pb2.AuthenticationType

# The caller kinds a token can stand for. AuthenticationType values are bit sets over these
# (WORKSPACE_CLIENT = WORKSPACE | CLIENT), so "may this caller call it" is one bitwise test.
CLIENT = AuthenticationType.Value("CLIENT")  # an API client's client-credentials token
WORKSPACE = AuthenticationType.Value("WORKSPACE")  # a person signed in to Scalekit's dashboard
NO_AUTHENTICATION = AuthenticationType.Value("NONE")
CALLER_LABELS = {CLIENT: "an API client", WORKSPACE: "a dashboard (workspace) session"}

SERVICES: tuple[ServiceDescriptor, ...] = (
    organizations_pb2.DESCRIPTOR.services_by_name["OrganizationService"],
    connections_pb2.DESCRIPTOR.services_by_name["ConnectionService"],
    directories_pb2.DESCRIPTOR.services_by_name["DirectoryService"],
    domains_pb2.DESCRIPTOR.services_by_name["DomainService"],
)


@dataclass(frozen=True)
class MethodRule:
    service: str  # "OrganizationService"
    name: str  # "GeneratePortalLink"
    path: str  # "/scalekit.v1.organizations.OrganizationService/GeneratePortalLink", as gRPC names it
    authentication: int  # an AuthenticationType value: a bit set of caller kinds
    preview: bool  # google.api.method_visibility restriction PREVIEW
    summary: str
    request: Descriptor
    # auth_option.permissions: any one of them lets an API client call the method (the list pairs
    # a legacy name with its current one, e.g. organizations_write and organizations:write).
    permissions: tuple[str, ...] = ()

    @property
    def authentication_name(self) -> str:
        return str(AuthenticationType.Name(self.authentication))

    @property
    def open_to_anyone(self) -> bool:
        return bool(self.authentication == NO_AUTHENTICATION)

    def allows(self, caller: int) -> bool:
        return bool(self.authentication & caller)


def _rule(service: ServiceDescriptor, method: MethodDescriptor) -> MethodRule:
    options = method.GetOptions()
    fields = {field.name: value for field, value in options.ListFields()}
    auth = fields.get("auth_option")
    visibility = fields.get("method_visibility")
    operation = fields.get("openapiv2_operation")
    return MethodRule(
        service=service.name,
        name=method.name,
        path=f"/{service.full_name}/{method.name}",
        # A method without the option is closed to everyone (BLOCKED is the enum's zero).
        authentication=auth.authentication_type if auth is not None else AuthenticationType.Value("BLOCKED"),
        preview=visibility is not None and visibility.restriction == "PREVIEW",
        summary=operation.summary if operation is not None else "",
        request=method.input_type,
        permissions=tuple(auth.permissions) if auth is not None else (),
    )


@cache
def method_rules() -> dict[str, MethodRule]:
    """Every method the four services declare, keyed by its gRPC path."""
    return {rule.path: rule for service in SERVICES for rule in (_rule(service, m) for m in service.methods)}


@dataclass(frozen=True)
class ServiceCoverage:
    service: str
    implemented: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def declared(self) -> int:
        return len(self.implemented) + len(self.missing)


def coverage(implemented_paths: Iterable[str]) -> list[ServiceCoverage]:
    """Per service, which declared methods the emulator implements and which it does not."""
    done = set(implemented_paths)
    table = []
    for service in SERVICES:
        rules = [rule for rule in method_rules().values() if rule.service == service.name]
        table.append(
            ServiceCoverage(
                service=service.name,
                implemented=tuple(r.name for r in rules if r.path in done),
                missing=tuple(r.name for r in rules if r.path not in done),
            )
        )
    return table


def coverage_table(implemented_paths: Iterable[str]) -> str:
    """The ``--coverage`` report: a Markdown table, then what is missing per service."""
    rows = coverage(implemented_paths)
    lines = ["| service | implemented | declared |", "| --- | ---: | ---: |"]
    lines += [f"| {row.service} | {len(row.implemented)} | {row.declared} |" for row in rows]
    lines.append("")
    for row in rows:
        if row.missing:
            lines.append(f"{row.service} answers UNIMPLEMENTED for: {', '.join(row.missing)}")
    return "\n".join(lines)
