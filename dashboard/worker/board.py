"""How far each organization's SSO and SCIM setup has got, for every organization at once.

The worker's :class:`StatusBoard` keeps one environment's statuses. It starts from the snapshot
in the history (every status as last seen) and refreshes it in rounds, writing each answer to the
snapshot as it arrives (pages read the snapshot, never this board):

- SSO for every organization from the environment-wide connection listings (a few hundred pages
  for 10,000 organizations, instead of 10,000 calls). An environment that refuses them is
  remembered, and asked organization by organization instead.
- Directories organization by organization (there is no environment-wide listing), many calls in
  flight, in the order pages ask for: the watch list, the rows on screen, the rows the filters keep.

Each status is complete when both halves of the round are in; until then the snapshot's stands.
Answers are saved to the snapshot as they arrive. When Scalekit rate-limits, the round waits as
long as it asks (else backs off exponentially, with jitter) and asks again (backoff.py).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import NotAllowed, PortalDeskError, RateLimited, ScalekitError
from ..gateway import ScalekitGateway
from ..history.statuses import StatusSnapshot
from ..models import Connection, Directory, OnboardingStatus, ScimState, SsoState
from ..organizations.states import changed_status, fetch_status, scim_state, sso_state
from .backoff import Backoff, Sleep
from .rounds import Round

SAVE_EVERY_S = 1.0
T = TypeVar("T")


class StatusBoard:
    """Onboarding statuses of one environment's organizations, refreshed in rounds."""

    def __init__(
        self,
        gateway: ScalekitGateway,
        snapshot: StatusSnapshot | None = None,
        environment: str = "emulator",
        *,
        ttl_s: float = 600,
        retry_after_s: float = 30,
        in_flight: int = 100,
        on_statuses: Callable[[list[OnboardingStatus]], None] | None = None,
        on_round_end: Callable[[], None] | None = None,
        backoff: Backoff | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        """``sleep``: how a back-off waits (tests advance the emulator's clock instead); by
        default it waits on the board's stop, so stopping never waits a back-off out."""
        self._gateway = gateway
        self._snapshot, self._environment = snapshot, environment
        self._ttl_s, self._retry_after_s, self._in_flight = ttl_s, retry_after_s, in_flight
        self._on_statuses = on_statuses  # new statuses, a batch at a time (e.g. SSO sightings)
        self._on_round_end = on_round_end  # a round is saved (the worker tells the pages)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._backoff = backoff or Backoff()
        self._sleep: Sleep = sleep or self._stopped.wait
        self._known: dict[str, OnboardingStatus] = {}
        self.version = 0  # moves whenever what statuses() returns may have changed
        self._unsaved: list[OnboardingStatus] = []
        self._failures: dict[str, str] = {}
        self._round: Round | None = None
        self._finished_at: float | None = None  # monotonic time of the last complete round
        self._bulk_refused = False
        self._singles = ThreadPoolExecutor(max_workers=8, thread_name_prefix="status-single")
        self._single_pending: set[str] = set()
        self.problem: str | None = None  # the last snapshot write that failed, for the pages
        if snapshot is not None:
            try:
                self._known = snapshot.load(environment)
            except PortalDeskError as error:  # no snapshot: statuses come from Scalekit alone
                self.problem = str(error)
        if self._known:  # as fresh as its oldest status: a restart needs no round before the TTL
            oldest = min(status.fetched_at for status in self._known.values())
            age = (dt.datetime.now(dt.UTC) - oldest).total_seconds()
            self._finished_at = time.monotonic() - max(age, 0.0)

    # -- what pages ask ----------------------------------------------------------------------

    def request(self, org_ids: Iterable[str], first: Iterable[str] = ()) -> None:
        """Start a round when none runs and the last is older than the TTL (or failed somewhere
        more than ``retry_after_s`` ago, or there was none); during a round, fetch the
        organizations in ``first`` next. An organization new since is fetched on its own."""
        ids = list(dict.fromkeys(org_ids))
        with self._lock:
            if self._stopped.is_set():
                return
            running = self._round
            if running is not None:
                running.prioritise(first)
                if not running.closed.is_set():
                    return  # the listing feeds this round: newcomers come with it
                for org_id in (o for o in ids if o not in running.wanted):
                    running.wanted.add(org_id)  # owed until it arrives
                    self._singles.submit(self._stray, running, org_id)
                return
            age = None if self._finished_at is None else time.monotonic() - self._finished_at
            due = age is None or age > self._ttl_s or (bool(self._failures) and age > self._retry_after_s)
            if not due:
                for org_id in (o for o in ids if o not in self._known and o not in self._single_pending):
                    self._single_pending.add(org_id)
                    self._singles.submit(self._single, org_id)
                return
            self._round = Round(ids, first)
        threading.Thread(target=self._run, args=(self._round,), daemon=True, name="status-round").start()

    def begin(self, first: Iterable[str] = ()) -> bool:
        """Start a round before the organizations are all known (the first listing, page by
        page): ``feed`` each page, then ``close``. False when a round runs already."""
        with self._lock:
            if self._round is not None or self._stopped.is_set():
                return False
            self._round = Round([], first, open_=True)
            current = self._round
        threading.Thread(target=self._run, args=(current,), daemon=True, name="status-round").start()
        return True

    def feed(self, org_ids: Iterable[str]) -> None:
        with self._lock:
            current = self._round
            if current is None or current.closed.is_set():
                return
            new = current.feed(org_ids)
            found = current.connections
        if found is not None:  # the bulk listing is in already: their SSO is known now
            for org_id in new:
                self._half(current, org_id, sso=sso_state(found.get(org_id, ())))

    def close(self) -> None:
        with self._lock:
            if self._round is not None:
                self._round.closed.set()

    def expire(self) -> None:
        """Refresh: the next request starts a round, whatever the TTL (the statuses shown stay
        until replaced)."""
        with self._lock:
            self._finished_at = None

    def refresh(self, org_id: str) -> OnboardingStatus:
        """Fetch one organization now (after a change), and keep the answer."""
        status = self._patiently(lambda: fetch_status(self._gateway, org_id))
        self._keep(status)
        self._save()
        return status

    def statuses(self) -> dict[str, OnboardingStatus]:
        """Every status known; on a first visit, also the half a round has so far (the other half
        None), so SSO shows as soon as the environment-wide listing is in."""
        with self._lock:
            found = dict(self._known)
            current = self._round
            if current is None:
                return found
            halves = [o for o in (*current.sso, *current.scim) if o not in found]
            sso, scim = dict(current.sso), dict(current.scim)
        now = dt.datetime.now(dt.UTC)
        for org_id in halves:
            state, provider = sso.get(org_id, (None, None))
            directory, users = scim.get(org_id, (None, None))
            found[org_id] = OnboardingStatus(org_id, state, provider, directory, users, now)
        return found

    @property
    def pending(self) -> int:
        """Organizations still owed: by the running round, or fetched on their own."""
        with self._lock:
            return (self._round.owed if self._round is not None else 0) + len(self._single_pending)

    @property
    def refreshing(self) -> bool:
        with self._lock:
            return self._round is not None

    def failures(self) -> dict[str, str]:
        """Organizations whose status could not be fetched in the last round, with the reason."""
        with self._lock:
            return dict(self._failures)

    def wait(self, timeout_s: float = 60) -> bool:
        """Block until no round runs and no single fetch is owed; True if it got there."""
        deadline = time.monotonic() + timeout_s
        while (self.refreshing or self.pending) and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.refreshing or self.pending:
            return False
        self._singles.submit(self._save).result()  # what the singles fetched is saved too
        return True

    def refresh_many(self, org_ids: Iterable[str]) -> None:
        """Refetch these organizations now, whatever their age (the watch list: an IT admin may
        be setting SSO up this very minute); answers are saved as a batch."""
        with self._lock:
            fresh = [o for o in dict.fromkeys(org_ids) if o not in self._single_pending]
            self._single_pending.update(fresh)
        for org_id in fresh:
            self._singles.submit(self._single, org_id)
        self._singles.submit(self._save)

    def stop(self) -> None:
        self._stopped.set()
        self._singles.shutdown(wait=False, cancel_futures=True)

    # -- the round ---------------------------------------------------------------------------

    def _run(self, current: Round) -> None:
        saver = threading.Thread(target=self._save_while, args=(current,), daemon=True, name="status-save")
        saver.start()
        sso = threading.Thread(target=self._sso_half, args=(current,), daemon=True, name="status-sso")
        sso.start()
        limited: dict[str, RateLimited] = {}

        def arrived(org_id: str, result: list[Directory] | ScalekitError) -> None:
            if isinstance(result, RateLimited):
                limited[org_id] = result  # asked again after the back-off (dict writes are atomic)
            else:
                self._directories(current, org_id, result)

        ids: Iterable[str] = current.next_ids(self._lock, self._stopped)
        for attempt in range(self._backoff.attempts):
            self._gateway.directories_of(ids, arrived, in_flight=self._in_flight, stopped=self._stopped)
            if not limited or attempt + 1 == self._backoff.attempts or self._stopped.is_set():
                break
            waits = [e.retry_after_s for e in limited.values() if e.retry_after_s]
            self._sleep(self._backoff.delay(attempt, max(waits) if waits else None))
            ids, limited = list(limited), {}
        for org_id, error in limited.items():
            self._fail([org_id], str(error))
        sso.join()
        current.done.set()
        saver.join()
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            gone = [o for o in self._known if o not in current.wanted]
            for org_id in gone:
                del self._known[org_id]
            # A half that arrived without its other half (which failed) is shown all the same.
            for org_id in (o for o in (*current.sso, *current.scim) if o not in self._known):
                state, provider = current.sso.get(org_id, (None, None))
                directory, users = current.scim.get(org_id, (None, None))
                self._known[org_id] = OnboardingStatus(org_id, state, provider, directory, users, now)
        self._save()
        if self._snapshot is not None and gone:
            self._quietly(lambda: self._snapshot.forget(self._environment, gone))  # type: ignore[union-attr]
        with self._lock:  # only now: whoever waits for the round finds it saved
            self._round, self._finished_at = None, time.monotonic()
        if self._on_round_end is not None:
            self._on_round_end()

    def _sso_half(self, current: Round) -> None:
        if not self._bulk_refused:
            found: dict[str, list[Connection]] = defaultdict(list)
            lock = threading.Lock()

            def page(connections: list[Connection]) -> None:
                with lock:
                    for conn in connections:
                        found[conn.organization_id].append(conn)

            try:
                self._gateway.every_connection(page, patience=self._patiently)  # page by page
            except NotAllowed:
                self._bulk_refused = True  # this environment: organization by organization
            except ScalekitError as error:
                with self._lock:
                    everyone = list(current.wanted)
                self._fail(everyone, str(error))  # answered below, one by one
            else:
                with self._lock:
                    current.connections = found
                    known = list(current.org_ids)  # those fed later are answered in feed()
                for org_id in known:
                    self._half(current, org_id, sso=sso_state(found.get(org_id, ())))
                return
        current.closed.wait()  # one by one: every organization must be known first
        with ThreadPoolExecutor(max_workers=16, thread_name_prefix="status-sso") as pool:
            for org_id in current.org_ids:
                pool.submit(self._sso_of, current, org_id)

    def _sso_of(self, current: Round, org_id: str) -> None:
        if self._stopped.is_set():
            return
        try:
            found = self._patiently(lambda: self._gateway.list_connections(org_id))
            self._half(current, org_id, sso=sso_state(found))
        except ScalekitError as error:
            self._fail([org_id], str(error))

    def _directories(self, current: Round, org_id: str, result: list[Directory] | ScalekitError) -> None:
        if isinstance(result, ScalekitError):
            self._fail([org_id], str(result))
            return
        self._half(current, org_id, scim=scim_state(result))

    def _half(
        self,
        current: Round,
        org_id: str,
        sso: tuple[SsoState, str | None] | None = None,
        scim: tuple[ScimState, int | None] | None = None,
    ) -> None:
        with self._lock:
            self.version += 1
            if sso is not None:
                current.sso[org_id] = sso
            if scim is not None:
                current.scim[org_id] = scim
            if org_id not in current.sso or org_id not in current.scim:
                return
            (sso_value, provider), (scim_value, users) = current.sso[org_id], current.scim[org_id]
        status = OnboardingStatus(org_id, sso_value, provider, scim_value, users, dt.datetime.now(dt.UTC))
        self._keep(status)

    def _single(self, org_id: str) -> None:
        try:
            self._keep(self._patiently(lambda: fetch_status(self._gateway, org_id)))
        except ScalekitError as error:
            self._fail([org_id], str(error))
        finally:
            with self._lock:
                self._single_pending.discard(org_id)

    def _stray(self, current: Round, org_id: str) -> None:
        """An organization that appeared during a round: both halves on its own, for the round."""
        try:
            found = self._patiently(lambda: fetch_status(self._gateway, org_id))
        except ScalekitError as error:
            self._fail([org_id], str(error))
            return
        self._half(current, org_id, sso=(found.sso or SsoState.NONE, found.sso_provider))
        self._half(current, org_id, scim=(found.scim or ScimState.NONE, found.scim_users))

    def _patiently(self, work: Callable[[], T]) -> T:
        """``work()``, backing off while Scalekit rate-limits it."""
        return self._backoff.call(work, self._sleep, self._stopped.is_set)

    def _keep(self, status: OnboardingStatus) -> None:
        with self._lock:
            self.version += 1
            kept = changed_status(status, self._known.get(status.organization_id))
            self._known[status.organization_id] = kept
            self._failures.pop(status.organization_id, None)
            self._unsaved.append(kept)

    def _fail(self, org_ids: Iterable[str], reason: str) -> None:
        with self._lock:
            for org_id in org_ids:
                self._failures[org_id] = reason

    # -- the snapshot ------------------------------------------------------------------------

    def _save_while(self, current: Round) -> None:
        while not current.done.wait(SAVE_EVERY_S) and not self._stopped.is_set():
            self._save()

    def _save(self) -> None:
        """Write what arrived since the last save: one snapshot write and one callback per batch,
        never one per organization (10,000 transactions would outlast the round)."""
        with self._lock:
            batch, self._unsaved = self._unsaved, []
        if not batch:
            return
        if self._snapshot is not None:
            self._quietly(lambda: self._snapshot.save(self._environment, batch))  # type: ignore[union-attr]
        if self._on_statuses is not None:
            try:
                self._on_statuses(batch)
            except PortalDeskError as error:  # the statuses are still good; say what went wrong
                self._fail([s.organization_id for s in batch], str(error))

    def _quietly(self, write: Callable[[], None]) -> None:
        """A busy history costs the snapshot a write, not the statuses: say so once, go on."""
        try:
            write()
        except PortalDeskError as error:
            self.problem = str(error)
        else:
            self.problem = None
