"""How far each organization's SSO and SCIM setup has got, fetched in the background.

Scalekit has no bulk endpoint for this: each organization costs two RPCs (connections and
directories). A :class:`StatusBoard` makes them once per organization on a bounded thread pool,
keeps the answers for a while, and lets pages draw what is already known while the rest arrives.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from .errors import PortalDeskError
from .gateway import ScalekitGateway
from .models import (
    Connection,
    Directory,
    OnboardingStatus,
    OrganizationDetail,
)

_SSO_RANK = {"draft": 1, "in_progress": 2, "completed": 3}


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
    sso, provider = sso_state(gateway.list_connections(org_id))
    scim, users = scim_state(gateway.list_directories(org_id))
    return OnboardingStatus(org_id, sso, provider, scim, users, dt.datetime.now(dt.UTC))


class StatusBoard:
    """Onboarding statuses of one environment's organizations, shared by every session."""

    def __init__(
        self,
        gateway: ScalekitGateway,
        *,
        workers: int = 8,
        ttl_s: float = 600,
        retry_after_s: float = 30,
        on_status: Callable[[OnboardingStatus], None] | None = None,
    ) -> None:
        self._gateway = gateway
        self._on_status = on_status  # e.g. remember when SSO was first seen enabled
        self._ttl_s = ttl_s
        self._retry_after_s = retry_after_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="status-board")
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, OnboardingStatus]] = {}
        self._pending: set[str] = set()
        self._failures: dict[str, tuple[float, str]] = {}
        self._watcher: threading.Thread | None = None
        self._stopped = threading.Event()

    def request(self, org_ids: Iterable[str]) -> None:
        """Fetch, in the background, every status that is missing or older than the TTL."""
        now = time.monotonic()
        with self._lock:
            wanted = [
                org_id
                for org_id in org_ids
                if org_id not in self._pending
                and (org_id not in self._known or now - self._known[org_id][0] > self._ttl_s)
                # A failed fetch waits before it is tried again, so an outage isn't hammered.
                and now - self._failures.get(org_id, (-1e9, ""))[0] > self._retry_after_s
            ]
            self._pending.update(wanted)
        for org_id in wanted:
            self._pool.submit(self._fetch, org_id)

    def _fetch(self, org_id: str) -> None:
        try:
            status = fetch_status(self._gateway, org_id)
        except PortalDeskError as error:
            with self._lock:
                self._failures[org_id] = (time.monotonic(), str(error))
                self._pending.discard(org_id)
            return
        self._keep(status)

    def _keep(self, status: OnboardingStatus) -> None:
        problem = None
        if self._on_status is not None:
            try:
                self._on_status(status)
            except PortalDeskError as error:  # the status is still good; say what went wrong with it
                problem = str(error)
        with self._lock:
            self._known[status.organization_id] = (time.monotonic(), status)
            self._pending.discard(status.organization_id)
            if problem:
                self._failures[status.organization_id] = (time.monotonic(), problem)
            else:
                self._failures.pop(status.organization_id, None)

    def watch(self, org_ids: Callable[[], Iterable[str]], interval_s: float = 60) -> None:
        """Refetch, every ``interval_s``, the organizations ``org_ids()`` names, whatever their age:
        those whose IT admin opened an invitation lately, so SSO they enable shows within a
        minute, on the Organizations page and in the stats, even with no page open. Once per board."""
        with self._lock:
            if self._watcher is not None:
                return
            self._watcher = threading.Thread(
                target=self._watch, args=(org_ids, interval_s), daemon=True, name="status-watch"
            )
        self._watcher.start()

    def _watch(self, org_ids: Callable[[], Iterable[str]], interval_s: float) -> None:
        while not self._stopped.wait(interval_s):
            try:
                wanted = list(org_ids())
            except PortalDeskError:
                continue  # the history is busy or down: the next round tries again
            with self._lock:
                fresh = [o for o in wanted if o not in self._pending]
                self._pending.update(fresh)
            for org_id in fresh:
                self._pool.submit(self._fetch, org_id)

    def stop(self) -> None:
        """No more watching or fetching (a board dropped by Refresh)."""
        self._stopped.set()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def refresh(self, org_id: str) -> OnboardingStatus:
        """Fetch one organization now (after a change), and keep the answer."""
        status = fetch_status(self._gateway, org_id)
        self._keep(status)
        return status

    def statuses(self) -> dict[str, OnboardingStatus]:
        with self._lock:
            return {org_id: status for org_id, (_, status) in self._known.items()}

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def failures(self) -> dict[str, str]:
        """Organizations whose status could not be fetched, with the reason (retried on request)."""
        with self._lock:
            return {org_id: reason for org_id, (_, reason) in self._failures.items()}

    def wait(self, timeout_s: float = 60) -> bool:
        """Block until nothing is pending (benchmarks and tests); True if it got there."""
        deadline = time.monotonic() + timeout_s
        while self.pending and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self.pending


def load_detail(gateway: ScalekitGateway, org_id: str) -> OrganizationDetail:
    """Everything the detail view shows that comes from Scalekit, but the links."""
    return OrganizationDetail(
        organization=gateway.get_organization(org_id),
        connections=tuple(gateway.list_connections(org_id)),
        directories=tuple(gateway.list_directories(org_id)),
        domains=tuple(gateway.list_domains(org_id)),
    )
