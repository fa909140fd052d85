"""The database's current shape, as table objects for queries (SQLAlchemy Core).

Only the history package imports this. Alembic's revisions (``migrations/versions``) build the
tables and never import these objects, so a revision keeps meaning what it meant when written.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out; stored naive (ISO text in SQLite), which
    keeps SQL date functions and index range scans working on the raw column."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware UTC datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


metadata = sa.MetaData()

# One row per link Portal Desk asked Scalekit for. Written as "pending" before the call and
# completed after it, so no link can exist that the history does not know about.
link_issuance = sa.Table(
    "link_issuance",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    # Scalekit's id for the link: kept only while the link can still be opened (to revoke it).
    sa.Column("link_id", sa.String(64)),
    sa.Column("organization_id", sa.String(64), nullable=False),
    sa.Column("organization_name", sa.String(255), nullable=False),
    sa.Column("features", sa.String(32), nullable=False),  # "sso", "dir_sync" or "sso,dir_sync"
    sa.Column("kind", sa.String(16), nullable=False),  # LINK_KINDS
    sa.Column("issued_by", sa.String(255), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("revoked_by", sa.String(255)),
    sa.Column("recipient_email", sa.String(254)),
    sa.Column("note", sa.String(500)),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("link_fingerprint", sa.String(64)),  # SHA-256 of the location; null until minted
    sa.Column("invitation_id", sa.Integer),  # the invitation whose open minted it
    sa.Column("state", sa.String(16), nullable=False),  # MINT_STATES
)

# An invitation: the durable way in for a customer's IT admin. Its token is shown once and only
# its SHA-256 is kept; every open of it on the relay mints a fresh one-minute portal link.
invitation = sa.Table(
    "invitation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("reference", sa.String(16)),  # "INV-000123": names it on screen, grants nothing
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("organization_id", sa.String(64), nullable=False),
    sa.Column("organization_name", sa.String(255), nullable=False),
    sa.Column("features", sa.String(32), nullable=False),
    sa.Column("issued_by", sa.String(255), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("revoked_by", sa.String(255)),
    sa.Column("recipient_email", sa.String(254)),
    sa.Column("note", sa.String(500)),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("first_opened_at", UTCDateTime),
    sa.Column("last_opened_at", UTCDateTime),
    sa.Column("open_count", sa.Integer, nullable=False),
    # "Send a reminder": how many, the last one's time and sender (each is in the activity log too).
    sa.Column("reminder_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_reminded_at", UTCDateTime),
    sa.Column("last_reminded_by", sa.String(255)),
)

# The SHA-256 of a token an invitation had before "Resend with a new link" replaced it, so the
# old URL can say it was replaced rather than "not valid". Never the token itself.
replaced_token = sa.Table(
    "replaced_token",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("invitation_id", sa.Integer, nullable=False),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("replaced_at", UTCDateTime, nullable=False),
)

portal_event = sa.Table(
    "portal_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("organization_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("received_at", UTCDateTime, nullable=False),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("actor", sa.String(255)),  # the rep whose preview session it came from
)

# One row per action a person took in Portal Desk; details never hold a secret.
activity = sa.Table(
    "activity",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("organization_id", sa.String(64)),
    sa.Column("organization_name", sa.String(255)),
    sa.Column("details", sa.Text, nullable=False),
)

# The last known SSO/SCIM status of each organization, so the Organizations page draws every
# status at once on any visit, restarts included, and refreshes in the background.
org_status = sa.Table(
    "org_status",
    metadata,
    sa.Column("environment", sa.String(255), primary_key=True),
    sa.Column("organization_id", sa.String(64), primary_key=True),
    sa.Column("sso", sa.String(16), nullable=False),
    sa.Column("sso_provider", sa.String(64)),
    sa.Column("scim", sa.String(16), nullable=False),
    sa.Column("scim_users", sa.Integer),
    sa.Column("fetched_at", UTCDateTime, nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=False),  # when sso, provider or scim last changed
    # When each half last changed state; null until a change is seen (a first sighting is no switch).
    sa.Column("sso_changed_at", UTCDateTime),
    sa.Column("scim_changed_at", UTCDateTime),
)

# The last listing of every organization, in Scalekit's order: a restart draws the table at once.
organization_listing = sa.Table(
    "organization_listing",
    metadata,
    sa.Column("environment", sa.String(255), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("external_id", sa.String(255)),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("created_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime),
    sa.Column("sso_feature", sa.Boolean, nullable=False),
    sa.Column("dir_sync_feature", sa.Boolean, nullable=False),
    sa.Column("metadata", sa.Text, nullable=False),  # JSON object
    sa.Column("listed_at", UTCDateTime, nullable=False),
)

# Who looks after each organization, when someone set it (migration 0007). No row: nobody did, and
# pages show the rep of its last invitation. Changes are in the activity log too.
organization_owner = sa.Table(
    "organization_owner",
    metadata,
    sa.Column("environment", sa.String(255), primary_key=True),
    sa.Column("organization_id", sa.String(64), primary_key=True),
    sa.Column("owner", sa.String(255), nullable=False),
    sa.Column("set_by", sa.String(255), nullable=False),
    sa.Column("set_at", UTCDateTime, nullable=False),
)

# When each person last looked at the Organizations page: what changed since is marked for them.
status_visit = sa.Table(
    "status_visit",
    metadata,
    sa.Column("environment", sa.String(255), primary_key=True),
    sa.Column("actor", sa.String(255), primary_key=True),
    sa.Column("seen_at", UTCDateTime, nullable=False),
)

sso_observation = sa.Table(
    "sso_observation",
    metadata,
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("organization_id", sa.String(64), nullable=False),
    sa.Column("enabled_at", UTCDateTime, nullable=False),
    sa.Column("source", sa.String(32), nullable=False),
)

# One row per environment: the worker holding it (a lease it renews) sweeps that environment, and
# what pages say about the background work (when it last listed, last refreshed the statuses).
sweeper = sa.Table(
    "sweeper",
    metadata,
    sa.Column("environment", sa.String(255), primary_key=True),
    sa.Column("holder", sa.String(128), nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("heartbeat_at", UTCDateTime, nullable=False),
    sa.Column("listed_at", UTCDateTime),
    sa.Column("round_started_at", UTCDateTime),
    sa.Column("round_finished_at", UTCDateTime),
    sa.Column("problem", sa.String(500)),
    sa.Column("refresh_requested_at", UTCDateTime),  # Refresh pressed on a page
    sa.Column("notify_since", UTCDateTime),  # events before this are never told (a first start)
)

# Each notice, once per event, channel and recipient (the unique key): a restart or a second
# worker never tells the same thing twice. Never holds a link, token or invitation URL.
notification = sa.Table(
    "notification",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("environment", sa.String(255), nullable=False),
    sa.Column("event_key", sa.String(128), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),  # NOTIFY_CHANNELS
    sa.Column("recipient", sa.String(255), nullable=False),  # the rep for "email", "" for "team"
    sa.Column("kind", sa.String(32), nullable=False),  # NOTIFY_KINDS
    sa.Column("organization_id", sa.String(64)),
    sa.Column("organization_name", sa.String(255)),
    sa.Column("invitation_id", sa.Integer),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # NOTIFY_STATES
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime),
    sa.Column("sent_at", UTCDateTime),
    sa.Column("last_error", sa.String(500)),
    sa.UniqueConstraint("environment", "event_key", "channel", "recipient", name="uq_notification_once"),
)

# People who switched their own notifications off (by email); no row means on.
notify_preference = sa.Table(
    "notify_preference",
    metadata,
    sa.Column("actor", sa.String(255), primary_key=True),
    sa.Column("email", sa.Boolean, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
)
