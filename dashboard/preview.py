"""The embedded portal preview: which events to accept, and how to keep them.

The browser side checks that a message comes from the portal link's origin; this side checks
that what arrived is one of the eight documented events, about the organization being previewed.
A load failure carries no organization id in the docs' payload: coming from this preview's link
origin, into this preview session, it is about the organization previewed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from limits import RateLimitItemPerSecond

from .history import History
from .history.events import PREVIEW
from .models import PORTAL_EVENT_TYPES, PortalEvent, PortalEventType, PortalLink
from .ratelimits import Windows

MIN_HEIGHT = 600  # Scalekit's minimum recommended iframe height
# Events that change the organization's SSO or directory status (the page refetches it).
STATUS_EVENTS = frozenset(t for t in PORTAL_EVENT_TYPES if t.startswith("ORGANIZATION_"))
# Events after which the frame shows no working portal: the page offers a new session.
ENDING_EVENTS = frozenset({PortalEventType.PORTAL_SESSION_EXPIRY, PortalEventType.PORTAL_LOAD_FAILURE})
# The docs' payload of these has no organization_id.
WITHOUT_ORGANIZATION = frozenset({PortalEventType.PORTAL_LOAD_FAILURE})


def origin_of(location: str) -> str:
    """``scheme://host[:port]`` of a link: the only origin whose messages are accepted."""
    parts = urlsplit(location)
    return f"{parts.scheme}://{parts.netloc}"


MESSAGE_MAX = 500
OBJECT_MAX = 32
DATA_KEYS_MAX, DATA_KEY_MAX, DATA_VALUE_MAX = 12, 40, 200
Scalar = str | bool | int | float | None


def _scalar(value: object) -> tuple[bool, Scalar]:
    """(kept, value): strings cut, finite numbers and booleans kept, anything else refused."""
    if value is None or isinstance(value, bool | int):
        return True, value
    if isinstance(value, float):
        return math.isfinite(value), value
    if isinstance(value, str):
        return True, value[:DATA_VALUE_MAX]
    return False, None


def _data(value: object) -> dict[str, Scalar]:
    """The event's ``data``, flat and bounded: a few short keys with scalar values."""
    if not isinstance(value, Mapping):
        return {}
    kept: dict[str, Scalar] = {}
    for key, item in list(value.items())[:DATA_KEYS_MAX]:
        ok, scalar = _scalar(item)
        if ok and isinstance(key, str) and 0 < len(key) <= DATA_KEY_MAX:
            kept[key] = scalar
    return kept


def parse_event(
    raw: object, org_id: str, environment: str, now: dt.datetime | None = None
) -> PortalEvent | None:
    """A documented event about ``org_id``, validated and bounded, or None for anything else.

    What is kept is always valid JSON of a few kilobytes at most, whatever arrived: a stored
    event can never break a page. The time is the dashboard's, not the browser's.
    """
    if not isinstance(raw, Mapping):
        return None
    event_type = raw.get("event_type")
    if event_type not in PORTAL_EVENT_TYPES:
        return None
    about = raw.get("organization_id")
    if about != org_id and not (about is None and event_type in WITHOUT_ORGANIZATION):
        return None
    kind = raw.get("object")
    message = raw.get("message")
    payload = {
        "event_type": event_type,
        "object": kind if isinstance(kind, str) and len(kind) <= OBJECT_MAX else None,
        "organization_id": org_id,
        "message": message[:MESSAGE_MAX] if isinstance(message, str) else "",
        "data": _data(raw.get("data")),
    }
    return PortalEvent(
        organization_id=org_id,
        event_type=PortalEventType(event_type),
        message=str(payload["message"]),
        payload=json.dumps(payload, allow_nan=False),
        received_at=now or dt.datetime.now(dt.UTC),
        environment=environment,
    )


@functools.cache
def _budgets() -> Windows:
    """One set of windows for every preview of this process (made on the first event, not at
    import): a key per preview session, dropped once its window is empty."""
    return Windows()


@dataclass
class EventBudget:
    """How many events one preview session may store: a portal posting hundreds a second is not a
    person clicking, and must not fill the history."""

    limit: int = 30
    per_s: int = 60
    dropped: int = 0
    key: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)

    def allow(self) -> bool:
        """Count one event: False (one more dropped) past ``limit`` in the last ``per_s`` seconds."""
        if _budgets().hit(RateLimitItemPerSecond(self.limit, self.per_s, namespace="PREVIEW"), self.key):
            self.dropped += 1
            return False
        return True


def record_new_events(
    history: History,
    raws: Iterable[object],
    *,
    org_id: str,
    environment: str,
    actor: str,
    budget: EventBudget | None = None,
) -> list[PortalEvent]:
    """Store every acceptable event within the session's budget, as ``actor``'s doing; returns
    what was stored, in arrival order.

    The preview is the customer's live portal, but the clicks in it are the rep's: SSO enabled
    there is recorded as a preview sighting, which the stats never count as the customer's
    conversion; switched off again, the sighting is forgotten."""
    budget = budget or EventBudget()
    stored = []
    for raw in raws:
        event = parse_event(raw, org_id, environment)
        if event is None or not budget.allow():
            continue
        stored.append(history.events.record(dataclasses.replace(event, actor=actor)))
        if event.event_type == PortalEventType.ORGANIZATION_SSO_ENABLED:
            history.events.observe_sso_enabled(environment, org_id, event.received_at, PREVIEW)
        elif event.event_type == PortalEventType.ORGANIZATION_SSO_DISABLED:
            history.events.forget_preview_sighting(environment, org_id)
    return stored


@dataclass
class PreviewSession:
    """One preview: its link (a credential: kept in this browser session's memory only, and
    dropped when the rep leaves the page), the events it stored, and its budget."""

    key: tuple[str, tuple[str, ...]]  # (organization id, features)
    link: PortalLink
    last_seq: int = 0
    budget: EventBudget = field(default_factory=EventBudget)
    events: list[PortalEvent] = field(default_factory=list)  # stored ones, oldest first (last 50)

    def take(
        self, raws: Iterable[object], history: History, *, org_id: str, environment: str, actor: str
    ) -> list[PortalEvent]:
        """Store the events not seen yet (by the component's sequence numbers); returns them."""
        fresh = [
            r
            for r in raws
            if isinstance(r, Mapping) and isinstance(r.get("seq"), int) and r["seq"] > self.last_seq
        ]
        if not fresh:
            return []
        self.last_seq = max(r["seq"] for r in fresh)
        stored = record_new_events(
            history, fresh, org_id=org_id, environment=environment, actor=actor, budget=self.budget
        )
        self.events = (self.events + stored)[-50:]
        return stored

    @property
    def expired(self) -> bool:
        return self.ended is not None

    @property
    def ended(self) -> str | None:
        """Why the frame shows no working portal any more, as a sentence; None while it works."""
        last = next((e for e in reversed(self.events) if e.event_type in ENDING_EVENTS), None)
        if last is None:
            return None
        if last.event_type == PortalEventType.PORTAL_SESSION_EXPIRY:
            return "The portal session has expired."
        code = json.loads(last.payload).get("data", {}).get("error_code")
        why = {
            "SESSION_EXPIRED": "its single-use link was already used, or expired before it loaded",
            "INVALID_LINK": "Scalekit did not recognise its link",
        }.get(str(code), "Scalekit reported a load failure")
        return f"The portal did not load: {why}" + (f" ({str(code)[:40]})." if code else ".")


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
