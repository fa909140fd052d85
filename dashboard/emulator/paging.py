"""Page tokens as Scalekit hands them out: opaque, and only valid for the query that made them."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from .errors import invalid

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Window:
    ids: list[str]
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


def paginate(ids: list[str], page_size: int, page_token: str, scope: str) -> Window:
    """One page of ``ids``; ``scope`` names the query, so a token can't be replayed on another."""
    if page_size < 0:
        raise invalid("page_size must not be negative")
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    start = _decode(page_token, scope) if page_token else 0
    chunk = ids[start : start + size]
    end = start + len(chunk)
    return Window(
        ids=chunk,
        next_page_token=_encode(end, scope) if end < len(ids) else "",
        prev_page_token=_encode(max(0, start - size), scope) if start > 0 else "",
        total_size=len(ids),
    )
