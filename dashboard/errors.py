"""Every failure a person can meet in Portal Desk, as one hierarchy under :class:`PortalDeskError`.

``str(error)`` is always a sentence that says what happened and what to do; pages show it as it
is. One failure has one type: the module that meets it (gateway, history, mailer, settings)
raises it, and nothing upstream re-raises the same sentence under another name.
"""

from __future__ import annotations


class PortalDeskError(Exception):
    """Base class; ``str(error)`` is a sentence for a customer success rep."""


class ConfigError(PortalDeskError):
    """The configuration cannot work; the message says what to change."""


class InvalidInput(PortalDeskError):
    """Something the rep typed or chose cannot work; nothing was changed."""


class NotPermitted(PortalDeskError):
    """The operator's role does not allow the action; nothing was changed."""


class ScalekitError(PortalDeskError):
    """Scalekit could not do what was asked."""


class NotFound(ScalekitError):
    pass


class BadCredentials(ScalekitError):
    """The client id/secret were refused."""


class NotAllowed(ScalekitError):
    """Scalekit refused the call to this API client (a method reserved to its own dashboard)."""


class Unavailable(ScalekitError):
    pass


class TimedOut(ScalekitError):
    pass


class RateLimited(ScalekitError):
    """Scalekit's rate limit (per environment, per minute). ``retry_after_s``: how long Scalekit
    asked callers to wait (RetryInfo or a retry-after header), None when it did not say."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class InvalidRequest(ScalekitError):
    """Scalekit refused the input (malformed, or a conflict such as a duplicate external id)."""


class StoreError(PortalDeskError):
    """The history could not be read or written."""


class StoreBusy(StoreError):
    pass


class MailError(PortalDeskError):
    """The email could not be sent; nothing was recorded as sent."""
