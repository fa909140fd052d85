"""Ready-to-send texts for a customer's IT admin. They carry an invitation's URL, so they are
built in the rep's session only, when the URL is shown, and never stored or logged."""

from __future__ import annotations

import re
from urllib.parse import quote

from .formatting import absolute
from .models import Invitation, features_text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Control characters (line breaks above all) collapsed to a space: an organization name is
    outside text, and a line break in a mail header is refused (it would start another header)."""
    return _CONTROL.sub(" ", text)


def invitation_email(invitation: Invitation, url: str, sender_name: str) -> tuple[str, str]:
    """(subject, body), stating the invitation's real expiry."""
    features = features_text(invitation.features)
    name = one_line(invitation.organization_name)
    subject = f"Set up {features} for {name}"
    body = (
        "Hello,\n\n"
        f"You can configure {features} for {name} yourself in the admin portal:\n\n"
        f"{url}\n\n"
        f"This invitation works until {absolute(invitation.expires_at)}; open it as often as you need "
        "until then. Each time, you will confirm with one click before the portal opens.\n\n"
        "Please keep it private: anyone who has it can view and change your organization's SSO and "
        "directory settings. Reply to this email if you need a new one "
        f"(reference {invitation.reference}).\n\n"
        f"Best regards,\n{one_line(sender_name)}\n"
    )
    return subject, body


def mailto_url(invitation: Invitation, url: str, sender_name: str) -> str:
    subject, body = invitation_email(invitation, url, sender_name)
    recipient = quote(invitation.recipient_email or "", safe="@")
    return f"mailto:{recipient}?subject={quote(subject)}&body={quote(body)}"


def chat_message(invitation: Invitation, url: str) -> str:
    return (
        f"Here is your invitation to set up {features_text(invitation.features)} for "
        f"{one_line(invitation.organization_name)} in the admin portal: {url}\n"
        f"It works until {absolute(invitation.expires_at)}. Please don't forward it: anyone with it can "
        "change your SSO settings."
    )
