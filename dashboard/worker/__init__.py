"""The worker: the one process for background work (``python -m dashboard.worker``).

It owns every background call to Scalekit: the organization listing, the status rounds, the
watch list polled every few seconds, and the notifications; it writes what it learns into the
history, which pages read and redraw from. The Streamlit server runs no background work.
"""

from .core import Intervals, Worker
from .notify import Teller, team_channel

__all__ = ["Intervals", "Teller", "Worker", "team_channel"]
