"""Each SQL aggregate equals the naive pandas computation, on seeded random histories."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

import pandas as pd
import pytest

from bench import naive
from dashboard.stats import IssuanceStats, StatsFilter
from dashboard.store import IssuanceStore, NewIssuance, fingerprint

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
REPS = ("ana", "bo", "cy", "dee")
ORGS = [(f"org_{n}", f"Org {n:02d}") for n in range(25)]


def random_history(store: IssuanceStore, seed: int, rows: int = 500) -> None:
    rng = random.Random(seed)
    issuances, revocations, observations = [], {}, []
    for n in range(rows):
        org_id, name = rng.choice(ORGS)
        issued = NOW - dt.timedelta(days=rng.uniform(0, 200), seconds=rng.randrange(86400))
        env = "emulator" if rng.random() < 0.9 else "acme.scalekit.dev"
        issuances.append(
            NewIssuance(
                link_id=f"l{seed}-{n}",
                organization_id=org_id,
                organization_name=name,
                features=rng.choice((("sso",), ("dir_sync",), ("sso", "dir_sync"))),
                kind=rng.choice(("shareable", "shareable", "embed")),
                issued_by=rng.choices(REPS, (5, 3, 1, 1))[0],
                issued_at=issued,
                expires_at=issued + dt.timedelta(days=7),
                environment=env,
                link_fingerprint=fingerprint(f"http://x/{n}"),
            )
        )
        if rng.random() < 0.1:
            revocations[f"l{seed}-{n}"] = (issued + dt.timedelta(hours=rng.uniform(1, 100)), "bo")
    for org_id, _ in rng.sample(ORGS, 12):
        observations.append(("emulator", org_id, NOW - dt.timedelta(days=rng.uniform(0, 180)), "status"))
    store.import_history(issuances, revocations, observations)


@pytest.fixture(params=[1, 2, 3])
def history(
    request: pytest.FixtureRequest, tmp_path: Path
) -> tuple[IssuanceStats, pd.DataFrame, pd.DataFrame]:
    store = IssuanceStore(f"sqlite:///{tmp_path}/stats.db")
    random_history(store, request.param)
    links, observations = naive.load(store.engine)
    return IssuanceStats(store), links, observations


def filters() -> list[StatsFilter]:
    window = dict(environment="emulator", start=NOW - dt.timedelta(days=90), end=NOW + dt.timedelta(days=1))
    return [
        StatsFilter(**window),
        StatsFilter(**window, reps=("ana", "cy")),
        StatsFilter(**window, organizations=("org_1", "org_2", "org_3")),
        StatsFilter(**window, kinds=("embed",)),
        StatsFilter(**window, features=("dir_sync",)),
        StatsFilter(
            environment="emulator",
            start=NOW - dt.timedelta(days=30),
            end=NOW - dt.timedelta(days=7),
            reps=("ana",),
            features=("sso",),
            kinds=("shareable",),
        ),
        StatsFilter(environment="acme.scalekit.dev", start=NOW - dt.timedelta(days=365), end=NOW),
    ]


@pytest.mark.parametrize("index", range(len(filters())))
def test_kpis_match_pandas(history, index: int) -> None:
    stats, links, observations = history
    f = filters()[index]
    got, want = stats.kpis(f, NOW), naive.kpis(links, observations, f, NOW)
    assert got.links_issued == want.links_issued
    assert (got.organizations_reached, got.active_now, got.revoked) == (
        want.organizations_reached,
        want.active_now,
        want.revoked,
    )
    assert (got.expired_unused, got.converted) == (want.expired_unused, want.converted)
    if want.median_days_to_sso is None:
        assert got.median_days_to_sso is None
    else:
        assert got.median_days_to_sso == pytest.approx(want.median_days_to_sso, abs=1e-4)


@pytest.mark.parametrize("index", range(len(filters())))
@pytest.mark.parametrize(("grain", "by"), [("day", "kind"), ("week", "kind"), ("week", "feature")])
def test_per_period_matches_pandas(history, index: int, grain: str, by: str) -> None:
    stats, links, _ = history
    f = filters()[index]
    got = stats.per_period(f, grain, by)
    want = naive.per_period(links, f, grain, by)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want, check_dtype=False)


@pytest.mark.parametrize("index", range(len(filters())))
def test_breakdowns_match_pandas(history, index: int) -> None:
    stats, links, _ = history
    f = filters()[index]
    pd.testing.assert_frame_equal(stats.per_rep(f), naive.per_rep(links, f), check_dtype=False)
    pd.testing.assert_frame_equal(
        stats.top_organizations(f), naive.top_organizations(links, f), check_dtype=False
    )
    pd.testing.assert_frame_equal(
        stats.status_breakdown(stats.kpis(f, NOW)), naive.status_breakdown(links, f, NOW), check_dtype=False
    )


def test_rows_and_csv_are_exactly_the_filtered_links(history) -> None:
    stats, links, _ = history
    f = filters()[1]
    expected = set(naive.filtered(links, f)["link_id"])
    assert set(stats.rows(f)["link_id"]) == expected
    exported = list(csv.DictReader(io.StringIO(stats.csv(f))))
    assert {row["link_id"] for row in exported} == expected and len(exported) == len(expected)
    assert {row["issued_by"] for row in exported} <= {"ana", "cy"}
    assert len(stats.rows(f, limit=5)) == min(5, len(expected))


def test_an_empty_history_gives_zeros_and_empty_frames(tmp_path: Path) -> None:
    stats = IssuanceStats(IssuanceStore(f"sqlite:///{tmp_path}/empty.db"))
    f = filters()[0]
    kpis = stats.kpis(f, NOW)
    assert (kpis.links_issued, kpis.converted, kpis.conversion_rate, kpis.median_days_to_sso) == (
        0,
        0,
        None,
        None,
    )
    assert stats.per_period(f).empty and stats.per_rep(f).empty and stats.top_organizations(f).empty
    assert list(stats.status_breakdown(stats.kpis(f, NOW))["links"]) == [0, 0, 0]
