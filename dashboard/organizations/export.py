"""Needs attention as CSV, for a rep's or a manager's own list elsewhere (each export recorded).

What it holds: names, why, expiry, whose. Never an invitation's token or a link's location (the
list has none to give); organization ids are in, as they open nothing by themselves. Outside text
(an organization's name) that a spreadsheet would run as a formula is neutralised.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

from ..activity import entry, record
from ..history import History
from ..models import ActivityAction, Operator
from ..permissions import require
from ..spreadsheet import cell

# frame column -> CSV heading, in the CSV's order
HEADINGS = {
    "Name": "Organization",
    "Why": "Why",
    "Invitation expires": "Invitation expires (UTC)",
    "Urgent": "Urgent",
    "last_by": "Last invitation by",
    "owner": "Owner",
    "SSO": "SSO",
    "ID": "Organization id",
}


def attention_csv(history: History, operator: Operator, environment: str, attention: pd.DataFrame) -> str:
    """The Needs attention rows given (as ``table.needs_attention`` makes them), as CSV."""
    require(operator, "export")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS.values())
    rows = attention[list(HEADINGS)].assign(
        Urgent=attention["Urgent"].map(lambda urgent: "yes" if urgent else "")
    )
    for row in rows.itertuples(index=False):
        writer.writerow([cell(v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in row])
    record(
        history,
        entry(
            operator,
            ActivityAction.CSV_EXPORTED,
            environment,
            details={"export": "needs attention", "rows": len(attention)},
        ),
    )
    return out.getvalue()
