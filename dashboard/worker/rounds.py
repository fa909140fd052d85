"""A status round's bookkeeping: the halves that arrived, and what is still owed."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

from ..models import Connection, ScimState, SsoState


class Round:
    """One refresh of every organization: the halves that arrived, and what is still owed."""

    def __init__(self, org_ids: list[str], first: Iterable[str], *, open_: bool = False) -> None:
        self.org_ids = list(org_ids)
        self.wanted = set(org_ids)
        self.sso: dict[str, tuple[SsoState, str | None]] = {}
        self.scim: dict[str, tuple[ScimState, int | None]] = {}
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
            yield org_id

    @property
    def owed(self) -> int:
        return len(self.wanted) - sum(1 for o in self.wanted if o in self.sso and o in self.scim)
