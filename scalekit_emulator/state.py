"""The emulator's data in a file, so a restarted emulator serves what its clients made before.

``--state-file PATH`` (``make run`` passes ``data/emulator-state.json``): the file is read at start
when it was written for the same seed, organization count and readings, and rewritten within a
second of any change and at stop. A process killed outright loses at most the last second. Every
backend counts its changes (``Environment.edited``), so an idle environment, however large, is
never copied; a change that forgot to count is still written at stop. A file that cannot be
read, or was written for other settings, is moved aside to ``<name>.bad`` and the emulator starts
from its seed.

What is kept is what a client made: organizations and their settings, domains, connections,
directories, session policies, user limits, branding, published TXT records, and the portal links
and sessions as records. What would let someone in is not: a link's token and address (a restarted
emulator listens on another portal port anyway, so the link could not be opened) and a session's
cookie value. Access tokens, the sign-in provider's keys and the emulator's client secret are made
at start or given on the command line, never saved. The file is the user's alone (0600).
"""

from __future__ import annotations

import fcntl
import logging
import os
import secrets
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .backends import Backends
from .backends.portal import PortalSession
from .records import (
    BrandingRecord,
    ConnectionRecord,
    DirectoryRecord,
    DomainRecord,
    LinkRecord,
    OrgRecord,
    SessionPolicyRecord,
)

FORMAT = 1  # raised when a record changes shape: older files then start from the seed
SAVE_INTERVAL_S = 1.0
log = logging.getLogger("scalekit_emulator.state")
PROBLEM = "The emulator state"  # how each sentence about an unusable file begins


@dataclass
class SavedState:
    format: int
    seed: int
    seeded_orgs: int
    readings: list[str]
    orgs: list[OrgRecord] = field(default_factory=list)  # oldest first, as the emulator keeps them
    domains: list[DomainRecord] = field(default_factory=list)
    connections: list[ConnectionRecord] = field(default_factory=list)
    directories: list[DirectoryRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)  # without token or address
    sessions: list[PortalSession] = field(default_factory=list)  # without the cookie value
    session_policies: dict[str, SessionPolicyRecord] = field(default_factory=dict)
    user_limits: dict[str, int | None] = field(default_factory=dict)
    branding: dict[str, BrandingRecord] = field(default_factory=dict)
    txt_records: list[tuple[str, str]] = field(default_factory=list)


_ADAPTER = TypeAdapter(SavedState)


class StateError(ValueError):
    """The file holds no state this emulator can take (its sentence says why)."""


def snapshot(backends: Backends) -> SavedState:
    """The data as they are now (records copied under the lock, so a write never sees half a change)."""
    env, portal = backends.env, backends.portal
    with env.lock:
        saved = SavedState(
            format=FORMAT,
            seed=env.seed,
            seeded_orgs=env.org_count,
            readings=env.readings.in_effect(),
            orgs=[
                replace(o, metadata=dict(o.metadata), features=dict(o.features)) for o in env.orgs.values()
            ],
            domains=[replace(d) for d in env.domains.values()],
            connections=[
                replace(c, domain_ids=list(c.domain_ids), settings=dict(c.settings))
                for c in env.connections.values()
            ],
            directories=[replace(d) for d in env.directories.values()],
            links=[replace(lk, token="", location="") for lk in env.links.values()],
            sessions=[replace(s, id="") for s in portal.sessions()],
            session_policies={k: replace(v) for k, v in env.session_policies.items()},
            user_limits=dict(env.user_limits),
            branding={k: replace(v, customization=dict(v.customization)) for k, v in env.branding.items()},
            txt_records=sorted(env.txt_records),
        )
    return saved


def encode(saved: SavedState) -> bytes:
    return _ADAPTER.dump_json(saved, indent=1)


def decode(text: bytes, backends: Backends) -> SavedState:
    """The saved state, if it was written for this emulator's seed and readings; StateError if not."""
    try:
        saved = _ADAPTER.validate_json(text)
    except ValidationError as exc:
        raise StateError("it is not a state file this version of the emulator can read") from exc
    env = backends.env
    if saved.format != FORMAT:
        raise StateError(f"it was written in format {saved.format}, and this emulator reads format {FORMAT}")
    if (saved.seed, saved.seeded_orgs) != (env.seed, env.org_count):
        raise StateError(
            f"it was written for seed {saved.seed} with {saved.seeded_orgs} organizations, "
            f"not seed {env.seed} with {env.org_count}"
        )
    if saved.readings != env.readings.in_effect():
        raise StateError("it was written under other readings")
    orgs = {org.id for org in saved.orgs}
    # Links and sessions outlive a deleted organization (revoked, ended); nothing else does.
    tables: list[list[Any]] = [saved.domains, saved.connections, saved.directories]
    owners = [record.organization_id for table in tables for record in table]
    if stray := next((owner for owner in owners if owner not in orgs), None):
        raise StateError(f"a record names organization {stray}, which it does not hold")
    return saved


def restore(backends: Backends, saved: SavedState) -> None:
    """Replace the backends' data with ``saved`` (settings such as allowed origins are kept)."""
    env = backends.env
    with env.lock:
        env.reset()  # the same empty tables and indexes the seed fills, then filled from the file
        env.orgs.clear()
        for table in (env.connections, env.directories, env.domains, env.by_external):
            table.clear()
        for index in (env.org_connections, env.org_directories, env.org_domains):
            index.clear()
        for org in saved.orgs:
            env.orgs[org.id] = org
            for index in (env.org_connections, env.org_directories, env.org_domains):
                index[org.id] = []
            if org.external_id:
                env.by_external[org.external_id] = org.id
            if org.slug:
                env.by_slug[org.slug] = org.id
        # Each table's order is its records' creation order, which the per-organization indexes keep.
        for domain in saved.domains:
            env.add(env.domains, env.org_domains, domain)
        for connection in saved.connections:
            env.add(env.connections, env.org_connections, connection)
        for directory in saved.directories:
            env.add(env.directories, env.org_directories, directory)
        env.links.update((link.id, link) for link in saved.links)
        env.session_policies.update(saved.session_policies)
        env.user_limits.update(saved.user_limits)
        env.branding.update(saved.branding)
        env.txt_records.update(saved.txt_records)
        env.changed()
    # A session's cookie value is not kept: each gets a new one nobody holds. The records still
    # say which links started sessions that have not ended (a link's revocation ends them).
    backends.portal.reset()
    backends.portal.adopt([replace(s, id=secrets.token_urlsafe(24)) for s in saved.sessions])


def write_private(path: Path, data: bytes) -> None:
    """Whole or not at all (a temporary file renamed over the old one), and the user's alone."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def in_use(path: Path) -> bool:
    """Whether a running emulator keeps ``path`` (it holds a lock beside it while it runs)."""
    try:
        fd = os.open(lock_path(path), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock taken here
    return False


class StateFile:
    """Loads the backends from ``path`` at start, and keeps the file in step with them."""

    def __init__(self, path: Path, backends: Backends, interval_s: float = SAVE_INTERVAL_S) -> None:
        self.path = path
        self._backends = backends
        self._interval_s = interval_s
        self._written = b""
        self._edits: int | None = None  # the environment's edit count at the last write
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one write at a time: the saver's and the final one
        self._held: int | None = None  # the lock file, held while this emulator keeps the file

    def load(self) -> bool:
        """Restore the saved data; False (seeded data kept) when there is no usable file."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.warning("%s %s cannot be read (%s): starting from the seed.", PROBLEM, self.path, exc)
            return False
        try:
            saved = decode(text, self._backends)
        except StateError as exc:
            aside = self.path.with_name(self.path.name + ".bad")
            os.replace(self.path, aside)
            log.warning(
                "%s %s was not used because %s: starting from the seed (the file is kept as %s).",
                PROBLEM,
                self.path,
                exc,
                aside.name,
            )
            return False
        restore(self._backends, saved)
        self._written, self._edits = text, self._backends.env.edits
        return True

    def save(self, *, force: bool = False) -> bool:
        """Write the data if they changed since the last write; True when written. Unless forced,
        nothing is copied while the environment's edit count stands still."""
        if self._held is None:
            return False
        with self._lock:
            edits = self._backends.env.edits  # read first: a change during the copy is seen next time
            if edits == self._edits and not force:
                return False
            data = encode(snapshot(self._backends))
            if data != self._written:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                write_private(self.path, data)  # an OSError leaves the counts: tried again next time
            written, self._written, self._edits = data != self._written, data, edits
            return written

    def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path(self.path), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            log.warning("Another emulator keeps %s: this one will not write it.", self.path)
            return
        self._held = fd
        self._thread = threading.Thread(target=self._run, daemon=True, name="emulator-state")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._held is not None:
            try:
                self.save(force=True)  # whatever a change forgot to count
            finally:
                os.close(self._held)
                self._held = None

    def _run(self) -> None:
        # A check a second rather than a write per change: a burst of calls costs one write, and
        # every path that changes data (gRPC, REST, the portal pages, the control API) is covered
        # by the backends' count, whichever adapter called them.
        while not self._stop.wait(self._interval_s):
            try:
                self.save()
            except OSError as exc:
                log.warning("Cannot write the emulator state %s (%s); will try again.", self.path, exc)
