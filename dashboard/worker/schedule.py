"""Running the worker's jobs on a timer, with APScheduler (a well-kept scheduler: intervals,
one run at a time per job, missed runs coalesced; no hand-written ``while True: sleep``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
from collections.abc import Callable
from dataclasses import fields

from apscheduler.schedulers.blocking import BlockingScheduler

from .core import Intervals, Worker

log = logging.getLogger("portal_desk.worker")


def intervals_from(overrides: tuple[tuple[str, float], ...]) -> Intervals:
    """The defaults, with DASHBOARD_WORKER_<JOB>_S overrides; an unknown job name is ignored."""
    known = {f.name.removesuffix("_s") for f in fields(Intervals)}
    return Intervals(**{f"{name}_s": value for name, value in overrides if name in known})


def _guarded(job: Callable[[], object], name: str) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a job's failure is logged and the next run tries again
            log.exception("Portal Desk's worker job %s failed", name)

    return run


def run(worker: Worker, *, exit_with_parent: bool = False) -> None:
    """Hold the lease and run every job on its interval until SIGTERM/SIGINT (or the parent
    process, with ``exit_with_parent``, is gone); the lease is released on the way out."""
    every = worker.intervals
    scheduler = BlockingScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    )
    worker.hold()
    jobs: list[tuple[str, Callable[[], object], float, bool]] = [
        ("hold", worker.hold, every.hold_s, False),
        ("listing", worker.list_organizations, every.listing_s, True),
        ("statuses", worker.refresh_statuses, every.round_s, True),
        ("watch", worker.watch, every.watch_s, True),
        ("requests", worker.answer_requests, every.requests_s, False),
        ("tell", worker.tell, every.tell_s, True),
        ("tidy", worker.tidy, every.tidy_s, False),
    ]
    for name, job, seconds, now in jobs:
        # "now": a first run at start (a first listing and round, the first notices). APScheduler
        # reads an explicit next_run_time=None as "paused", so it is only passed when wanted.
        first = {"next_run_time": dt.datetime.now(dt.UTC)} if now else {}
        scheduler.add_job(_guarded(job, name), "interval", seconds=seconds, id=name, name=name, **first)
    if exit_with_parent:
        parent = os.getppid()

        def orphaned() -> None:  # the server was killed outright: no worker is left behind
            if os.getppid() != parent:
                scheduler.shutdown(wait=False)

        scheduler.add_job(orphaned, "interval", seconds=1, id="parent")

    def stop(signum: int, _frame: object) -> None:
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        scheduler.start()
    finally:
        worker.release()
        log.warning("Portal Desk's worker stopped")
