"""Readings: where Scalekit's own sources disagree or are silent, the emulator can play each.

The default is what the docs state (or, where they are silent, what the vendor's own tests
expect). ``--reading NAME`` (repeatable), ``Emulator(readings=[...])`` switch to another reading,
so a client can be tested under each; ``--readings`` lists them with their sources.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reading:
    name: str  # as given on the command line; "rate-limit=N" takes a value
    says: str
    source: str
    default: bool = False  # in effect unless another reading of the same question is chosen


READINGS: tuple[Reading, ...] = (
    Reading(
        "feature-name-dir_sync",
        "organization settings name the directory-sync feature dir_sync",
        "API reference (UpdateOrganizationSettings example); the Python SDK's test_organization",
        default=True,
    ),
    Reading(
        "feature-name-directory_sync",
        "organization settings report and accept directory_sync instead of dir_sync "
        "(GeneratePortalLink's Feature enum keeps dir_sync = 1)",
        "SDK 2.21 descriptor: OrganizationSettingsFeature.name's description; the Node SDK",
    ),
    Reading(
        "feature-name-scim",
        "organization settings report and accept scim instead of dir_sync",
        "the SCIM guide",
    ),
    Reading(
        "features-on-by-default",
        "a new organization has both admin portal features on",
        "docs silent; the emulator's choice",
        default=True,
    ),
    Reading(
        "features-off-by-default",
        "a new organization has both admin portal features off until its settings enable them",
        "docs silent",
    ),
    Reading(
        "links-single-use",
        "GeneratePortalLink makes a new link each call; it opens once, within its minute",
        "SDK 2.21 descriptor: GeneratePortalLink's description; the admin portal guide",
        default=True,
    ),
    Reading(
        "links-reusable",
        "GeneratePortalLink may hand back an unused live link of the same organization and "
        "features, and a link opens any number of times within its minute (each open a session)",
        "SDK 2.21 descriptor: GeneratePortalLink's agent_tool description",
    ),
    Reading(
        "directory-enabled-on-create",
        "CreateDirectory makes an enabled directory",
        "the vendor's test_create_directory (run against live Scalekit)",
        default=True,
    ),
    Reading(
        "directory-disabled-on-create",
        "CreateDirectory makes a disabled directory until EnableDirectory",
        "docs silent; the emulator's earlier reading",
    ),
    Reading(
        "enable-incomplete-sso",
        "EnableConnection (and the portal's Enable SSO) succeed on a connection that is not COMPLETED",
        "docs silent",
    ),
    Reading(
        "domains-verified-on-create",
        "a domain created through the API is admin-verified (VERIFIED) at once",
        "docs: domains added through the API are verified by the admin who adds them",
        default=True,
    ),
    Reading(
        "domains-pending-until-txt",
        "a domain created through the API stays PENDING until its TXT record is published",
        "docs' DNS verification guide; the emulator's earlier reading",
    ),
    Reading(
        "rate-limit=N",
        "N calls a minute per environment, then RESOURCE_EXHAUSTED with a RATE_LIMITED detail "
        "and a retry-after (seconds) in the trailing metadata",
        "docs' rate limits (HTTP 429, RATE_LIMITED)",
    ),
    Reading(
        "client-permissions=LIST",
        "the API client holds only these permissions (comma-separated); a method whose "
        "auth_option.permissions it lacks is PERMISSION_DENIED, naming the permission",
        "SDK 2.21 descriptors: auth_option.permissions",
    ),
    Reading(
        "lost-answer=METHOD[:N]",
        "METHOD completes at the backend, then its answer is lost: UNAVAILABLE (N times, default "
        "every call). grpc_exec retries UNAVAILABLE twice, so each retry runs METHOD again",
        "SDK 2.21 grpc_exec's comment on UNAVAILABLE; any network",
    ),
)

# Readings that answer the same question: choosing one replaces the default among them.
_GROUPS = (
    ("feature-name-dir_sync", "feature-name-directory_sync", "feature-name-scim"),
    ("features-on-by-default", "features-off-by-default"),
    ("links-single-use", "links-reusable"),
    ("directory-enabled-on-create", "directory-disabled-on-create"),
    ("domains-verified-on-create", "domains-pending-until-txt"),
)
_FLAGS = {r.name for r in READINGS if "=" not in r.name}


@dataclass(frozen=True)
class Readings:
    """The readings in effect. ``Readings.parse([...])`` checks the names."""

    chosen: tuple[str, ...] = ()
    directory_feature: str = "dir_sync"  # how organization settings name directory sync
    features_on_by_default: bool = True
    links_reusable: bool = False
    directory_enabled_on_create: bool = True
    enable_incomplete_sso: bool = False
    domains_verified_on_create: bool = True
    rate_limit: int | None = None  # calls a minute per environment
    client_permissions: frozenset[str] | None = None  # None: every permission
    lost_answers: dict[str, int | None] = field(default_factory=dict)  # method -> times (None: all)

    @classmethod
    def parse(cls, names: Iterable[str]) -> Readings:
        """Raises ValueError, naming the reading, for anything unknown or contradictory."""
        chosen = tuple(n.strip() for n in names if n.strip())
        flags = {n for n in chosen if "=" not in n}
        unknown = sorted(flags - _FLAGS)
        if unknown:
            raise ValueError(f"unknown reading {unknown[0]!r}; --readings lists them")
        for group in _GROUPS:
            if len(flags & set(group)) > 1:
                raise ValueError(f"readings {' and '.join(sorted(flags & set(group)))} contradict")
        values: dict[str, Any] = {}
        lost: dict[str, int | None] = {}
        for name in chosen:
            key, _, value = name.partition("=")
            if not _:
                continue
            if key == "rate-limit":
                if not value.isdigit() or int(value) < 1:
                    raise ValueError("rate-limit=N needs a whole number of calls a minute, at least 1")
                values["rate_limit"] = int(value)
            elif key == "client-permissions":
                values["client_permissions"] = frozenset(p.strip() for p in value.split(",") if p.strip())
            elif key == "lost-answer":
                method, _, times = value.partition(":")
                if not method or (times and (not times.isdigit() or int(times) < 1)):
                    raise ValueError("lost-answer=METHOD[:N] needs an RPC name and, optionally, N >= 1")
                lost[method] = int(times) if times else None
            else:
                raise ValueError(f"unknown reading {name!r}; --readings lists them")
        directory = next((n for n in flags if n.startswith("feature-name-")), "feature-name-dir_sync")
        return cls(
            chosen=chosen,
            directory_feature=directory.removeprefix("feature-name-"),
            features_on_by_default="features-off-by-default" not in flags,
            links_reusable="links-reusable" in flags,
            directory_enabled_on_create="directory-disabled-on-create" not in flags,
            enable_incomplete_sso="enable-incomplete-sso" in flags,
            domains_verified_on_create="domains-pending-until-txt" not in flags,
            lost_answers=lost,
            **values,
        )

    def in_effect(self) -> list[str]:
        """Every reading in effect: the chosen ones and the defaults no choice replaced."""
        chosen = set(self.chosen)
        defaults = [
            r.name
            for r in READINGS
            if r.default and not any(r.name in g and chosen & set(g) for g in _GROUPS)
        ]
        return defaults + [n for n in self.chosen if n not in defaults]


def readings_table() -> str:
    """The ``--readings`` report: each reading, what it says, and which source says so."""
    lines = []
    for reading in READINGS:
        mark = " (default)" if reading.default else ""
        lines.append(f"{reading.name}{mark}\n    {reading.says}\n    source: {reading.source}")
    return "\n".join(lines)
