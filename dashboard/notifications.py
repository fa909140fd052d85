"""Notifications as people see them: what the worker told, and each rep's own switch.

The worker writes and delivers them (``dashboard/worker/notify.py``); the Activity page lists
them for managers, and a rep switches their own emails off or on from the sidebar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from .history import History
from .history.notifications import Notice
from .models import CHANNEL_LABELS, NOTICE_KIND_LABELS, NOTICE_STATE_LABELS, Operator
from .permissions import require

COLUMNS = ("When (UTC)", "What", "Organization", "Channel", "To", "State", "Message", "Attempts", "Problem")


def recent(history: History, operator: Operator, environment: str, limit: int = 200) -> list[Notice]:
    """The newest notifications of the environment, for managers and admins (the Activity page)."""
    require(operator, "activity")
    return history.notifications.newest(environment, limit)


def table(notices: Sequence[Notice]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "When (UTC)": n.created_at.astimezone(dt.UTC).replace(tzinfo=None),
                "What": NOTICE_KIND_LABELS[n.kind],
                "Organization": n.organization_name or "",
                "Channel": CHANNEL_LABELS[n.channel],
                "To": n.recipient,
                "State": NOTICE_STATE_LABELS[n.state],
                "Message": n.body,
                "Attempts": n.attempts,
                "Problem": n.last_error or "",
            }
            for n in notices
        ],
        columns=list(COLUMNS),
    )


def email_wanted(history: History, operator_name: str) -> bool:
    return history.notifications.email_wanted(operator_name)


def set_email_wanted(history: History, operator_name: str, wanted: bool) -> None:
    """A rep's own switch: the worker emails them (opens, SSO live, expiring) unless it is off."""
    history.notifications.set_email(operator_name, wanted, dt.datetime.now(dt.UTC))
