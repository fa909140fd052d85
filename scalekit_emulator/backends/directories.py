"""SCIM directories of organizations, with the users and groups they have synced.

Users and groups are made from the seed the first time a directory's people are listed, as many
as the directory's ``total_users`` and ``total_groups`` say, so a directory of 20,000 users costs
nothing until someone pages through it.
"""

from __future__ import annotations

import datetime as dt
import random

from ..errors import invalid
from ..records import DirectoryGroupRecord, DirectoryRecord, DirectoryUserRecord
from .environment import Environment, Page, new_id, page_of

PEOPLE_PAGE_MAX = 30  # ListDirectoryUsers / ListDirectoryGroups: page_size lte 30
_GROUPS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Support",
    "Operations",
    "Legal",
    "People",
    "Design",
    "Product",
    "Security",
    "IT",
    "Data",
    "Partnerships",
    "Executives",
)
_GIVEN = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Eli",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lea",
    "Mo",
    "Nia",
)
_FAMILY = ("Silva", "Okafor", "Martin", "Patel", "Novak", "Haddad", "Berg", "Sato", "Petrov", "Kim", "Mensah")


class Directories:
    def __init__(self, env: Environment) -> None:
        self.env = env
        self._people: dict[str, tuple[int, int, list[DirectoryGroupRecord], list[DirectoryUserRecord]]] = {}

    def of_organization(self, org_id: str) -> list[DirectoryRecord]:
        with self.env.lock:
            org = self.env.organization(org_id)
            return self.env.of_org(self.env.directories, self.env.org_directories, org.id)

    def get(self, org_id: str, dir_id: str) -> DirectoryRecord:
        with self.env.lock:
            self.env.organization(org_id)
            return self.env.owned(self.env.directories, org_id, dir_id, "directory")

    def create(self, org_id: str, directory_type: str, provider: str) -> DirectoryRecord:
        if directory_type != "SCIM":
            raise invalid(
                f"directory.directory_type: only SCIM directories are supported, not {directory_type}"
            )
        env = self.env
        with env.lock:
            org = env.organization(org_id)
            directory = DirectoryRecord(
                id=new_id("dir"),
                organization_id=org.id,
                name=f"{org.display_name} directory",
                provider=provider,
                # The vendor's own test (run live) expects an enabled directory (readings.py);
                # enabled is COMPLETED here, as EnableDirectory makes it.
                enabled=env.readings.directory_enabled_on_create,
                status="COMPLETED" if env.readings.directory_enabled_on_create else "DRAFT",
                total_users=0,
                total_groups=0,
                last_synced_at=None,
                endpoint=f"/api/v1/directories/{org.id}/scim/v2",
                created_at=env.clock(),
            )
            env.add(env.directories, env.org_directories, directory)
            env.edited()
            return directory

    def update(
        self,
        org_id: str,
        dir_id: str,
        *,
        name: str | None = None,
        provider: str | None = None,
        status: str | None = None,
    ) -> DirectoryRecord:
        with self.env.lock:
            directory = self.get(org_id, dir_id)
            if name is not None:
                if not name.strip():
                    raise invalid("directory.name: must not be blank")
                directory.name = name.strip()
            if provider is not None:
                directory.provider = provider
            if status is not None:
                directory.status = status
            self.env.edited()
            return directory

    def delete(self, org_id: str, dir_id: str) -> None:
        with self.env.lock:
            self.get(org_id, dir_id)
            self.env.remove(self.env.directories, self.env.org_directories, dir_id)
            self._people.pop(dir_id, None)
            self.env.edited()

    def set_enabled(self, org_id: str, dir_id: str, enabled: bool) -> DirectoryRecord:
        with self.env.lock:
            directory = self.get(org_id, dir_id)
            directory.enabled = enabled
            if enabled:
                directory.status = "COMPLETED"
            self.env.edited()
            return directory

    # -- people ------------------------------------------------------------------------------

    def _people_of(
        self, directory: DirectoryRecord
    ) -> tuple[list[DirectoryGroupRecord], list[DirectoryUserRecord]]:
        cached = self._people.get(directory.id)
        if cached and cached[:2] == (directory.total_users, directory.total_groups):
            return cached[2], cached[3]
        rng = random.Random(f"{self.env.seed}:{directory.id}")
        synced = directory.last_synced_at or directory.created_at
        domain = next(
            (self.env.domains[d].domain for d in self.env.org_domains.get(directory.organization_id, [])),
            "example.com",
        )
        groups = [
            DirectoryGroupRecord(
                id=f"dirgroup_{rng.randrange(10**16, 10**17)}",
                display_name=_GROUPS[n % len(_GROUPS)]
                + (f" {n // len(_GROUPS) + 1}" if n >= len(_GROUPS) else ""),
                total_users=0,
                updated_at=synced - dt.timedelta(hours=rng.randrange(0, 500)),
            )
            for n in range(directory.total_groups)
        ]
        users, members = [], [0] * len(groups)
        for n in range(directory.total_users):
            given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
            picked = (
                sorted(rng.sample(range(len(groups)), k=min(len(groups), rng.randint(1, 2))))
                if groups
                else []
            )
            for g in picked:
                members[g] += 1
            users.append(
                DirectoryUserRecord(
                    id=f"diruser_{rng.randrange(10**16, 10**17)}",
                    email=f"{given.lower()}.{family.lower()}{n}@{domain}",
                    given_name=given,
                    family_name=family,
                    updated_at=synced - dt.timedelta(minutes=rng.randrange(0, 50_000)),
                    group_ids=tuple(groups[g].id for g in picked),
                )
            )
        groups = [
            DirectoryGroupRecord(g.id, g.display_name, members[i], g.updated_at) for i, g in enumerate(groups)
        ]
        self._people[directory.id] = (directory.total_users, directory.total_groups, groups, users)
        return groups, users

    def users(
        self,
        org_id: str,
        dir_id: str,
        *,
        page_size: int = 0,
        page_token: str = "",
        group_id: str | None = None,
        updated_after: dt.datetime | None = None,
    ) -> Page[DirectoryUserRecord]:
        with self.env.lock:
            directory = self.get(org_id, dir_id)
            groups, users = self._people_of(directory)
        if group_id is not None and group_id not in {g.id for g in groups}:
            raise invalid(f"directory_group_id: {group_id!r} is not a group of this directory")
        found = [
            u
            for u in users
            if (group_id is None or group_id in u.group_ids)
            and (updated_after is None or u.updated_at > updated_after)
        ]
        scope = f"users:{dir_id}:{group_id}:{updated_after}"
        return page_of(found, page_size, page_token, scope, max_size=PEOPLE_PAGE_MAX)

    def groups(
        self,
        org_id: str,
        dir_id: str,
        *,
        page_size: int = 0,
        page_token: str = "",
        updated_after: dt.datetime | None = None,
    ) -> Page[DirectoryGroupRecord]:
        with self.env.lock:
            groups, _ = self._people_of(self.get(org_id, dir_id))
        found = [g for g in groups if updated_after is None or g.updated_at > updated_after]
        return page_of(
            found, page_size, page_token, f"groups:{dir_id}:{updated_after}", max_size=PEOPLE_PAGE_MAX
        )

    def group_names(self, org_id: str, dir_id: str) -> dict[str, DirectoryGroupRecord]:
        with self.env.lock:
            groups, _ = self._people_of(self.get(org_id, dir_id))
        return {g.id: g for g in groups}

    # -- what the admin portal manages -------------------------------------------------------

    def portal_directory(self, org_id: str) -> DirectoryRecord | None:
        """The directory the admin portal shows: the organization's oldest."""
        with self.env.lock:
            ids = self.env.org_directories.get(org_id) or []
            return self.env.directories[ids[0]] if ids else None

    def configure_from_portal(self, org_id: str, provider: str | None, enabled: bool) -> DirectoryRecord:
        with self.env.lock:
            directory = self.portal_directory(org_id)
            if directory is None:
                if provider is None:
                    raise invalid("Choose your directory provider.")
                directory = self.create(org_id, "SCIM", provider)
                directory.status = "IN_PROGRESS"
            if provider is not None:
                directory.provider = provider
            return self.set_enabled(org_id, directory.id, enabled)
