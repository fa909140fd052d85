"""What an operator may read of the team's work, and the CSV exports (each one is recorded).

A rep sees the statistics of their own work; managers and admins see everyone's. The scope is
applied here, to the filter every stats query reads, so no page can forget it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence

from . import activity
from .errors import NotPermitted
from .history import History
from .history.issued import StatsFilter
from .history.stats import IssuanceStats
from .models import Activity, ActivityAction, Operator
from .permissions import can, require
from .spreadsheet import cell


def scope(operator: Operator, wanted: StatsFilter) -> StatsFilter:
    """``wanted`` narrowed to what ``operator`` may see: everything, or their own items."""
    if can(operator, "stats_all"):
        return wanted
    name = require(operator, "invite")  # the least role with work of its own
    if wanted.reps and set(wanted.reps) != {name}:
        raise NotPermitted(
            "A rep sees the statistics of their own work only; a manager sees the whole team's."
        )
    return dataclasses.replace(wanted, reps=(name,))


def stats_version(history: History) -> tuple[int, ...]:
    """Moves whenever the figures may have changed: the page's cached report is keyed on it."""
    return history.version()


def issued_csv(history: History, operator: Operator, wanted: StatsFilter) -> str:
    """Every issued item the filter selects, as CSV; recorded in the activity log."""
    require(operator, "export")
    data = IssuanceStats(history).csv(wanted)
    rows = sum(1 for _ in csv.reader(io.StringIO(data))) - 1  # a note may hold line breaks
    period = f"{wanted.start.date()} to {(wanted.end.date())}"
    activity.record(
        history,
        activity.entry(
            operator,
            ActivityAction.CSV_EXPORTED,
            wanted.environment,
            details={"export": "issued items", "rows": rows, "period": period},
        ),
    )
    return data


def activity_csv(history: History, operator: Operator, environment: str, rows: Sequence[Activity]) -> str:
    """The activity rows shown, as CSV; the export is itself recorded."""
    require(operator, "export")
    frame = activity.table(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(frame.columns)
    for values in frame.itertuples(index=False):
        writer.writerow([cell(v) for v in values])
    activity.record(
        history,
        activity.entry(
            operator,
            ActivityAction.CSV_EXPORTED,
            environment,
            details={"export": "activity", "rows": len(frame)},
        ),
    )
    return out.getvalue()
