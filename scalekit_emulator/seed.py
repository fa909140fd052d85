"""Deterministic demo data for the emulator.

Everything comes from one ``random.Random(seed)`` so that a restarted emulator serves the same
organizations with the same ids. Times are anchored at today's midnight (UTC), which keeps them
stable across restarts on the same day while still looking recent.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from .providers import SEEDED
from .records import ConnectionRecord, DirectoryRecord, DomainRecord, OrgRecord

_FIRST = [
    "Acme",
    "Northwind",
    "Bluepeak",
    "Cedar",
    "Helix",
    "Quantum",
    "Summit",
    "Ironwood",
    "Brightline",
    "Harbor",
    "Silverline",
    "Redwood",
    "Granite",
    "Lumen",
    "Vertex",
    "Orion",
    "Falcon",
    "Meridian",
    "Aurora",
    "Evergreen",
    "Pioneer",
    "Beacon",
    "Crescent",
    "Sterling",
    "Atlas",
    "Nimbus",
    "Keystone",
    "Riverstone",
    "Highland",
    "Copperfield",
    "Bluewater",
    "Clearpath",
    "Sunridge",
    "Westbrook",
    "Oakmont",
    "Fairview",
    "Lakeshore",
    "Stonegate",
    "Kestrel",
    "Tidewater",
    "Polaris",
    "Zenith",
    "Cobalt",
    "Juniper",
    "Maple",
    "Sequoia",
    "Horizon",
    "Starling",
    "Windward",
    "Hawthorne",
    "Ashford",
    "Brookfield",
    "Cypress",
    "Driftwood",
    "Emberly",
    "Foxglove",
    "Glacier",
    "Halcyon",
    "Indigo",
    "Jasper",
    "Kingsley",
    "Larkspur",
    "Monarch",
    "Nova",
    "Obsidian",
    "Pinnacle",
    "Quarry",
    "Rosewood",
    "Saffron",
    "Tamarack",
    "Umber",
    "Valiant",
    "Wexford",
    "Yellowstone",
    "Zephyr",
    "Alder",
    "Birch",
    "Canyon",
]
_SECOND = [
    "Analytics",
    "Health",
    "Logistics",
    "Systems",
    "Labs",
    "Capital",
    "Robotics",
    "Foods",
    "Energy",
    "Bank",
    "Media",
    "Software",
    "Networks",
    "Insurance",
    "Pharma",
    "Retail",
    "Motors",
    "Aerospace",
    "Biotech",
    "Learning",
    "Security",
    "Cloud",
    "Payments",
    "Freight",
    "Hospitality",
    "Telecom",
    "Foundry",
    "Legal",
    "Realty",
    "Manufacturing",
]
_SUFFIX = ("Inc.", "Ltd", "GmbH", "LLC", "Group", "AG", "S.A.", "plc", "Corp.", "")
_TLDS = (".com", ".com", ".com", ".io", ".co", ".de", ".co.uk", ".fr", ".net")

# (state, weight): how far each organization's SSO setup has got.
SSO_STATES = (("none", 35), ("draft", 15), ("in_progress", 15), ("completed", 5), ("enabled", 30))


@dataclass
class SeedData:
    orgs: list[OrgRecord]  # oldest first
    connections: list[ConnectionRecord] = field(default_factory=list)
    directories: list[DirectoryRecord] = field(default_factory=list)
    domains: list[DomainRecord] = field(default_factory=list)


def numeric_id(rng: random.Random, prefix: str) -> str:
    """Scalekit-shaped ids: a prefix and 17 digits (``org_59615193906282635``)."""
    return f"{prefix}_{rng.randrange(10**16, 10**17)}"


def anchor_time() -> dt.datetime:
    now = dt.datetime.now(dt.UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*weighted, strict=True)
    picked: str = rng.choices(names, weights=weights)[0]
    return picked


def _company_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        suffix = rng.choice(_SUFFIX)
        name = f"{base} {suffix}".strip()
        if name in seen:
            # Big environments do hold near-duplicates; keep them distinguishable like real ones.
            name = f"{base} {rng.choice(('Europe', 'Americas', 'APAC', 'Holdings', 'International'))}"
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
    return names


def _domain_for(name: str, rng: random.Random) -> str:
    words = re.sub(r"[^a-z ]", "", name.lower()).split()
    return "".join(words[:2]) + rng.choice(_TLDS)


def generate(seed: int, count: int, anchor: dt.datetime | None = None) -> SeedData:
    rng = random.Random(seed)
    anchor = anchor or anchor_time()
    two_years = 730 * 24 * 3600
    offsets = sorted((rng.randrange(two_years) for _ in range(count)), reverse=True)
    data = SeedData(orgs=[])
    for name, offset in zip(_company_names(rng, count), offsets, strict=True):
        created = anchor - dt.timedelta(seconds=offset)
        org = OrgRecord(
            id=numeric_id(rng, "org"),
            display_name=name,
            external_id=(f"CUST-{rng.randrange(10**5, 10**6)}" if rng.random() < 0.8 else None),
            region_code="EU" if rng.random() < 0.3 else "US",
            create_time=created,
            update_time=created + dt.timedelta(seconds=rng.randrange(max(1, offset))),
            metadata={
                "plan": rng.choice(("enterprise", "enterprise", "business")),
                "seats": str(rng.choice((50, 100, 250, 500, 1000, 2500, 5000))),
            },
        )
        data.orgs.append(org)
        domain_name = _domain_for(name, rng)
        domain = DomainRecord(
            id=numeric_id(rng, "dom"),
            organization_id=org.id,
            domain=domain_name,
            verification_status="VERIFIED" if rng.random() < 0.8 else "PENDING",
            domain_type="ORGANIZATION_DOMAIN",
            create_time=created + dt.timedelta(hours=rng.randrange(1, 72)),
            txt_record_key=f"_scalekit-verification.{domain_name}",
            txt_record_secret=f"scalekit-verification={rng.getrandbits(64):016x}",
        )
        data.domains.append(domain)
        _seed_sso(rng, org, domain, anchor, data)
    return data


def _seed_sso(
    rng: random.Random, org: OrgRecord, domain: DomainRecord, anchor: dt.datetime, data: SeedData
) -> None:
    state = _pick(rng, SSO_STATES)
    has_directory = False
    if state != "none":
        provider = rng.choices(SEEDED, weights=[p.weight for p in SEEDED])[0]
        kind = "OIDC" if rng.random() < (0.5 if provider.enum == "GOOGLE" else 0.3) else "SAML"
        status = {"draft": "DRAFT", "in_progress": "IN_PROGRESS"}.get(state, "COMPLETED")
        created = org.create_time + dt.timedelta(days=rng.randrange(1, 60))
        data.connections.append(
            ConnectionRecord(
                id=numeric_id(rng, "conn"),
                organization_id=org.id,
                provider=provider.enum,
                type=kind,
                status=status,
                enabled=state == "enabled",
                created_at=created,
                updated_at=created,
                domain_ids=[domain.id],
            )
        )
        if state in ("completed", "enabled") and rng.random() < 0.45:
            has_directory = True
            enabled = rng.random() < 0.8
            users = int(min(20000, rng.lognormvariate(5.5, 1.1)))
            data.directories.append(
                DirectoryRecord(
                    id=numeric_id(rng, "dir"),
                    organization_id=org.id,
                    name=f"{org.display_name} directory",
                    provider=provider.enum,
                    enabled=enabled,
                    status="COMPLETED" if enabled else "IN_PROGRESS",
                    total_users=users if enabled else 0,
                    total_groups=max(1, users // rng.randrange(8, 30)) if enabled else 0,
                    last_synced_at=(
                        anchor - dt.timedelta(minutes=rng.randrange(5, 2880)) if enabled else None
                    ),
                    endpoint=f"/api/v1/directories/{org.id}/scim/v2",
                    created_at=org.create_time + dt.timedelta(days=rng.randrange(2, 90)),
                )
            )
    org.features = {
        "sso": state != "none" or rng.random() < 0.5,
        "dir_sync": has_directory or rng.random() < 0.3,
    }
