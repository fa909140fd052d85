"""A seeded, skewed synthetic history for the stats bench: a few reps and organizations much
busier than the rest, quiet weekends, most links expired, some revoked; about a third
invitations (most opened, each open a mint), the rest previews and direct links."""

from __future__ import annotations

import datetime as dt
import random

from dashboard.history import History, NewInvitation, NewLink

CHUNK = 50_000


def fill(history: History, rows: int, seed: int = 7) -> None:
    """A skewed synthetic history: about a third invitations (most opened, each open a mint),
    the rest previews and direct links; a few reps and organizations much busier than the rest."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    reps = [f"rep{n:02d}@portal-desk.test" for n in range(25)]
    rep_weights = [1 / (n + 1) ** 1.2 for n in range(len(reps))]  # a few reps do most of the work
    orgs = [(f"org_{10**16 + n}", f"Company {n:05d}") for n in range(8_000)]
    org_weights = [1 / (n + 1) ** 0.9 for n in range(len(orgs))]
    observations = [
        ("emulator", org_id, now - dt.timedelta(days=rng.uniform(0, 700)), "status")
        for org_id, _ in rng.sample(orgs, 3_000)
    ]
    written = 0
    while written < rows:
        invitations, links = [], []
        size = min(CHUNK, rows - written)
        picked_orgs = rng.choices(orgs, org_weights, k=size)
        picked_reps = rng.choices(reps, rep_weights, k=size)
        for n in range(size):
            issued = now - dt.timedelta(days=rng.uniform(0, 730))
            if issued.weekday() >= 5 and rng.random() < 0.8:  # weekends are quiet
                issued -= dt.timedelta(days=2)
            (org_id, name), rep = picked_orgs[n], picked_reps[n]
            features = rng.choice((("sso",), ("sso", "dir_sync"), ("dir_sync",)))
            if rng.random() < 0.3:
                opened = issued + dt.timedelta(hours=rng.lognormvariate(2, 1)) if rng.random() < 0.7 else None
                invitations.append(
                    NewInvitation(
                        f"{rng.getrandbits(256):064x}",
                        "emulator",
                        org_id,
                        name,
                        features,
                        rep,
                        issued,
                        issued + dt.timedelta(days=7),
                        first_opened_at=opened,
                        last_opened_at=opened,
                        open_count=1 if opened else 0,
                    )
                )
                if opened:
                    links.append(
                        NewLink(
                            org_id,
                            name,
                            features,
                            "invitation",
                            rep,
                            opened,
                            "emulator",
                            expires_at=opened + dt.timedelta(minutes=1),
                            link_fingerprint="f" * 64,
                            invitation_index=len(invitations) - 1,
                        )
                    )
            else:
                kind = "embed" if rng.random() < 0.8 else "direct"
                links.append(
                    NewLink(
                        org_id,
                        name,
                        features,
                        kind,
                        rep,
                        issued,
                        "emulator",
                        expires_at=issued + dt.timedelta(minutes=1),
                        link_fingerprint="f" * 64,
                    )
                )
        history.import_history(invitations, links, observations if written == 0 else [])
        written += size
