"""What the Organizations page shows, as the history holds it: the worker keeps the listing and
every status fresh there, so a page reads, never calls Scalekit, and redraws when
``History.board_version`` moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..history import History
from ..history.sweepers import SweeperState
from ..models import InvitationSummary, OnboardingStatus, Organization


@dataclass(frozen=True)
class Board:
    organizations: tuple[Organization, ...]
    statuses: Mapping[str, OnboardingStatus]
    summaries: Mapping[str, InvitationSummary]
    listed_at: dt.datetime | None  # None: never listed yet (the worker's first listing is due)
    version: tuple[object, ...]
    read_at: dt.datetime
    owners: Mapping[str, str] = field(default_factory=dict)  # the owners someone set (owners.py)

    @property
    def listed(self) -> bool:
        return self.listed_at is not None


@dataclass(frozen=True)
class Snapshot:
    """The heavy part of a board: every organization and status (10,000 of each at scale), read
    only when the history's version moves."""

    organizations: tuple[Organization, ...]
    statuses: Mapping[str, OnboardingStatus]
    listed_at: dt.datetime | None
    owners: Mapping[str, str] = field(default_factory=dict)


def snapshot(history: History, environment: str) -> Snapshot:
    """Owners come with the snapshot: setting one is logged, which moves the board version."""
    found = history.listing.load(environment)
    orgs, listed_at = found if found is not None else ([], None)
    return Snapshot(
        tuple(orgs), history.statuses.load(environment), listed_at, history.owners.load(environment)
    )


def read(
    history: History, environment: str, version: tuple[object, ...], kept: Snapshot | None = None
) -> Board:
    """Everything the table needs (callers cache it by ``version``); the invitations' summaries
    are read afresh (one query: they depend on the time, as invitations expire), the snapshot is
    ``kept`` when given."""
    now = dt.datetime.now(dt.UTC)
    base = kept if kept is not None else snapshot(history, environment)
    return Board(
        organizations=base.organizations,
        statuses=base.statuses,
        summaries=history.invitations.summaries(environment, now),
        listed_at=base.listed_at,
        version=version,
        read_at=now,
        owners=base.owners,
    )


@dataclass(frozen=True)
class Background:
    """What a page says about the worker: whether one sweeps this environment, and how fresh."""

    alive: bool
    refreshing: bool
    statuses_as_of: dt.datetime | None
    problem: str | None

    @classmethod
    def of(cls, state: SweeperState | None, now: dt.datetime) -> Background:
        if state is None:
            return cls(False, False, None, None)
        return cls(state.alive(now), state.refreshing, state.round_finished_at, state.problem)
