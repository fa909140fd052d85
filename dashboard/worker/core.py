"""The worker's jobs for one environment, and the lease that makes it the only one doing them.

Each job is a method that does one pass and returns; ``schedule.py`` runs them on a timer, tests
call them directly. Every job first checks the lease: however many workers share the history,
only the holder lists, polls and tells, so Scalekit sees one sweep per interval.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import PortalDeskError
from ..gateway import ScalekitGateway
from ..history import History
from ..models import OnboardingStatus, SsoState
from .backoff import Backoff, Sleep
from .board import StatusBoard
from .notify import Teller

log = logging.getLogger("portal_desk.worker")

Clock = Callable[[], dt.datetime]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Intervals:
    """How often each job runs, in seconds. The lease outlives a missed renewal or two and runs
    out well within a minute, so a second worker takes over within 60 s of the first dying."""

    lease_s: float = 40.0
    hold_s: float = 10.0
    listing_s: float = 300.0
    round_s: float = 600.0
    watch_s: float = 15.0
    requests_s: float = 2.0
    tell_s: float = 5.0
    tidy_s: float = 30.0
    # An organization stays on the watch list this long after its last open or minted link.
    recent_s: float = 24 * 3600.0


class Worker:
    def __init__(
        self,
        gateway: ScalekitGateway,
        history: History,
        environment: str,
        *,
        teller: Teller | None = None,
        intervals: Intervals | None = None,
        holder: str | None = None,
        clock: Clock = _now,
        sleep: Sleep | None = None,
    ) -> None:
        """``sleep``: how a back-off from Scalekit's rate limit waits (tests advance the
        emulator's clock); by default, real time."""
        self.gateway, self.history, self.environment = gateway, history, environment
        self._sleep = sleep
        self._backoff = Backoff()
        self.intervals = intervals or Intervals()
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.teller = teller
        self._clock = clock
        self._board: StatusBoard | None = None
        self._holding = False
        self._lock = threading.Lock()  # one listing at a time, one round at a time

    # -- the lease ---------------------------------------------------------------------------

    def hold(self) -> bool:
        """Take or renew the environment's lease; True while this worker is the one sweeping it."""
        now = self._clock()
        lease = dt.timedelta(seconds=self.intervals.lease_s)
        try:
            held = self.history.sweepers.acquire(self.environment, self.holder, now, lease)
        except PortalDeskError as error:
            log.warning("Portal Desk's worker could not renew its lease: %s", error)
            held = False  # a busy or unreachable history: do nothing rather than sweep twice
        gained, lost = held and not self._holding, self._holding and not held
        self._holding = held
        if gained:
            log.warning("Portal Desk's worker %s now sweeps %s", self.holder, self.environment)
            self._drop_board()
            self._board = self._new_board()
            try:
                state = self.history.sweepers.state(self.environment)
                if state is not None and state.notify_since is None:
                    # What happened before the first worker ever ran is history, not news.
                    self.history.sweepers.note(self.environment, self.holder, notify_since=now)
            except PortalDeskError as error:  # tell() records it on its next pass
                log.warning("Portal Desk's worker could not read its state: %s", error)
        elif lost:
            log.warning("Portal Desk's worker %s handed %s over", self.holder, self.environment)
            self._drop_board()
        return held

    def release(self) -> None:
        if self._holding:
            self.history.sweepers.release(self.environment, self.holder, self._clock())
            self._holding = False
        self._drop_board()

    @property
    def holding(self) -> bool:
        return self._holding

    def _new_board(self) -> StatusBoard:
        def remember_sso(batch: list[OnboardingStatus]) -> None:
            enabled = [(s.organization_id, s.fetched_at) for s in batch if s.sso == SsoState.ENABLED]
            self.history.events.observe_many(self.environment, enabled, "status")

        def round_end() -> None:
            board = self._board
            problem = board.problem if board is not None else None
            failures = board.failures() if board is not None else {}
            if failures and problem is None:
                problem = f"the status of {len(failures):,} organizations could not be fetched: " + next(
                    iter(failures.values())
                )
            self._note(round_finished_at=self._clock(), problem=problem[:500] if problem else None)

        return StatusBoard(
            self.gateway,
            self.history.statuses,
            self.environment,
            on_statuses=remember_sso,
            on_round_end=round_end,
            backoff=self._backoff,
            sleep=self._sleep,
        )

    def _drop_board(self) -> None:
        if self._board is not None:
            self._board.stop()
            self._board = None

    def _note(self, **values: object) -> None:
        try:
            self.history.sweepers.note(self.environment, self.holder, **values)
        except PortalDeskError as error:
            log.warning("Portal Desk's worker could not record its progress: %s", error)

    # -- the jobs ----------------------------------------------------------------------------

    def list_organizations(self) -> bool:
        """List every organization into the history; after a first listing ever, a status round
        starts at once. False when it could not (the problem is noted for the pages).

        The first listing is saved before the round starts, not fed to it page by page: measured
        at 10,000 organizations, a round running beside it held the listing back from 2.1 s to
        13.3 s (the two share one interpreter), while every status arrived about as soon."""
        board = self._board
        if not self._holding or board is None:
            return False
        with self._lock:
            first_ever = self.history.listing.load(self.environment) is None
            try:
                # Rate-limited: wait as Scalekit asks and list again.
                orgs = self._backoff.call(self.gateway.list_organizations, self._sleep or time.sleep)
                self.history.listing.save(self.environment, orgs, self._clock())
            except PortalDeskError as error:
                self._note(problem=str(error)[:500])
                log.warning("Portal Desk's worker could not list the organizations: %s", error)
                return False
            self._note(listed_at=self._clock(), problem=None)
        if first_ever and not board.refreshing:
            self._round_started()
            board.request([o.id for o in orgs], first=self._watch_list())
        return True

    def refresh_statuses(self, wait_s: float = 120) -> bool:
        """A status round over every listed organization, the watch list first; returns once it
        is done (or ``wait_s`` passed). A round started by a first listing is waited for."""
        board = self._board
        if not self._holding or board is None:
            return False
        found = self.history.listing.load(self.environment)
        if found is None:
            return False
        orgs, _ = found
        if not board.refreshing:
            self._round_started()
            board.expire()
            board.request([o.id for o in orgs], first=self._watch_list())
        return board.wait(wait_s)

    def _round_started(self) -> None:
        self._note(round_started_at=self._clock())

    def watch(self) -> None:
        """Organizations whose status may change any minute, refetched now: SSO an IT admin
        enables shows within this job's interval, with no page open."""
        board = self._board
        if not self._holding or board is None:
            return
        try:
            unchecked = self.history.watching.unchecked(self.environment)
        except PortalDeskError:
            unchecked = []
        if board.refreshing:
            unchecked = []  # the round has them
        watched = list(dict.fromkeys([*self._watch_list(), *unchecked[:500]]))
        if watched:
            board.refresh_many(watched)
            board.wait(self.intervals.watch_s * 2)

    def _watch_list(self) -> list[str]:
        now = self._clock()
        try:
            return self.history.watching.watch_list(
                self.environment, now, dt.timedelta(seconds=self.intervals.recent_s)
            )
        except PortalDeskError:
            return []

    def answer_requests(self) -> None:
        """A page pressed Refresh: list again and refresh every status, now."""
        if not self._holding:
            return
        state = self.history.sweepers.state(self.environment)
        if state is None or state.refresh_requested_at is None:
            return
        if state.round_started_at is not None and state.round_started_at >= state.refresh_requested_at:
            return  # a round started since the request answers it
        self.list_organizations()
        self.refresh_statuses()

    def tell(self) -> None:
        """Find what is worth telling since the last pass, and deliver what is due."""
        if not self._holding or self.teller is None:
            return
        state = self.history.sweepers.state(self.environment)
        since = state.notify_since if state is not None else None
        if since is None:  # the start could not record it: news begins now
            self._note(notify_since=self._clock())
            return
        self.teller.find(since, self._clock())
        self.teller.deliver(self._clock())

    def tidy(self) -> None:
        """Pending mints whose minute passed close as "unknown"; link ids no longer needed go."""
        if self._holding:
            self.history.links.sweep(self._clock())

    def run_once(self) -> None:
        """Every job once, in order (tests, ``--once``)."""
        if not self.hold():
            return
        if self.history.listing.load(self.environment) is None:
            self.list_organizations()
        self.refresh_statuses()
        self.watch()
        self.tell()
        self.tidy()
