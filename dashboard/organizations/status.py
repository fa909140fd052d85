"""How far each organization's SSO and SCIM setup has got, for every organization at once.

A :class:`StatusBoard` serves one environment to every session. It starts from the snapshot in
the history (every status as last seen, drawn at once, restarts included) and refreshes it in
rounds, in the background:

- SSO for every organization from the environment-wide connection listings (a few hundred pages
  for 10,000 organizations, instead of 10,000 calls). An environment that refuses them is
  remembered, and asked organization by organization instead.
- Directories organization by organization (there is no environment-wide listing), many calls in
  flight, in the order pages ask for: the watch list, the rows on screen, the rows the filters keep.

Each status is complete when both halves of the round are in; until then the snapshot's stands.
Answers are saved to the snapshot as they arrive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from ..errors import NotAllowed, PortalDeskError, ScalekitError
from ..gateway import ScalekitGateway
from ..history.statuses import StatusSnapshot
from ..models import Connection, Directory, OnboardingStatus

_SSO_RANK = {"draft": 1, "in_progress": 2, "completed": 3}
SAVE_EVERY_S = 1.0


def sso_state(connections: Iterable[Connection]) -> tuple[str, str | None]:
    """The furthest any connection has got, and its provider."""
    best, provider = "none", None
    best_rank = 0
    for conn in connections:
        if conn.enabled and conn.status == "completed":
            return "enabled", conn.provider
        rank = _SSO_RANK.get(conn.status, 0)
        if rank > best_rank:
            best_rank, provider = rank, conn.provider
            best = {1: "draft", 2: "in_progress", 3: "configured"}[rank]
    return best, provider


def scim_state(directories: Iterable[Directory]) -> tuple[str, int | None]:
    dirs = list(directories)
    if not dirs:
        return "none", None
    enabled = [d for d in dirs if d.enabled]
    if enabled:
        return "enabled", sum(d.total_users for d in enabled)
    return "disabled", None


def fetch_status(gateway: ScalekitGateway, org_id: str) -> OnboardingStatus:
    """One organization, now: two calls."""
    sso, provider = sso_state(gateway.list_connections(org_id))
    scim, users = scim_state(gateway.list_directories(org_id))
    return OnboardingStatus(org_id, sso, provider, scim, users, dt.datetime.now(dt.UTC))


def _changed(new: OnboardingStatus, old: OnboardingStatus | None) -> OnboardingStatus:
    """``new`` with ``changed_at``: kept from ``old`` when the state is the same."""
    same = old is not None and (old.sso, old.sso_provider, old.scim) == (new.sso, new.sso_provider, new.scim)
    changed_at = old.changed_at if same and old is not None else new.fetched_at
    return OnboardingStatus(
        new.organization_id, new.sso, new.sso_provider, new.scim, new.scim_users, new.fetched_at, changed_at
    )


class _Foreground:
    """Page runs under way. A round's calls and a page's drawing share the server's interpreter
    (one thread runs Python at a time): while a page draws, the round sends no new call, so a
    person sees the table first and the statuses a moment later. A round waits half a second at
    most, so a busy server still finishes it."""

    def __init__(self) -> None:
        self._running = 0
        self._busy_since = 0.0  # monotonic time the pages became busy
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def page(self) -> Iterator[None]:
        with self._changed:
            if self._running == 0:
                self._busy_since = time.monotonic()
            self._running += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    def wait_turn(self, at_most_s: float = 0.5) -> None:
        """Wait while pages draw, but never past ``at_most_s`` after they became busy: a page
        waiting on something slow (a first listing) does not hold a round up."""
        with self._changed:
            while self._running:
                left = self._busy_since + at_most_s - time.monotonic()
                if left <= 0:
                    return
                self._changed.wait(left)


FOREGROUND = _Foreground()


class _Round:
    """One refresh of every organization: the halves that arrived, and what is still owed."""

    def __init__(self, org_ids: list[str], first: Iterable[str], *, open_: bool = False) -> None:
        self.org_ids = list(org_ids)
        self.wanted = set(org_ids)
        self.sso: dict[str, tuple[str, str | None]] = {}
        self.scim: dict[str, tuple[str, int | None]] = {}
        self.queue: list[str] = []  # directories still to ask for; the next is last (a stack)
        self.done = threading.Event()  # both halves answered (saved or not)
        self.closed = threading.Event()  # every organization is known (the listing is complete)
        if not open_:
            self.closed.set()
        self.connections: dict[str, list[Connection]] | None = None  # the bulk listing, once in
        self.prioritise(org_ids)
        self.prioritise(first)

    def feed(self, org_ids: Iterable[str]) -> list[str]:
        """More organizations (a listing page): asked for after those queued; returns the new ones."""
        new = [o for o in org_ids if o not in self.wanted]
        self.org_ids.extend(new)
        self.wanted.update(new)
        self.queue[0:0] = reversed(new)
        return new

    def prioritise(self, org_ids: Iterable[str]) -> None:
        """Ask for these next, in this order (an id already asked for is skipped when popped)."""
        ids = [o for o in org_ids if o in self.wanted and o not in self.scim]
        self.queue.extend(reversed(ids))

    def next_ids(self, lock: threading.Lock, stopped: threading.Event) -> Iterator[str]:
        sent: set[str] = set()
        while not stopped.is_set():
            with lock:
                while self.queue and self.queue[-1] in sent:
                    self.queue.pop()
                org_id = self.queue.pop() if self.queue else None
            if org_id is None:
                if self.closed.is_set():
                    with lock:
                        if not self.queue:
                            return
                    continue
                self.closed.wait(0.02)  # the listing's next page
                continue
            sent.add(org_id)
            FOREGROUND.wait_turn()
            yield org_id

    @property
    def owed(self) -> int:
        return len(self.wanted) - sum(1 for o in self.wanted if o in self.sso and o in self.scim)


class StatusBoard:
    """Onboarding statuses of one environment's organizations, shared by every session."""

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
    ) -> None:
        self._gateway = gateway
        self._snapshot, self._environment = snapshot, environment
        self._ttl_s, self._retry_after_s, self._in_flight = ttl_s, retry_after_s, in_flight
        self._on_statuses = on_statuses  # new statuses, a batch at a time (e.g. SSO sightings)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._known: dict[str, OnboardingStatus] = {}
        self.version = 0  # moves whenever what statuses() returns may have changed
        self._unsaved: list[OnboardingStatus] = []
        self._failures: dict[str, str] = {}
        self._round: _Round | None = None
        self._finished_at: float | None = None  # monotonic time of the last complete round
        self._bulk_refused = False
        self._singles = ThreadPoolExecutor(max_workers=8, thread_name_prefix="status-single")
        self._single_pending: set[str] = set()
        self._watcher: threading.Thread | None = None
        self.snapshot_problem: str | None = None
        if snapshot is not None:
            try:
                self._known = snapshot.load(environment)
            except PortalDeskError as error:  # no snapshot: statuses come from Scalekit alone
                self.snapshot_problem = str(error)
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
            self._round = _Round(ids, first)
        threading.Thread(target=self._run, args=(self._round,), daemon=True, name="status-round").start()

    def begin(self, first: Iterable[str] = ()) -> bool:
        """Start a round before the organizations are all known (the first listing, page by
        page): ``feed`` each page, then ``close``. False when a round runs already."""
        with self._lock:
            if self._round is not None or self._stopped.is_set():
                return False
            self._round = _Round([], first, open_=True)
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
        status = fetch_status(self._gateway, org_id)
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
        """Block until no round runs (benchmarks and tests); True if it got there."""
        deadline = time.monotonic() + timeout_s
        while self.refreshing and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.refreshing

    def watch(self, org_ids: Callable[[], Iterable[str]], interval_s: float = 60) -> None:
        """Refetch, every ``interval_s``, the organizations ``org_ids()`` names, whatever their age:
        those whose IT admin opened an invitation lately, so SSO they enable shows within a
        minute, on the Organizations page and in the stats, even with no page open."""
        with self._lock:
            if self._watcher is not None:
                return
            self._watcher = threading.Thread(
                target=self._watch, args=(org_ids, interval_s), daemon=True, name="status-watch"
            )
        self._watcher.start()

    def stop(self) -> None:
        self._stopped.set()
        self._singles.shutdown(wait=False, cancel_futures=True)

    # -- the round ---------------------------------------------------------------------------

    def _run(self, current: _Round) -> None:
        saver = threading.Thread(target=self._save_while, args=(current,), daemon=True, name="status-save")
        saver.start()
        sso = threading.Thread(target=self._sso_half, args=(current,), daemon=True, name="status-sso")
        sso.start()
        self._gateway.directories_of(
            current.next_ids(self._lock, self._stopped),
            lambda org_id, result: self._directories(current, org_id, result),
            in_flight=self._in_flight,
            stopped=self._stopped,
        )
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

    def _sso_half(self, current: _Round) -> None:
        if not self._bulk_refused:
            found: dict[str, list[Connection]] = defaultdict(list)
            lock = threading.Lock()

            def page(connections: list[Connection]) -> None:
                with lock:
                    for conn in connections:
                        found[conn.organization_id].append(conn)

            try:
                self._gateway.every_connection(page)
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

    def _sso_of(self, current: _Round, org_id: str) -> None:
        if self._stopped.is_set():
            return
        try:
            self._half(current, org_id, sso=sso_state(self._gateway.list_connections(org_id)))
        except ScalekitError as error:
            self._fail([org_id], str(error))

    def _directories(self, current: _Round, org_id: str, result: list[Directory] | ScalekitError) -> None:
        if isinstance(result, ScalekitError):
            self._fail([org_id], str(result))
            return
        self._half(current, org_id, scim=scim_state(result))

    def _half(
        self,
        current: _Round,
        org_id: str,
        sso: tuple[str, str | None] | None = None,
        scim: tuple[str, int | None] | None = None,
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
            self._keep(fetch_status(self._gateway, org_id))
        except ScalekitError as error:
            self._fail([org_id], str(error))
        finally:
            with self._lock:
                self._single_pending.discard(org_id)

    def _stray(self, current: _Round, org_id: str) -> None:
        """An organization that appeared during a round: both halves on its own, for the round."""
        try:
            found = fetch_status(self._gateway, org_id)
        except ScalekitError as error:
            self._fail([org_id], str(error))
            return
        self._half(current, org_id, sso=(found.sso or "none", found.sso_provider))
        self._half(current, org_id, scim=(found.scim or "none", found.scim_users))

    def _keep(self, status: OnboardingStatus) -> None:
        with self._lock:
            self.version += 1
            kept = _changed(status, self._known.get(status.organization_id))
            self._known[status.organization_id] = kept
            self._failures.pop(status.organization_id, None)
            self._unsaved.append(kept)

    def _fail(self, org_ids: Iterable[str], reason: str) -> None:
        with self._lock:
            for org_id in org_ids:
                self._failures[org_id] = reason

    # -- the snapshot ------------------------------------------------------------------------

    def _save_while(self, current: _Round) -> None:
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
            self.snapshot_problem = str(error)
        else:
            self.snapshot_problem = None

    def _watch(self, org_ids: Callable[[], Iterable[str]], interval_s: float) -> None:
        while not self._stopped.wait(interval_s):
            try:
                wanted = list(org_ids())
            except PortalDeskError:
                continue  # the history is busy or down: the next round tries again
            with self._lock:
                fresh = [o for o in wanted if o not in self._single_pending]
                self._single_pending.update(fresh)
            for org_id in fresh:
                self._singles.submit(self._single, org_id)
            self._singles.submit(self._save)
