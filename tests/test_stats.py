"""Each SQL aggregate equals the straightforward pandas computation, on seeded random histories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from bench import naive
from dashboard.history import History, NewInvitation, NewLink, fingerprint
from dashboard.history.stats import IssuanceStats, StatsFilter

from .postgres import PostgresServer, create_database, drop_database

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
REPS = ("ana", "bo", "cy", "dee")
ORGS = [(f"org_{n}", f"Org {n:02d}") for n in range(25)]
FEATURES = (("sso",), ("dir_sync",), ("sso", "dir_sync"))


def random_history(history: History, seed: int, rows: int = 400) -> None:
    rng = random.Random(seed)
    invitations, links, observations = [], [], []
    for n in range(rows):
        org_id, name = rng.choice(ORGS)
        issued = NOW - dt.timedelta(days=rng.uniform(0, 200), seconds=rng.randrange(86400))
        env = "emulator" if rng.random() < 0.9 else "acme.scalekit.dev"
        rep = rng.choices(REPS, (5, 3, 1, 1))[0]
        features = rng.choice(FEATURES)
        if rng.random() < 0.5:
            opened = issued + dt.timedelta(hours=rng.uniform(1, 100)) if rng.random() < 0.7 else None
            revoked = (
                issued + dt.timedelta(hours=rng.uniform(1, 50))
                if opened is None and rng.random() < 0.1
                else None
            )
            invitations.append(
                NewInvitation(
                    token_hash=fingerprint(f"{seed}-{n}"),
                    environment=env,
                    organization_id=org_id,
                    organization_name=name,
                    features=features,
                    issued_by=rep,
                    issued_at=issued,
                    expires_at=issued + dt.timedelta(days=rng.choice((1, 7, 30))),
                    revoked_at=revoked,
                    revoked_by="bo" if revoked else None,
                    first_opened_at=opened,
                    last_opened_at=opened,
                    open_count=rng.randint(1, 3) if opened else 0,
                )
            )
            if opened:  # its open's mint: not an issued item of its own
                links.append(
                    NewLink(
                        org_id,
                        name,
                        features,
                        "invitation",
                        rep,
                        opened,
                        env,
                        expires_at=opened + dt.timedelta(minutes=1),
                        link_fingerprint="f" * 64,
                        invitation_index=len(invitations) - 1,
                    )
                )
        else:
            kind = rng.choice(("direct", "embed", "embed", "shareable"))
            lifetime = dt.timedelta(days=7) if kind == "shareable" else dt.timedelta(minutes=1)
            revoked = issued + dt.timedelta(hours=2) if kind == "shareable" and rng.random() < 0.1 else None
            fingerprint_or_none = None if rng.random() < 0.05 else "f" * 64  # a few were never minted
            links.append(
                NewLink(
                    org_id,
                    name,
                    features,
                    kind,
                    rep,
                    issued,
                    env,
                    expires_at=issued + lifetime,
                    link_fingerprint=fingerprint_or_none,
                    revoked_at=revoked,
                    revoked_by="bo" if revoked else None,
                )
            )
    for org_id, _ in rng.sample(ORGS, 12):
        # A quarter were a rep's clicks in the Portal preview: never the customer's conversion.
        source = "preview" if rng.random() < 0.25 else "status"
        observations.append(("emulator", org_id, NOW - dt.timedelta(days=rng.uniform(0, 180)), source))
    history.import_history(invitations, links, observations)


HISTORIES = [(database, seed) for database in ("sqlite", "postgresql") for seed in (1, 2, 3)]


@pytest.fixture(scope="module", params=HISTORIES, ids=[f"{d}-{s}" for d, s in HISTORIES])
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[IssuanceStats, History]]:
    """A seeded random history on SQLite and on PostgreSQL, built once for the module: the
    tests only read it (each built per test, 256 cases took minutes)."""
    database, seed = request.param
    server: PostgresServer | None = None
    if database == "sqlite":
        url, name = f"sqlite:///{tmp_path_factory.mktemp('stats')}/history.db", ""
    else:
        server = request.getfixturevalue("postgres_server")
        name = create_database(server)
        url = server.url(name)
    history = History(url)
    random_history(history, seed)
    yield IssuanceStats(history), history
    history.engine.dispose()
    if server is not None:
        drop_database(server, name)


def filters() -> list[StatsFilter]:
    window = dict(environment="emulator", start=NOW - dt.timedelta(days=90), end=NOW + dt.timedelta(days=1))
    return [
        StatsFilter(**window),
        StatsFilter(**window, reps=("ana", "cy")),
        StatsFilter(**window, organizations=("org_1", "org_2", "org_3")),
        StatsFilter(**window, kinds=("embed",)),
        StatsFilter(**window, kinds=("invitation", "embed", "direct", "shareable")),
        StatsFilter(**window, features=("dir_sync",)),
        StatsFilter(
            environment="emulator",
            start=NOW - dt.timedelta(days=30),
            end=NOW - dt.timedelta(days=7),
            reps=("ana",),
            features=("sso",),
            kinds=("invitation",),
        ),
        StatsFilter(environment="acme.scalekit.dev", start=NOW - dt.timedelta(days=365), end=NOW),
    ]


@pytest.mark.parametrize("index", range(len(filters())))
def test_kpis_and_funnel_match_pandas(seeded, index: int) -> None:
    stats, history = seeded
    f = filters()[index]
    items, seen = naive.load(history.engine, f)
    got, want = stats.kpis(f, NOW), naive.kpis(items, seen, f, NOW)
    assert (got.issued, got.organizations_reached, got.active_now, got.revoked) == (
        want.issued,
        want.organizations_reached,
        want.active_now,
        want.revoked,
    )
    assert (got.expired_unopened, got.converted, got.active_opened) == (
        want.expired_unopened,
        want.converted,
        want.active_opened,
    )
    assert got.median_days_to_sso == pytest.approx(want.median_days_to_sso, abs=1e-4)
    funnel = stats.funnel_totals(f)
    assert (funnel.issued, funnel.opened, funnel.sso_enabled) == naive.funnel(items, seen, f)


@pytest.mark.parametrize("index", range(len(filters())))
@pytest.mark.parametrize(("grain", "by"), [("day", "kind"), ("week", "kind"), ("week", "feature")])
def test_per_period_matches_pandas(seeded, index: int, grain: str, by: str) -> None:
    stats, history = seeded
    f = filters()[index]
    items, _ = naive.load(history.engine, f)
    got = stats.per_period(f, grain, by)
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), naive.per_period(items, f, grain, by), check_dtype=False
    )


@pytest.mark.parametrize("index", range(len(filters())))
def test_breakdowns_match_pandas(seeded, index: int) -> None:
    stats, history = seeded
    f = filters()[index]
    items, _ = naive.load(history.engine, f)
    pd.testing.assert_frame_equal(stats.per_rep(f), naive.per_rep(items, f), check_dtype=False)
    pd.testing.assert_frame_equal(
        stats.top_organizations(f), naive.top_organizations(items, f), check_dtype=False
    )
    kpis = stats.kpis(f, NOW)
    breakdown = stats.status_breakdown(kpis)
    pd.testing.assert_frame_equal(breakdown, naive.status_breakdown(items, f, NOW), check_dtype=False)
    assert breakdown["items"].sum() == kpis.issued  # each item in exactly one slice


def test_the_funnel_per_rep_adds_up(seeded) -> None:
    stats, _ = seeded
    f = filters()[0]
    per_rep, total = stats.funnel(f, by_rep=True), stats.funnel_totals(f)
    assert per_rep[["issued", "opened", "sso_enabled"]].sum().tolist() == [
        total.issued,
        total.opened,
        total.sso_enabled,
    ]
    assert (per_rep["opened"] <= per_rep["issued"]).all() and (
        per_rep["sso_enabled"] <= per_rep["opened"]
    ).all()


def test_rows_and_csv_are_exactly_the_filtered_items_with_no_link_ids(seeded) -> None:
    stats, history = seeded
    f = filters()[1]
    items, _ = naive.load(history.engine, f)
    expected = len(naive.filtered(items, f))
    assert len(stats.rows(f)) == expected
    exported = list(csv.DictReader(io.StringIO(stats.csv(f))))
    assert len(exported) == expected and {row["issued_by"] for row in exported} <= {"ana", "cy"}
    assert "link_id" not in exported[0] and all(
        r["reference"].startswith("INV-") for r in exported if r["kind"] == "invitation"
    )
    newest = stats.rows(f, limit=5)  # each table's newest five, merged: the same as cutting the whole
    key = ["issued_at", "kind", "organization_id", "issued_by", "reference"]
    pd.testing.assert_frame_equal(newest[key], stats.rows(f).head(len(newest))[key])
    assert len(newest) == min(5, expected)


def test_filter_choices_are_everyone_and_each_organizations_latest_name(history: History) -> None:
    week = dt.timedelta(days=7)
    history.import_history(
        [
            NewInvitation(fingerprint("a"), "emulator", "org_a", "Acme (old name)", ("sso",), "ana",
                          NOW - 3 * week, NOW),
            NewInvitation(fingerprint("b"), "emulator", "org_b", "Beta Ltd", ("sso",), "bo", NOW - week, NOW),
            NewInvitation(fingerprint("c"), "elsewhere", "org_c", "Elsewhere Co", ("sso",), "cy", NOW, NOW),
        ],
        [
            NewLink("org_a", "Acme Inc", ("sso",), "direct", "dee", NOW - week, "emulator", expires_at=NOW),
            NewLink("org_b", "Beta (old name)", ("sso",), "embed", "bo", NOW - 2 * week, "emulator",
                    expires_at=NOW),
        ],
        [],
    )  # fmt: skip
    stats = IssuanceStats(history)
    assert stats.reps("emulator") == ["ana", "bo", "dee"]
    assert stats.organizations("emulator") == {"org_a": "Acme Inc", "org_b": "Beta Ltd"}
    assert stats.environments() == ["elsewhere", "emulator"]


def test_the_history_version_moves_with_every_change_the_figures_show(history: History) -> None:
    versions = [history.version()]
    history.import_history(
        [
            NewInvitation(
                fingerprint("x"), "emulator", "org_x", "X", ("sso",), "ana", NOW, NOW + dt.timedelta(days=7)
            )
        ],
        [],
        [],
    )
    versions.append(history.version())
    history.events.observe_many("emulator", [("org_x", NOW)], "status")
    versions.append(history.version())
    assert len(set(versions)) == 3, versions


def test_an_empty_history_gives_zeros_and_empty_frames(tmp_path: Path) -> None:
    stats = IssuanceStats(History(f"sqlite:///{tmp_path}/empty.db"))
    f = filters()[0]
    kpis = stats.kpis(f, NOW)
    assert (kpis.issued, kpis.converted, kpis.conversion_rate, kpis.median_days_to_sso) == (0, 0, None, None)
    assert stats.per_period(f).empty and stats.per_rep(f).empty and stats.top_organizations(f).empty
    assert stats.funnel(f, by_rep=True).empty and stats.funnel_totals(f).issued == 0
    assert list(stats.status_breakdown(kpis)["items"]) == [0, 0, 0, 0]


def test_each_item_has_one_status(history: History) -> None:
    """An opened invitation that then expired, or was revoked, is expired or revoked only; a mint
    that never became a link is no issued item."""
    day = dt.timedelta(days=1)

    def sent(
        token: str, issued: dt.datetime, days: int, opened: bool, revoked: bool = False
    ) -> NewInvitation:
        return NewInvitation(
            fingerprint(token),
            "emulator",
            "org_1",
            "Acme",
            ("sso",),
            "ana",
            issued,
            issued + days * day,
            revoked_at=issued + day / 2 if revoked else None,
            revoked_by="bo" if revoked else None,
            first_opened_at=issued + day / 4 if opened else None,
            open_count=1 if opened else 0,
        )

    history.import_history(
        [
            sent("a", NOW - 10 * day, 7, opened=True),  # opened, then expired
            sent("b", NOW - 3 * day, 7, opened=True, revoked=True),  # opened, then revoked
            sent("c", NOW - 2 * day, 7, opened=True),  # active, opened
            sent("d", NOW - 2 * day, 7, opened=False),  # active, not opened
        ],
        [
            NewLink("org_1", "Acme", ("sso",), "direct", "ana", NOW - day, "emulator", expires_at=NOW - day,
                    link_fingerprint="f" * 64),  # expired
            NewLink("org_1", "Acme", ("sso",), "direct", "ana", NOW - day, "emulator"),  # never minted
        ],
        [],
    )  # fmt: skip
    stats = IssuanceStats(history)
    f = filters()[0]
    kpis = stats.kpis(f, NOW)
    breakdown = dict(zip(*stats.status_breakdown(kpis).to_dict("list").values(), strict=True))
    assert breakdown == {"active, not opened": 1, "active, opened": 1, "expired": 2, "revoked": 1}
    assert kpis.issued == 5 == sum(breakdown.values())
