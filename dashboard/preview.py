"""The embedded portal preview: which events to accept, and how to keep them.

The browser side checks that a message comes from the portal link's origin; this side checks
that what arrived is one of the documented events, about the organization being previewed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .history import History
from .models import PORTAL_EVENT_TYPES, PortalEvent

MIN_HEIGHT = 600  # Scalekit's minimum recommended iframe height
STATUS_EVENTS = frozenset(PORTAL_EVENT_TYPES) - {"PORTAL_SESSION_EXPIRY"}


def origin_of(location: str) -> str:
    """``scheme://host[:port]`` of a link: the only origin whose messages are accepted."""
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}"


def parse_event(raw: object, org_id: str, environment: str) -> PortalEvent | None:
    """A documented event about ``org_id``, or None for anything else."""
    if not isinstance(raw, Mapping):
        return None
    event_type = raw.get("event_type")
    if event_type not in PORTAL_EVENT_TYPES or raw.get("organization_id") != org_id:
        return None
    received = raw.get("received_at")
    try:
        when = dt.datetime.fromisoformat(str(received).replace("Z", "+00:00")).astimezone(dt.UTC)
    except ValueError:
        when = dt.datetime.now(dt.UTC)
    payload = {k: raw.get(k) for k in ("event_type", "object", "organization_id", "message", "data")}
    return PortalEvent(
        organization_id=org_id,
        event_type=str(event_type),
        message=str(raw.get("message") or "")[:500],
        payload=json.dumps(payload)[:10_000],
        received_at=when,
        environment=environment,
    )


def record_new_events(
    history: History, raws: Iterable[object], *, org_id: str, environment: str
) -> list[PortalEvent]:
    """Store every acceptable event; returns what was stored, in arrival order. An SSO enabled
    event is also the exact moment the stats page counts as SSO enabled for the organization."""
    stored = []
    for raw in raws:
        event = parse_event(raw, org_id, environment)
        if event is None:
            continue
        stored.append(history.events.record(event))
        if event.event_type == "ORGANIZATION_SSO_ENABLED":
            history.events.observe_sso_enabled(environment, org_id, event.received_at, "portal_event")
    return stored


def iframe_snippet(height: int) -> str:
    """What a developer pastes into their product (the src is generated on every page load)."""
    return (
        "<!-- Generate a fresh link on every page load: links are single-use. -->\n"
        f'<iframe src="{{{{ portal_link.location }}}}" width="100%" height="{max(height, MIN_HEIGHT)}"\n'
        '        frameborder="0" allow="clipboard-write"></iframe>\n'
        "<script>\n"
        "  window.addEventListener('message', (event) => {\n"
        "    if (event.origin !== PORTAL_ORIGIN) return;  // the origin of portal_link.location\n"
        "    console.log(event.data.event_type, event.data);\n"
        "  });\n"
        "</script>"
    )


SERVER_SNIPPET = """link = scalekit_client.organization.generate_portal_link(
    organization_id, features=[Feature.sso, Feature.dir_sync]
)
# render link.location as the iframe src; never cache or reuse it"""
