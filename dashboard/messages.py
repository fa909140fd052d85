"""Ready-to-send messages for a customer's IT admin. Built in the browser session only: they
carry the link, so they are never stored or logged."""

from __future__ import annotations

from urllib.parse import quote

from .formatting import absolute
from .links import IssuedLink
from .models import FEATURE_LABELS


def _features(issued: IssuedLink) -> str:
    return " and ".join(FEATURE_LABELS[f] for f in issued.issuance.features)


def email_subject(issued: IssuedLink) -> str:
    return f"Set up {_features(issued)} for {issued.issuance.organization_name}"


def email_body(issued: IssuedLink) -> str:
    expiry = absolute(issued.link.expires_at)
    return (
        "Hello,\n\n"
        f"Here is your admin portal link to configure {_features(issued)} for "
        f"{issued.issuance.organization_name}:\n\n{issued.link.location}\n\n"
        f"The link works until {expiry}. Please keep it private: anyone who has it can view and "
        "change your organization's SSO and directory settings. Reply to this email if you need "
        "a new one.\n\n"
        f"Best regards,\n{issued.issuance.issued_by}\n"
    )


def mailto_url(issued: IssuedLink) -> str:
    recipient = quote(issued.issuance.recipient_email or "", safe="@")
    return f"mailto:{recipient}?subject={quote(email_subject(issued))}&body={quote(email_body(issued))}"


def chat_message(issued: IssuedLink) -> str:
    return (
        f"Here is the admin portal link to set up {_features(issued)} for "
        f"{issued.issuance.organization_name}: {issued.link.location}\n"
        f"It works until {absolute(issued.link.expires_at)}. Please don't forward it: anyone "
        "with the link can change your SSO settings."
    )
