"""Writes of one process that share a transaction when they arrive together (group commit).

Under load the relay's writes are short and many: two per invitation open. Each took its turn in
the write queue (database.py), and each turn was a hand-over: the next thread woken, then waiting
for the GIL among the others, while the file sat unlocked. Here the first write to arrive leads:
it queues for the write lock, and every write arriving while it waits joins it; once the lock is
its own, it runs them all in one transaction, commits once and wakes them (one failing rolls
the batch back, and the others run again one by one, so it spoils none of them). Each caller
returns only after its write is committed, so nothing it goes on to do (a link shown, a
redirect) gets ahead of the history.

PostgreSQL: each write is its own transaction, as before (its row locks queue the writers).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import Connection, Engine

from .database import queues_writes, writing

T = TypeVar("T")


@dataclass(eq=False)
class _Write(Generic[T]):
    work: Callable[[Connection], T]
    result: T | None = None
    error: BaseException | None = None


@dataclass(eq=False)
class _Batch:
    writes: list[_Write[Any]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


class _Gathering:
    """The batch of an engine that is still taking writes (its leader waits for the lock)."""

    def __init__(self) -> None:
        self.mutex = threading.Lock()
        self.batch: _Batch | None = None


_gathering: weakref.WeakKeyDictionary[Engine, _Gathering] = weakref.WeakKeyDictionary()
_gathering_guard = threading.Lock()


def waiting(engine: Engine) -> int:
    """How many writes wait in the batch that has not taken the write lock yet."""
    gathering = _gathering.get(engine)
    batch = gathering.batch if gathering else None
    return len(batch.writes) if batch else 0


def write(engine: Engine, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in a write transaction, committed before this returns: on SQLite, in one
    shared with this process's other writes that arrive meanwhile. Errors are the database's
    (callers wrap this in ``guard``)."""
    if not queues_writes(engine):
        with writing(engine) as conn:
            return work(conn)
    with _gathering_guard:
        gathering = _gathering.setdefault(engine, _Gathering())
    mine: _Write[T] = _Write(work)
    with gathering.mutex:
        batch, leads = gathering.batch, gathering.batch is None
        if batch is None:
            batch = gathering.batch = _Batch()
        batch.writes.append(mine)
    if leads:
        _run(engine, gathering, batch)
    else:
        batch.done.wait()
    if mine.error is not None:
        raise mine.error
    return mine.result  # type: ignore[return-value]  # set when no error is


def _run(engine: Engine, gathering: _Gathering, batch: _Batch) -> None:
    failing: _Write[Any] | None = None
    try:
        with writing(engine) as conn:
            with gathering.mutex:
                gathering.batch = None  # the lock is ours: later writes gather for the next turn
            for one in batch.writes:
                failing = one
                one.result = one.work(conn)
            failing = None
    except BaseException as error:
        with gathering.mutex:
            if gathering.batch is batch:
                gathering.batch = None
        if failing is not None and len(batch.writes) > 1 and isinstance(error, Exception):
            _one_by_one(engine, batch)  # one write failed and rolled back the others: each alone
        else:  # the lock, BEGIN or COMMIT failed (or the write was alone): no write stands
            for one in batch.writes:
                one.error = error
        if not isinstance(error, Exception):
            raise
    finally:
        batch.done.set()


def _one_by_one(engine: Engine, batch: _Batch) -> None:
    """Rare: each write in a transaction of its own, so one that fails spoils no other. (A
    savepoint per write would do the same in one transaction, at two more statements a write.)"""
    for one in batch.writes:
        try:
            with writing(engine) as conn:
                one.result = one.work(conn)
        except Exception as error:  # handed to its own caller
            one.result, one.error = None, error
