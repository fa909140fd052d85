"""The relay's pages: what a customer's IT admin sees. Every value is escaped; no script runs."""

from __future__ import annotations

import datetime as dt
from html import escape

from starlette.responses import HTMLResponse

from ..formatting import absolute
from ..models import features_text
from .opening import Opened

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>
 body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2430;
        background: #f6f7fb; }}
 header {{ background: #fff; border-bottom: 1px solid #e3e6ef; padding: 16px 28px; font-weight: 600; }}
 main {{ max-width: 620px; margin: 48px auto; padding: 0 24px; }}
 .card {{ background: #fff; border: 1px solid #e3e6ef; border-radius: 12px; padding: 28px 32px; }}
 h1 {{ font-size: 1.4rem; margin-top: 0; }}
 .muted {{ color: #687083; }}
 button {{ font: inherit; font-weight: 600; padding: 12px 20px; border-radius: 8px; border: 0;
          background: #2f6fed; color: #fff; cursor: pointer; }}
</style></head>
<body><header>{brand}</header><main><div class="card">{body}</div></main></body></html>
"""

# A padlock: the tab of an invitation reads as a sign-in step, not a stray page (served at /favicon.ico).
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" '
    'fill="#2f6fed"/><path d="M11 14v-3a5 5 0 0 1 10 0v3" fill="none" stroke="#fff" stroke-width="2.5"/>'
    '<rect x="8" y="14" width="16" height="11" rx="2" fill="#fff"/></svg>'
)


def page(title: str, body_html: str, brand: str) -> str:
    """``body_html`` is built here from escaped values only."""
    return _PAGE.format(title=escape(title), body=body_html, brand=escape(brand))


def interstitial(seen: Opened, brand: str, now: dt.datetime) -> str:
    """The page a GET shows: nothing is minted until the button's POST (scanners only GET). When
    the organization has switched some of the invitation's features off since, it says which part
    will open."""
    invitation = seen.invitation
    assert invitation is not None
    features = seen.features or invitation.features
    narrower = (
        f"<p><strong>Only {escape(features_text(features))} will open</strong>: {escape(seen.detail)} "
        "was switched off for your organization after this invitation was sent.</p>"
        if seen.detail
        else ""
    )
    body = (
        f"<h1>Set up {escape(features_text(features))} for "
        f"{escape(invitation.organization_name)}</h1>"
        "<p>You have been invited to configure your organization's single sign-on and directory sync "
        "in the admin portal.</p>"
        f"{narrower}"
        '<form method="post"><button type="submit">Open the admin portal</button></form>'
        f"<p class='muted'>This invitation works until {escape(absolute(invitation.expires_at))}. "
        "Each open starts a new secure session. Keep this link private: anyone who has it can change "
        "your organization's SSO settings.</p>"
    )
    return page("Admin portal invitation", body, brand)


def problem(title: str, text: str, support: str, brand: str) -> str:
    """Unknown, expired, revoked, unavailable: never names the organization."""
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(text)}</p>"
        f"<p class='muted'>Need help? Contact {escape(support)}.</p>"
    )
    return page(title, body, brand)


# (status, title, text) per outcome of an open.
OUTCOME_PAGES = {
    "unknown": (404, "This invitation link is not valid", "Check that you copied the whole link."),
    "replaced": (
        410,
        "This invitation link was replaced by a newer one",
        "A newer link to the same invitation was sent after this one. Open the newest link you "
        "received, or ask for a new invitation.",
    ),
    "expired": (410, "This invitation has expired", "Ask for a new invitation to continue."),
    "revoked": (410, "This invitation is no longer valid", "It was withdrawn. Ask for a new invitation."),
    "organization_gone": (
        410,
        "This admin portal is no longer available",
        "The organization this invitation was for no longer exists.",
    ),
    "feature_off": (
        409,
        "This part of the admin portal is switched off",
        "{detail} is no longer enabled for your organization, so the portal cannot open for this invitation.",
    ),
    "unavailable": (
        503,
        "The admin portal could not be opened",
        "Something went wrong on our side. Try again in a minute; your invitation still works.",
    ),
    "rate_limited": (429, "Too many attempts", "Wait a few minutes, then open your invitation again."),
    "not_allowed": (405, "This address only opens invitations", "Open your invitation link as it was sent."),
    "error": (
        500,
        "The admin portal could not be opened",
        "Something went wrong on our side. Try again in a minute. If it keeps happening, quote "
        "reference {detail}.",
    ),
}


def outcome_page(outcome: str, support: str, brand: str, detail: str = "") -> HTMLResponse:
    """The page for an outcome that is not a portal (never names the organization)."""
    status, title, text = OUTCOME_PAGES[outcome]
    return HTMLResponse(problem(title, text.format(detail=detail or "A feature"), support, brand), status)
