"""The control API over HTTP: ``/_emulator/...`` on the portal port.

Every request must carry ``Authorization: Bearer <SCALEKIT_EMULATOR_CONTROL_TOKEN>``, and bodies
must be JSON (``Content-Type: application/json``). A web page can therefore not drive it: a
cross-site form or ``text/plain`` POST carries neither, and a custom header needs a CORS
preflight that this server never grants.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..control import Control
from ..faults import Fault
from .base import BaseHandler

PREFIX = "/_emulator/"


def _authorized(handler: BaseHandler, control: Control) -> bool:
    given = (handler.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), control.token.encode())


def handle_control(handler: BaseHandler, control: Control, method: str) -> None:
    """Answer one control request; ``method`` is the HTTP verb."""
    parts = urlsplit(handler.path)
    action = parts.path.removeprefix(PREFIX)
    if not _authorized(handler, control):
        return handler._json(401, {"error": "the control API needs Authorization: Bearer <control token>"})
    payload: dict[str, Any] = {}
    if method == "POST":
        if (handler.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            return handler._json(415, {"error": "the control API takes application/json bodies only"})
        try:
            payload = json.loads(handler._body() or b"{}")
        except ValueError:
            return handler._json(400, {"error": "body must be JSON"})
        if not isinstance(payload, dict):
            return handler._json(400, {"error": "body must be a JSON object"})
    try:
        answer = _dispatch(control, method, action, payload, parse_qs(parts.query))
    except (KeyError, ValueError, TypeError) as exc:
        return handler._json(400, {"error": f"bad request: {exc}"})
    if answer is None:
        return handler._json(404, {"error": "not_found"})
    handler._json(200, answer)


def _dispatch(
    control: Control, method: str, action: str, payload: dict[str, Any], query: dict[str, list[str]]
) -> dict[str, Any] | None:
    if (method, action) == ("GET", "status"):
        return control.status()
    if (method, action) == ("POST", "reset"):
        control.reset()
        return control.status()
    if (method, action) == ("POST", "tokens/expire"):
        control.expire_tokens()
        return {"expired": True}
    if (method, action) == ("POST", "tokens/workspace"):
        return {"access_token": control.workspace_token()}
    if (method, action) == ("POST", "faults"):
        control.inject_fault(
            Fault(
                method=str(payload["method"]),
                code=payload.get("code"),
                delay_seconds=float(payload.get("delay", 0)),
                times=payload.get("times"),
            )
        )
        return control.status()
    if (method, action) == ("DELETE", "faults"):
        control.clear_faults(query.get("method", [None])[0])
        return control.status()
    if (method, action) == ("POST", "clock"):
        control.advance_clock(float(payload["advance"]))
        return control.status()
    if (method, action) == ("POST", "latency"):
        control.set_latency(float(payload["ms"]))
        return control.status()
    if (method, action) == ("GET", "readings"):
        return {"readings": control.readings()}
    if (method, action) == ("POST", "readings"):
        control.set_readings([str(name) for name in payload["readings"]])
        return control.status()
    if (method, action) == ("GET", "origins"):
        return {"allowed_origins": control.status()["allowed_origins"]}
    if (method, action) == ("POST", "origins"):
        control.allow_origin(str(payload["origin"]))
        return {"allowed_origins": control.status()["allowed_origins"]}
    if (method, action) == ("DELETE", "origins"):
        control.forget_origins()
        return {"allowed_origins": []}
    if (method, action) == ("POST", "session-warning"):
        control.set_session_warning(float(payload["seconds"]))
        return control.status()
    if (method, action) == ("POST", "dns"):
        control.publish_txt(str(payload["name"]), str(payload["value"]))
        return {"published": True}
    return None
