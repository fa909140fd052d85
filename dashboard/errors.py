"""Errors a page can show as they are: each message says what happened and what to do."""

from __future__ import annotations


class PortalDeskError(Exception):
    """Base class; ``str(error)`` is a sentence for a customer success rep."""


class ScalekitError(PortalDeskError):
    """Scalekit could not do what was asked."""


class NotFound(ScalekitError):
    pass


class BadCredentials(ScalekitError):
    """The client id/secret were refused, or they lack permission for this call."""


class Unavailable(ScalekitError):
    pass


class TimedOut(ScalekitError):
    pass


class RateLimited(ScalekitError):
    pass


class InvalidRequest(ScalekitError):
    """Scalekit refused the input (malformed, or a conflict such as a duplicate external id)."""


class InvalidInput(PortalDeskError):
    """Something the rep typed or chose cannot work; nothing was changed."""
