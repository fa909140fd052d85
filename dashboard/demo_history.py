"""A plausible issuance history for the emulator's organizations, so the stats page means
something on a first run. Demo rows are filed under the ``emulator`` environment only, never a
live one. Deterministic from the seed, like the emulator's own data.
"""

from __future__ import annotations

import datetime as dt
import random

from .emulator import Emulator
from .store import IssuanceStore, NewIssuance, fingerprint

# A few reps do most of the work: the skew a manager expects to see.
REPS = (
    ("ana.silva@portal-desk.demo", 30),
    ("ben.okafor@portal-desk.demo", 22),
    ("chloe.martin@portal-desk.demo", 18),
    ("dev.patel@portal-desk.demo", 9),
    ("eli.novak@portal-desk.demo", 4),
)
TARGET_ROWS = 2_000
DAYS = 182


def _workday(rng: random.Random, day: dt.datetime) -> dt.datetime:
    """Reps issue links on working days, mostly in office hours."""
    while day.weekday() >= 5 and rng.random() < 0.85:
        day -= dt.timedelta(days=1)
    return day.replace(hour=rng.choice((9, 10, 11, 13, 14, 15, 16)), minute=rng.randrange(60))


def seed_demo_history(store: IssuanceStore, emulator: Emulator, *, seed: int = 7) -> int:
    """Fill an empty emulator history; returns the number of rows written."""
    if store.has_history("emulator"):
        return 0
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    backend = emulator.backend
    orgs = backend.list_organizations(page_size=100)  # the first page is plenty for a demo
    picks = list(orgs.items)
    token = orgs.next_page_token
    while token and len(picks) < 150:
        page = backend.list_organizations(page_size=100, page_token=token)
        picks += page.items
        token = page.next_page_token
    reps, weights = zip(*REPS, strict=True)
    # Busier organizations get far more preview (embed) links: a Pareto-shaped spread.
    busyness = [rng.paretovariate(1.3) for _ in picks]
    scale = TARGET_ROWS / max(1.0, sum(busyness) + 2 * len(picks))
    issuances: list[NewIssuance] = []
    revocations: dict[str, tuple[dt.datetime, str]] = {}
    observations: list[tuple[str, str, dt.datetime, str]] = []
    for org, busy in zip(picks, busyness, strict=True):
        enabled = any(conn.enabled for conn in backend.connections(org.id))
        owner = rng.choices(reps, weights)[0]
        first = _workday(rng, now - dt.timedelta(days=rng.uniform(3, DAYS)))
        times = [first + dt.timedelta(days=rng.uniform(0, 20)) for _ in range(rng.randint(2, 6))]
        kinds = ["shareable"] * len(times)
        extra = int(busy * scale * 2)
        times += [
            first + dt.timedelta(days=rng.uniform(0, 40), hours=rng.uniform(0, 8)) for _ in range(extra)
        ]
        kinds += ["embed"] * extra
        for when, kind in sorted(zip(times, kinds, strict=True)):
            if when >= now:
                continue
            features = rng.choice((("sso",), ("sso", "dir_sync"), ("sso", "dir_sync"), ("dir_sync",)))
            expires = when + dt.timedelta(days=7)
            if expires > now:  # still active: the emulator must know it, or it reads as revoked
                link = backend.import_link(org.id, features, when, expires)
                link_id, location = link.id, link.location
            else:
                link_id = f"demo-{rng.getrandbits(64):016x}"
                location = f"{emulator.portal_url}/magicLink/{link_id}"
            rep = owner if kind == "shareable" or rng.random() < 0.5 else rng.choices(reps, weights)[0]
            issuances.append(
                NewIssuance(
                    link_id=link_id,
                    organization_id=org.id,
                    organization_name=org.display_name,
                    features=features,
                    kind=kind,
                    issued_by=rep,
                    issued_at=when,
                    expires_at=expires,
                    environment="emulator",
                    link_fingerprint=fingerprint(location),
                    recipient_email=f"it-admin@{org.display_name.split()[0].lower()}.example"
                    if kind == "shareable"
                    else None,
                    note=f"SUP-{rng.randrange(1000, 9999)}"
                    if kind == "shareable" and rng.random() < 0.4
                    else None,
                )
            )
            if kind == "shareable" and expires <= now and rng.random() < 0.08:
                revocations[link_id] = (when + dt.timedelta(hours=rng.uniform(1, 30)), rep)
        if enabled:
            lag = dt.timedelta(days=min(60.0, rng.lognormvariate(1.6, 0.8)))
            observations.append(("emulator", org.id, min(first + lag, now - dt.timedelta(hours=1)), "demo"))
    for link_id in revocations:
        backend_link = backend._links.get(link_id)
        if backend_link is not None:
            backend_link.revoked_at = revocations[link_id][0]
    store.import_history(issuances, revocations, observations)
    return len(issuances)
