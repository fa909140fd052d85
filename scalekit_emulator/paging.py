"""Page tokens as Scalekit hands them out: opaque, and only valid for the query that made them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from .errors import invalid

DEFAULT_PAGE_SIZE = 10


@dataclass(frozen=True)
class Window:
    start: int
    stop: int
    next_page_token: str
    prev_page_token: str
    total_size: int


def _encode(offset: int, scope: str) -> str:
    raw = json.dumps({"o": offset, "s": scope}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, scope: str) -> int:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        offset = int(data["o"])
    except (ValueError, KeyError, TypeError) as exc:
        raise invalid("page_token is malformed") from exc
    if data.get("s") != scope or offset < 0:
        raise invalid("page_token does not belong to this query")
    return offset


def paginate(total: int, page_size: int, page_token: str, scope: str, max_size: int = 100) -> Window:
    """The window of a listing of ``total`` items that this request asks for.

    A page size of 0 means the default; one above the method's maximum is clamped to it, where the
    method's own validation rules do not refuse it first.
    """
    if page_size < 0:
        raise invalid("page_size must not be negative")
    size = min(page_size or DEFAULT_PAGE_SIZE, max_size)
    start = _decode(page_token, scope) if page_token else 0
    stop = min(start + size, total)
    return Window(
        start=start,
        stop=max(start, stop),
        next_page_token=_encode(stop, scope) if stop < total else "",
        prev_page_token=_encode(max(0, start - size), scope) if start > 0 else "",
        total_size=total,
    )
