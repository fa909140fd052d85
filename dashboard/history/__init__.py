"""The history database: links minted, invitations, portal events and SSO observations.

:class:`History` is the only door: it holds the engine; nothing outside this package imports
SQLAlchemy or touches the database.
"""

from .invitations import NewInvitation
from .links import NewLink
from .store import History, fingerprint

__all__ = ["History", "NewInvitation", "NewLink", "fingerprint"]
