"""Ready-to-send texts for a customer's IT admin. An invitation's texts carry its URL, so they
are built in the rep's session only, when the URL is shown, and never stored or logged; a
reminder's texts carry no URL (see ``invitations.remind``).

Every text is signed by the rep (their display name from sign-in, else their email) and says
who a reply reaches: the emails go out From the shared address with Reply-To the rep."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from .formatting import absolute, day
from .mailer import Sender, is_address
from .models import Invitation, Operator, features_text

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(text: str) -> str:
    """Control characters (line breaks above all) collapsed to a space: an organization name is
    outside text, and a line break in a mail header is refused (it would start another header)."""
    return _CONTROL.sub(" ", text)


def sender_for(operator: Operator) -> Sender:
    """Who signs: the display name the identity provider gave, else the rep's email (or the name
    Portal Desk knows them by). Replies go to the rep's email when they are known by one. Names
    come from outside, so a line break in one becomes a space rather than a header."""
    name = one_line(operator.display_name or "").strip() or one_line(operator.name or "").strip()
    address = operator.name if is_address(operator.name) else None
    return Sender(name=name or "Your account team", email=address)


def _reply(sender: Sender) -> str:
    """Who the customer's answer reaches (a Reply-To only when the rep has an address)."""
    if not sender.email:
        return f"contact {sender.name}"
    who = sender.email if sender.name == sender.email else f"{sender.name} ({sender.email})"
    return f"reply to this email: it reaches {who}"


def invitation_subject(invitation: Invitation) -> str:
    return f"Set up {features_text(invitation.features)} for {one_line(invitation.organization_name)}"


def invitation_email(invitation: Invitation, url: str, sender: Sender) -> tuple[str, str]:
    """(subject, body), stating the invitation's real expiry."""
    features = features_text(invitation.features)
    name = one_line(invitation.organization_name)
    body = (
        "Hello,\n\n"
        f"You can configure {features} for {name} yourself in the admin portal:\n\n"
        f"{url}\n\n"
        f"This invitation works until {absolute(invitation.expires_at)}; open it as often as you need "
        "until then. Each time, you will confirm with one click before the portal opens.\n\n"
        "Please keep it private: anyone who has it can view and change your organization's SSO and "
        f"directory settings. If you need a new one or have a question, {_reply(sender)}. "
        f"Its reference is {invitation.reference}.\n\n"
        f"Best regards,\n{sender.name}\n"
    )
    return invitation_subject(invitation), body


def mailto_url(invitation: Invitation, url: str, sender: Sender) -> str:
    subject, body = invitation_email(invitation, url, sender)
    recipient = quote(invitation.recipient_email or "", safe="@")
    return f"mailto:{recipient}?subject={quote(subject)}&body={quote(body)}"


def chat_message(invitation: Invitation, url: str) -> str:
    return (
        f"Here is your invitation to set up {features_text(invitation.features)} for "
        f"{one_line(invitation.organization_name)} in the admin portal: {url}\n"
        f"It works until {absolute(invitation.expires_at)}. Please don't forward it: anyone with it can "
        "change your SSO settings."
    )


def _opened(invitation: Invitation) -> str:
    if invitation.open_count:
        return "You have opened it already: open it again to finish the setup."
    return "It has not been opened yet."


def reminder_email(
    invitation: Invitation, sender: Sender, *, link_from: dt.datetime, emailed: bool
) -> tuple[str, str]:
    """(subject, body) of a reminder: it names the message that carries the link (``emailed``: the
    invitation email of ``link_from``, else the link the rep sent that day) and never the link."""
    features = features_text(invitation.features)
    name = one_line(invitation.organization_name)
    where = (
        f'the email "{invitation_subject(invitation)}" of {day(link_from)}'
        if emailed
        else f"the link {sender.name} sent you on {day(link_from)}"
    )
    body = (
        "Hello,\n\n"
        f"A reminder: you can configure {features} for {name} yourself in the admin portal, with "
        f"the invitation in {where} (reference {invitation.reference}).\n\n"
        f"It works until {absolute(invitation.expires_at)}. {_opened(invitation)}\n\n"
        "To keep it safe, this reminder does not repeat the link. If you cannot find it, "
        f"{_reply(sender)}, and you will get a new one (the old one then stops working).\n\n"
        f"Best regards,\n{sender.name}\n"
    )
    return f"Reminder: {invitation_subject(invitation)}", body


def reminder_chat(invitation: Invitation, *, link_from: dt.datetime, emailed: bool) -> str:
    """A reminder to paste into a chat with the IT admin; like the email, it carries no link."""
    where = (
        f'emailed to you on {day(link_from)}, subject "{invitation_subject(invitation)}"'
        if emailed
        else f"that I sent you on {day(link_from)}"
    )
    return (
        f"A reminder about the invitation to set up {features_text(invitation.features)} for "
        f"{one_line(invitation.organization_name)} in the admin portal ({where}; reference "
        f"{invitation.reference}). It works until {absolute(invitation.expires_at)}. "
        f"{_opened(invitation)} If you can't find it, tell me and I'll send you a new one."
    )
