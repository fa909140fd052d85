"""One process's writes to a SQLite history that arrive together share one transaction (the
relay's two writes per open, under load), and one that fails spoils none of the others."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.history import History, batched, database
from dashboard.history.schema import link_issuance

from .test_history import new_link


def wait_until(condition: Callable[[], bool], timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "the writes never queued"
        time.sleep(0.01)


def gathered(history: History, writes: list[Callable[[], object]]) -> list[Future]:
    """Start the writes while another write holds the lock, and let them go together."""
    pool = ThreadPoolExecutor(max_workers=len(writes))
    with database.writing(history.engine):
        futures = [pool.submit(write) for write in writes]
        wait_until(lambda: batched.waiting(history.engine) == len(writes))
    pool.shutdown(wait=True)
    return futures


def test_writes_arriving_together_share_one_transaction(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/history.db")
    begun: list[bool] = []
    sa.event.listen(history.engine, "begin", lambda conn: begun.append(bool(conn.info.get("write"))))
    writes = [lambda n=n: history.links.pending(new_link(org=f"org_{n}")) for n in range(8)]
    futures = gathered(history, writes)
    rows = [f.result() for f in futures]
    assert sorted(r.organization_id for r in rows) == sorted(f"org_{n}" for n in range(8))
    assert begun.count(True) == 2  # the lock's holder, then the eight together
    assert {r.organization_id for r in history.links.for_organization("emulator", "org_3")} == {"org_3"}
    history.engine.dispose()


def test_a_failing_write_spoils_none_of_those_it_arrived_with(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/history.db")
    first = history.links.pending(new_link(org="org_0"))

    def duplicate() -> object:  # the same primary key again: the database refuses it
        values = history.links.values(new_link(org="org_dup"))
        return batched.write(
            history.engine, lambda conn: conn.execute(link_issuance.insert(), {**values, "id": first.id})
        )

    writes: list[Callable[[], object]] = [
        lambda n=n: history.links.pending(new_link(org=f"org_{n}")) for n in range(1, 4)
    ]
    futures = gathered(history, [*writes[:2], duplicate, writes[2]])
    with pytest.raises(sa.exc.IntegrityError):
        futures[2].result()
    assert sorted(f.result().organization_id for f in (futures[0], futures[1], futures[3])) == [
        "org_1",
        "org_2",
        "org_3",
    ]
    assert history.links.for_organization("emulator", "org_dup") == []
    history.engine.dispose()
