"""The relay: Portal Desk's small public web service that turns an invitation into a fresh
admin portal link on every open (``app.py`` the web surface, ``opening.py`` what a token meets),
with rate limits (``limits.py``) and access logs that never hold a token (``logs.py``)."""

from .app import RelayContext, create_app
from .server import EmbeddedRelay

__all__ = ["EmbeddedRelay", "RelayContext", "create_app"]
