"""The SDK's exceptions turned into Portal Desk's, each with a sentence a rep can act on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
    TimedOut,
    Unavailable,
)


def server_message(exc: ScalekitServerException) -> str:
    text = (exc.message or "").strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else "the request was not valid"


@contextmanager
def translate(action: str, subject: str | None = None) -> Iterator[None]:
    """Turn the SDK's exceptions into Portal Desk's, each with a sentence a rep can act on."""
    try:
        yield
    except ScalekitNotFoundException as exc:
        what = subject or "What you asked for"
        raise NotFound(
            f"{what} was not found in Scalekit; it may have been deleted. Refresh the list and pick it again."
        ) from exc
    except ScalekitUnauthorizedException as exc:
        raise BadCredentials(
            f"Scalekit refused Portal Desk's credentials when trying to {action}. Check "
            "SCALEKIT_CLIENT_ID and SCALEKIT_CLIENT_SECRET, and that the API client is still active."
        ) from exc
    except ScalekitForbiddenException as exc:
        raise NotAllowed(
            f"Scalekit does not let Portal Desk's API client {action} (permission denied). Check the API "
            "client's permissions in Scalekit's dashboard."
        ) from exc
    except ScalekitNotImplementedException as exc:
        raise NotAllowed(
            f"Scalekit does not offer Portal Desk's API client a way to {action} (not implemented)."
        ) from exc
    except ScalekitTooManyRequestsException as exc:
        raise RateLimited(
            f"Scalekit is rate limiting requests, so Portal Desk could not {action}. "
            "Wait a minute and try again."
        ) from exc
    except ScalekitGatewayTimeoutException as exc:
        raise TimedOut(
            f"Scalekit did not answer in time when trying to {action}. Try again; "
            "if it keeps happening, check Scalekit's status page."
        ) from exc
    except (ScalekitBadRequestException, ScalekitConflictException) as exc:
        raise InvalidRequest(f"Scalekit refused to {action}: {server_message(exc)}.") from exc
    except ScalekitServiceUnavailableException as exc:
        raise Unavailable(
            f"Scalekit is unavailable, so Portal Desk could not {action}. Try again in a minute."
        ) from exc
    except ScalekitServerException as exc:
        raise Unavailable(
            f"Scalekit had an internal error when trying to {action}. Try again in a minute."
        ) from exc
    except ScalekitException as exc:
        # Not an answer from Scalekit: the connection itself failed (DNS, TLS, refused).
        raise Unavailable(
            f"Portal Desk could not reach Scalekit to {action}. Check the network "
            "and SCALEKIT_ENVIRONMENT_URL."
        ) from exc
