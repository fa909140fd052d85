"""Organizations: their fields, admin portal features, session policy, user limits and branding.

Field rules that the SDK's descriptors state (lengths, patterns, map sizes) are enforced before a
request reaches this module (see ``guard.py``); what is here are the rules no descriptor states:
uniqueness, what a blank name means, and what deleting an organization takes with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import already_exists, invalid
from ..records import FEATURES, BrandingRecord, OrgRecord, SessionPolicyRecord
from .environment import Environment, Page, new_id, page_of

REGIONS = ("US", "EU")
SEARCH_PAGE_MAX = 30  # SearchOrganization's page_size rule (lte 30)


@dataclass(frozen=True)
class OrgChanges:
    """What an update sets; None leaves a field as it is."""

    display_name: str | None = None
    external_id: str | None = None  # "" clears it
    metadata: Mapping[str, str] | None = None  # merged into the existing pairs
    slug: str | None = None  # "" clears it
    logo_url: str | None = None


# What Scalekit applies to an organization that has no session policy of its own.
APPLICATION_SESSION_POLICY = {
    "absolute_session_timeout": 7,
    "absolute_session_timeout_unit": "DAYS",
    "idle_session_timeout_enabled": True,
    "idle_session_timeout": 24,
    "idle_session_timeout_unit": "HOURS",
    "access_token_expiry": 300,
}


class Organizations:
    def __init__(self, env: Environment) -> None:
        self.env = env

    # -- reading -----------------------------------------------------------------------------

    def get(self, org_id: str = "", external_id: str = "") -> OrgRecord:
        with self.env.lock:
            return self.env.organization(org_id, external_id)

    def listing(
        self, page_size: int = 0, page_token: str = "", external_id: str | None = None
    ) -> Page[OrgRecord]:
        with self.env.lock:
            orgs = list(reversed(self.env.orgs.values()))  # newest first, as Scalekit lists
            if external_id is not None:
                orgs = [org for org in orgs if org.external_id == external_id]
            return page_of(orgs, page_size, page_token, scope=f"list:{external_id}")

    def search(self, query: str, page_size: int = 0, page_token: str = "") -> Page[OrgRecord]:
        """Name contains the query; id or external id starts with it (case-insensitive)."""
        needle = query.strip().lower()
        if not needle:
            raise invalid("query must not be blank")
        with self.env.lock:
            found = [
                org
                for org in reversed(self.env.orgs.values())
                if needle in org.display_name.lower()
                or org.id.lower().startswith(needle)
                or (org.external_id or "").lower().startswith(needle)
            ]
            return page_of(found, page_size, page_token, scope=f"search:{needle}", max_size=SEARCH_PAGE_MAX)

    @property
    def count(self) -> int:
        with self.env.lock:
            return len(self.env.orgs)

    # -- writing -----------------------------------------------------------------------------

    def _check_unique(self, org: OrgRecord | None, external_id: str | None, slug: str | None) -> None:
        own = org.id if org else None
        if external_id and self.env.by_external.get(external_id, own) != own:
            raise already_exists(f"an organization with external id {external_id!r} already exists")
        if slug and self.env.by_slug.get(slug, own) != own:
            raise already_exists(f"the slug {slug!r} is taken by another organization")

    def create(
        self,
        display_name: str,
        external_id: str | None = None,
        region_code: str = "US",
        metadata: Mapping[str, str] | None = None,
        slug: str | None = None,
        logo_url: str | None = None,
    ) -> OrgRecord:
        name = display_name.strip()
        if not name:
            raise invalid("organization.display_name: must not be blank")
        if region_code not in REGIONS:
            raise invalid(f"organization.region_code: must be one of {', '.join(REGIONS)}")
        _check_logo(logo_url)
        with self.env.lock:
            self._check_unique(None, external_id, slug)
            now = self.env.clock()
            org = OrgRecord(
                id=new_id("org"),
                display_name=name,
                external_id=external_id or None,
                region_code=region_code,
                create_time=now,
                update_time=now,
                metadata=dict(metadata or {}),
                slug=slug or None,
                logo_url=logo_url or None,
                features=dict.fromkeys(FEATURES, self.env.readings.features_on_by_default),
            )
            self.env.orgs[org.id] = org
            for index in (self.env.org_connections, self.env.org_directories, self.env.org_domains):
                index[org.id] = []
            if org.external_id:
                self.env.by_external[org.external_id] = org.id
            if org.slug:
                self.env.by_slug[org.slug] = org.id
            self.env.changed()
            return org

    def update(self, org_id: str, external_id_key: str, changes: OrgChanges) -> OrgRecord:
        if changes.display_name is not None and not changes.display_name.strip():
            raise invalid("organization.display_name: must not be blank")
        _check_logo(changes.logo_url)
        with self.env.lock:
            org = self.env.organization(org_id, external_id_key)
            self._check_unique(org, changes.external_id, changes.slug)
            if changes.display_name is not None:
                org.display_name = changes.display_name.strip()
            if changes.external_id is not None:
                _rekey(self.env.by_external, org.external_id, changes.external_id, org.id)
                org.external_id = changes.external_id or None
            if changes.slug is not None:
                _rekey(self.env.by_slug, org.slug, changes.slug, org.id)
                org.slug = changes.slug or None
            if changes.logo_url is not None:
                org.logo_url = changes.logo_url or None
            if changes.metadata:
                merged = {**org.metadata, **changes.metadata}
                if len(merged) > 10:
                    raise invalid("organization.metadata: an organization holds at most 10 pairs")
                org.metadata = merged
            org.update_time = self.env.clock()
            self.env.changed()
            return org

    def delete(self, org_id: str = "", external_id: str = "") -> OrgRecord:
        """Remove the organization with its connections, directories and domains; its portal
        links stop working (the portal backend ends their sessions)."""
        env = self.env
        with env.lock:
            org = env.organization(org_id, external_id)
            del env.orgs[org.id]
            for table, index in (
                (env.connections, env.org_connections),
                (env.directories, env.org_directories),
                (env.domains, env.org_domains),
            ):
                for record_id in index.pop(org.id, []):
                    table.pop(record_id, None)
            if org.external_id:
                env.by_external.pop(org.external_id, None)
            if org.slug:
                env.by_slug.pop(org.slug, None)
            now = env.clock()
            for link in env.links.values():
                if link.organization_id == org.id and link.revoked_at is None:
                    link.revoked_at = now
            for mapping in (env.session_policies, env.user_limits, env.branding):
                mapping.pop(org.id, None)
            env.changed()
            return org

    def feature_names(self) -> dict[str, str]:
        """Internal feature -> the name organization settings give it under the readings."""
        return {"sso": "sso", "dir_sync": self.env.readings.directory_feature}

    def update_settings(self, org_id: str, features: Iterable[tuple[str, bool]]) -> OrgRecord:
        """``features`` as settings name them (``directory_sync`` or ``scim`` under those readings)."""
        internal = {shown: name for name, shown in self.feature_names().items()}
        changes = list(features)
        for name, _ in changes:
            if name not in internal:
                raise invalid(
                    f"settings.features: unknown feature {name!r}; expected one of {', '.join(internal)}"
                )
        with self.env.lock:
            org = self.env.organization(org_id)
            for name, enabled in changes:
                org.features[internal[name]] = enabled
            org.update_time = self.env.clock()
            self.env.changed()
            return org

    # -- session policy, user management, branding -------------------------------------------

    def session_policy(self, org_id: str) -> SessionPolicyRecord:
        with self.env.lock:
            self.env.organization(org_id)
            return self.env.session_policies.get(org_id) or SessionPolicyRecord()

    def update_session_policy(self, org_id: str, policy: SessionPolicyRecord) -> SessionPolicyRecord:
        if policy.policy_source == "CUSTOM":
            for value, unit, name in (
                (
                    policy.absolute_session_timeout,
                    policy.absolute_session_timeout_unit,
                    "absolute_session_timeout",
                ),
                (policy.idle_session_timeout, policy.idle_session_timeout_unit, "idle_session_timeout"),
            ):
                if value is not None and value <= 0:
                    raise invalid(f"{name}: must be greater than zero")
                if value is not None and unit is None:
                    raise invalid(f"{name}_unit: give the unit of {name}")
        with self.env.lock:
            self.env.organization(org_id)
            self.env.session_policies[org_id] = policy
            self.env.edited()
            return policy

    def user_limit(self, org_id: str) -> int | None:
        with self.env.lock:
            self.env.organization(org_id)
            return self.env.user_limits.get(org_id)

    def set_user_limit(self, org_id: str, max_allowed_users: int | None) -> int | None:
        if max_allowed_users is not None and max_allowed_users < 0:
            raise invalid("settings.max_allowed_users: must not be negative")
        with self.env.lock:
            self.env.organization(org_id)
            self.env.user_limits[org_id] = max_allowed_users
            self.env.edited()
            return max_allowed_users

    def branding(self, org_id: str) -> BrandingRecord:
        with self.env.lock:
            self.env.organization(org_id)
            return self.env.branding.get(org_id) or BrandingRecord()

    def update_branding(self, org_id: str, source: str, customization: dict[str, Any]) -> BrandingRecord:
        with self.env.lock:
            self.env.organization(org_id)
            record = BrandingRecord(
                source=source, customization=dict(customization), update_time=self.env.clock()
            )
            self.env.branding[org_id] = record
            self.env.edited()
            return record


def _rekey(index: dict[str, str], old: str | None, new: str, org_id: str) -> None:
    if old:
        index.pop(old, None)
    if new:
        index[new] = org_id


def _check_logo(logo_url: str | None) -> None:
    # The field's own rule is only a length; its description says "Must use the https scheme".
    if logo_url and not logo_url.startswith("https://"):
        raise invalid("organization.logo_url: must be an https:// URL")
