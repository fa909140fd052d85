"""Telling reps what happened while they were not looking, through Apprise and the mailer.

Three events are told: an invitation's first open; SSO or directory sync switched on for an
organization a rep invited; an invitation about to expire unopened. Each becomes a notice per
channel (the team's ``DASHBOARD_NOTIFY_URLS``, and the rep's own email when SMTP is set and they
have not switched it off), written once in the history (its unique key), then delivered with
retries and back-off. A notice names the organization, the invitation's reference and the rep,
never a link, token or invitation URL: anyone on a team channel may read it.

Apprise (Slack, Teams, email, ``json://`` webhooks and ~100 more behind one URL scheme) is the
library for the team channel, so Portal Desk writes no client per service.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Sequence

import apprise

from ..errors import ConfigError, MailError, PortalDeskError
from ..formatting import span
from ..history import History
from ..history.notifications import NewNotice, Notice
from ..mailer import EMAIL, Mailer
from ..models import Channel, Invitation, NoticeKind, features_text

log = logging.getLogger("portal_desk.worker")

EXPIRY_NOTICE = dt.timedelta(hours=48)
FIRST_RETRY_S, LAST_RETRY_S, ATTEMPTS = 30.0, 3600.0, 8


def team_channel(urls: Sequence[str]) -> apprise.Apprise | None:
    """Apprise for DASHBOARD_NOTIFY_URLS; None when none is set. A URL Apprise cannot use is a
    ConfigError that names its position, never the URL (it may hold a webhook secret)."""
    if not urls:
        return None
    team = apprise.Apprise()
    for n, url in enumerate(urls, start=1):
        if not team.add(url):
            raise ConfigError(
                f"DASHBOARD_NOTIFY_URLS: notification URL {n} of {len(urls)} is not one Apprise knows "
                "(e.g. slack://…, msteams://…, mailto://…, json://host/path). Fix or remove it."
            )
    return team


def retry_at(attempts: int, now: dt.datetime) -> dt.datetime | None:
    """Exponential back-off with jitter, or None once the last attempt has failed."""
    if attempts + 1 >= ATTEMPTS:
        return None
    delay = min(FIRST_RETRY_S * 2**attempts, LAST_RETRY_S) * random.uniform(0.8, 1.2)
    return now + dt.timedelta(seconds=delay)


class Teller:
    def __init__(
        self,
        history: History,
        environment: str,
        *,
        team: apprise.Apprise | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.history, self.environment = history, environment
        self.team, self.mailer = team, mailer

    # -- finding -----------------------------------------------------------------------------

    def find(self, since: dt.datetime, now: dt.datetime) -> int:
        """Write a notice for every event since ``since`` (once: known ones are ignored)."""
        watching = self.history.watching
        notices: list[NewNotice] = []
        for item in watching.first_opened_since(self.environment, since):
            opened = item.first_opened_at or now
            notices += self._notices(
                f"first_open:{item.id}",
                NoticeKind.FIRST_OPEN,
                item,
                [item.issued_by],
                f"{item.organization_name} opened {item.reference}",
                f"{item.organization_name}'s IT admin opened invitation {item.reference} "
                f"({features_text(item.features)}), sent by {item.issued_by} "
                f"{span(opened - item.issued_at)} before.",
                now,
            )
        for org_id, half, provider, at in self.history.statuses.switched_on(self.environment, since):
            invited = watching.latest_per_rep(self.environment, org_id, at)
            if not invited:
                continue  # no invitation of ours behind it: not a rep's news
            what = "SSO" if half == "sso" else "Directory sync"
            latest = max(invited, key=lambda i: i.issued_at)
            how = f" ({provider})" if provider else ""
            notices += self._notices(
                f"{half}_on:{org_id}:{at.isoformat()}",
                NoticeKind.SSO_ENABLED if half == "sso" else NoticeKind.SCIM_ENABLED,
                latest,
                [i.issued_by for i in invited],
                f"{what} is live for {latest.organization_name}",
                f"{what}{how} was switched on for {latest.organization_name}, "
                f"{span(at - latest.issued_at)} after {latest.issued_by}'s invitation {latest.reference}.",
                now,
            )
        for item in watching.expiring_unopened(self.environment, now, EXPIRY_NOTICE):
            entered = max(item.issued_at, item.expires_at - EXPIRY_NOTICE)
            if entered < since:
                continue
            to = f" to {item.recipient_email}" if item.recipient_email else ""
            notices += self._notices(
                f"expiring:{item.id}:{item.expires_at.isoformat()}",
                NoticeKind.EXPIRING,
                item,
                [item.issued_by],
                f"{item.reference} for {item.organization_name} expires in {span(item.expires_at - now)}",
                f"Invitation {item.reference} for {item.organization_name}, sent by {item.issued_by}{to}, "
                f"has not been opened and expires in {span(item.expires_at - now)}. Extend it or send "
                "a reminder from Share link.",
                now,
            )
        return self.history.notifications.add(notices)

    def _notices(
        self,
        key: str,
        kind: NoticeKind,
        item: Invitation,
        reps: Sequence[str],
        title: str,
        body: str,
        now: dt.datetime,
    ) -> list[NewNotice]:
        def notice(channel: Channel, recipient: str) -> NewNotice:
            return NewNotice(
                environment=self.environment,
                event_key=key,
                channel=channel,
                recipient=recipient,
                kind=kind,
                title=title[:255],
                body=body,
                created_at=now,
                organization_id=item.organization_id,
                organization_name=item.organization_name,
                invitation_id=item.id,
            )

        made = [notice(Channel.TEAM, "")]
        if self.mailer is not None:
            quiet = self.history.notifications.quiet()
            made += [
                notice(Channel.EMAIL, rep)
                for rep in dict.fromkeys(reps)
                if EMAIL.match(rep) and rep not in quiet
            ]
        return made

    # -- delivering --------------------------------------------------------------------------

    def deliver(self, now: dt.datetime) -> int:
        """Send what is due; returns how many went out."""
        sent = 0
        for notice in self.history.notifications.due(self.environment, now):
            if notice.channel == Channel.TEAM and self.team is None:
                self.history.notifications.skip(
                    notice.id, "No team channel: DASHBOARD_NOTIFY_URLS is not set."
                )
                continue
            error = self._send(notice)
            if error is None:
                self.history.notifications.sent(notice.id, now)
                sent += 1
            else:
                self.history.notifications.retry(notice.id, error, retry_at(notice.attempts, now))
        return sent

    def _send(self, notice: Notice) -> str | None:
        """None when the channel took it, else why not (kept on the notice, shown to managers)."""
        if notice.channel == Channel.TEAM and self.team is not None:
            try:
                ok = bool(self.team.notify(title=notice.title, body=notice.body))
            except Exception as exc:  # a plugin's own failure: retried later, never fatal
                log.warning("A team notification failed: %s", type(exc).__name__)
                ok = False
            return None if ok else "The notification service did not accept it (see the worker's log)."
        if self.mailer is None:
            return "No mail server: set DASHBOARD_SMTP_URL to email reps."
        try:
            self.mailer.send(notice.recipient, f"Portal Desk: {notice.title}", notice.body + _FOOTER)
        except MailError as error:
            return str(error)
        except PortalDeskError as error:
            return str(error)
        return None


_FOOTER = "\n\nYou get these because you sent the invitation. Switch them off in Portal Desk's sidebar.\n"
