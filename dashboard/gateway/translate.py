"""The SDK's exceptions turned into Portal Desk's, each with a sentence a rep can act on."""

from __future__ import annotations

import math
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from google.rpc import error_details_pb2
from grpc import RpcError, StatusCode
from scalekit.common.exceptions import (
    ScalekitBadRequestException,
    ScalekitConflictException,
    ScalekitException,
    ScalekitForbiddenException,
    ScalekitGatewayTimeoutException,
    ScalekitNotFoundException,
    ScalekitNotImplementedException,
    ScalekitServerException,
    ScalekitServiceUnavailableException,
    ScalekitTooManyRequestsException,
    ScalekitUnauthorizedException,
)

from ..errors import (
    BadCredentials,
    InvalidRequest,
    NotAllowed,
    NotFound,
    RateLimited,
    ScalekitError,
    TimedOut,
    Unavailable,
)

# BoringSSL (gRPC) and OpenSSL (requests) both name a refused certificate chain this way.
_VERIFY_FAILED = "CERTIFICATE_VERIFY_FAILED"
# A permission as SDK 2.21's descriptors name them (auth_option.permissions): portal_links:manage,
# organizations:read, sso:read, scim:write.
_PERMISSION = re.compile(r"\b[a-z][a-z_]*:(?:read|write|manage|[a-z_]+)\b")


def server_message(exc: ScalekitServerException) -> str:
    text = (exc.message or "").strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else "the request was not valid"


def _causes(exc: BaseException) -> Iterator[object]:
    """The exception and everything it wraps: requests nests the ssl error in urllib3's
    MaxRetryError (``reason``) inside its own SSLError, inside the SDK's ScalekitException."""
    seen: set[int] = set()
    todo: list[object] = [exc]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, BaseException):
            todo.extend(item.args)
            todo.extend(x for x in (item.__cause__, item.__context__, getattr(item, "reason", None)) if x)


def untrusted_certificate(exc: ScalekitException) -> bool:
    """Whether a TLS handshake failed because Scalekit's certificate chain is not trusted: the
    token request's ssl error (requests), or gRPC's UNAVAILABLE whose detail names the check.
    Any other handshake failure (a plain-http server, a protocol mismatch) is not this."""
    if isinstance(exc, ScalekitServerException):
        return exc.grpc_status == StatusCode.UNAVAILABLE and _VERIFY_FAILED in (exc.message or "")
    return any(isinstance(item, ssl.SSLCertVerificationError) for item in _causes(exc))


def retry_after(exc: ScalekitServerException) -> float | None:
    """The wait Scalekit asked for on a rate limit: the status's RetryInfo, else a retry-after
    header (seconds) in the trailing metadata; None when it said neither."""
    for detail in exc.err_details or ():
        if hasattr(detail, "Is") and detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            info = error_details_pb2.RetryInfo()
            detail.Unpack(info)
            seconds: float = info.retry_delay.seconds + info.retry_delay.nanos / 1e9
            if seconds > 0:
                return seconds
    error = exc.args[0] if exc.args else None
    trailers = error.trailing_metadata() if isinstance(error, RpcError) else None
    for key, value in trailers or ():
        if key.lower() == "retry-after":
            try:
                seconds = float(value)
            except ValueError:
                return None
            return seconds if math.isfinite(seconds) and seconds > 0 else None
    return None


def busy(action: str, retry_after_s: float | None) -> str:
    """What a rep reads on a rate limit: when to try again, not an error code."""
    when = f"in {math.ceil(retry_after_s)} seconds" if retry_after_s else "in a minute"
    return (
        f"Scalekit is busy: try again {when}. It is rate limiting requests, so Portal Desk could "
        f"not {action}."
    )


def missing_permission(exc: ScalekitServerException) -> str | None:
    """The permission a refusal names (``portal_links:manage``…), if it names one."""
    found = _PERMISSION.search(exc.message or "")
    return found.group(0) if found else None


def _sentence(exc: ScalekitException, action: str, subject: str | None, host: str | None) -> ScalekitError:
    if untrusted_certificate(exc):
        where = f" at {host}" if host else ""
        return Unavailable(
            f"Portal Desk does not trust Scalekit's TLS certificate{where}. If you use a private CA "
            "(the emulator, a proxy), set SCALEKIT_CA_BUNDLE to its bundle."
        )
    if isinstance(exc, ScalekitNotFoundException):
        what = subject or "What you asked for"
        return NotFound(
            f"{what} was not found in Scalekit; it may have been deleted. Refresh the list and pick it again."
        )
    if isinstance(exc, ScalekitUnauthorizedException):
        return BadCredentials(
            f"Scalekit refused Portal Desk's credentials when trying to {action}. Check "
            "SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET, and that the API client is still active."
        )
    if isinstance(exc, ScalekitForbiddenException):
        permission = missing_permission(exc)
        if permission:
            return NotAllowed(
                f"Portal Desk's API client lacks the permission {permission} in Scalekit: an admin can "
                f"grant it to the API client in Scalekit's dashboard (API Config), so that Portal Desk "
                f"can {action}."
            )
        return NotAllowed(
            f"Scalekit does not let Portal Desk's API client {action} (permission denied). Check the API "
            "client's permissions in Scalekit's dashboard."
        )
    if isinstance(exc, ScalekitNotImplementedException):
        return NotAllowed(
            f"Scalekit does not offer Portal Desk's API client a way to {action} (not implemented)."
        )
    if isinstance(exc, ScalekitTooManyRequestsException):
        wait = retry_after(exc)
        return RateLimited(busy(action, wait), retry_after_s=wait)
    if isinstance(exc, ScalekitGatewayTimeoutException):
        return TimedOut(
            f"Scalekit did not answer in time when trying to {action}. Try again; "
            "if it keeps happening, check Scalekit's status page."
        )
    if isinstance(exc, ScalekitBadRequestException | ScalekitConflictException):
        return InvalidRequest(f"Scalekit refused to {action}: {server_message(exc)}.")
    if isinstance(exc, ScalekitServiceUnavailableException):
        return Unavailable(
            f"Scalekit is unavailable, so Portal Desk could not {action}. Try again in a minute."
        )
    if isinstance(exc, ScalekitServerException):
        return Unavailable(f"Scalekit had an internal error when trying to {action}. Try again in a minute.")
    # Not an answer from Scalekit: the connection itself failed (DNS, refused, a broken TLS).
    return Unavailable(
        f"Portal Desk could not reach Scalekit to {action}. Check the network and SCALEKIT_ENVIRONMENT_URL."
    )


@contextmanager
def translate(action: str, subject: str | None = None, host: str | None = None) -> Iterator[None]:
    """Turn the SDK's exceptions into Portal Desk's, each with a sentence a rep can act on.
    ``host`` is Scalekit's address, for the sentences that name it (an untrusted certificate)."""
    try:
        yield
    except ScalekitException as exc:
        raise _sentence(exc, action, subject, host) from exc
