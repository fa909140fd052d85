"""SQLite files written before Alembic kept the history: ``schema_version.version`` counted
these steps. They bring such a file, with every row, to the shape Alembic's baseline revision
(``migrations/versions/0001_baseline.py``) describes; the file is then stamped at that revision
and upgraded by Alembic like any database. Plain SQL, never the table objects of ``schema.py``,
so each step keeps meaning what it meant when it was written. Append nothing here: new changes
are Alembic revisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.engine import Connection


def _migration_1(conn: Connection) -> None:
    """The issuance history and the indexes the stats and organization pages query by."""
    conn.exec_driver_sql(
        """
        CREATE TABLE link_issuance (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            link_id VARCHAR(64) NOT NULL,
            organization_id VARCHAR(64) NOT NULL,
            organization_name VARCHAR(255) NOT NULL,
            features VARCHAR(32) NOT NULL,
            kind VARCHAR(16) NOT NULL CHECK (kind IN ('shareable', 'embed')),
            issued_by VARCHAR(255) NOT NULL,
            issued_at DATETIME NOT NULL,
            expires_at DATETIME,
            revoked_at DATETIME,
            revoked_by VARCHAR(255),
            recipient_email VARCHAR(254),
            note VARCHAR(500),
            environment VARCHAR(255) NOT NULL,
            link_fingerprint VARCHAR(64) NOT NULL
        )
        """
    )
    for statement in (
        "CREATE UNIQUE INDEX ix_link_issuance_link ON link_issuance (environment, link_id)",
        "CREATE INDEX ix_link_issuance_issued_at ON link_issuance (environment, issued_at)",
        "CREATE INDEX ix_link_issuance_org ON link_issuance (environment, organization_id, issued_at)",
        "CREATE INDEX ix_link_issuance_issued_by ON link_issuance (environment, issued_by, issued_at)",
    ):
        conn.exec_driver_sql(statement)


def _migration_2(conn: Connection) -> None:
    """UI events the embedded portal posted to the preview page."""
    conn.exec_driver_sql(
        """
        CREATE TABLE portal_event (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            organization_id VARCHAR(64) NOT NULL,
            event_type VARCHAR(64) NOT NULL,
            payload TEXT NOT NULL,
            received_at DATETIME NOT NULL,
            environment VARCHAR(255) NOT NULL
        )
        """
    )
    conn.exec_driver_sql(
        "CREATE INDEX ix_portal_event_org ON portal_event (environment, organization_id, received_at)"
    )


def _migration_3(conn: Connection) -> None:
    """When Portal Desk first saw each organization's SSO enabled: from a portal event (exact) or
    a status fetch (an upper bound). The conversion figures of the stats page rest on it."""
    conn.exec_driver_sql(
        """
        CREATE TABLE sso_observation (
            environment VARCHAR(255) NOT NULL,
            organization_id VARCHAR(64) NOT NULL,
            enabled_at DATETIME NOT NULL,
            source VARCHAR(32) NOT NULL
        )
        """
    )
    conn.exec_driver_sql(
        "CREATE UNIQUE INDEX ix_sso_observation_org ON sso_observation (environment, organization_id)"
    )


def _migration_4(conn: Connection) -> None:
    """A covering index for the stats page: its aggregates over a date range read only the index,
    never the table (bench/stats.py times the page's queries on a million rows)."""
    conn.exec_driver_sql(
        "CREATE INDEX ix_link_issuance_stats ON link_issuance (environment, issued_at, kind, features, "
        "issued_by, organization_id, expires_at, revoked_at)"
    )


def _migration_5(conn: Connection) -> None:
    """Invitations, and links written as pending before Scalekit is asked for them.

    link_issuance is rebuilt (SQLite cannot relax NOT NULL in place) with every row kept: link_id
    and link_fingerprint become nullable (a pending row has neither; a link's id is kept only while
    the link can be opened), and the kinds, an invitation reference and the mint's state are added.
    """
    conn.exec_driver_sql(
        """
        CREATE TABLE invitation (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            reference VARCHAR(16),
            token_hash VARCHAR(64) NOT NULL,
            environment VARCHAR(255) NOT NULL,
            organization_id VARCHAR(64) NOT NULL,
            organization_name VARCHAR(255) NOT NULL,
            features VARCHAR(32) NOT NULL,
            issued_by VARCHAR(255) NOT NULL,
            issued_at DATETIME NOT NULL,
            expires_at DATETIME NOT NULL,
            revoked_at DATETIME,
            revoked_by VARCHAR(255),
            recipient_email VARCHAR(254),
            note VARCHAR(500),
            sent_at DATETIME,
            first_opened_at DATETIME,
            last_opened_at DATETIME,
            open_count INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    for statement in (
        "CREATE UNIQUE INDEX ix_invitation_token ON invitation (token_hash)",
        "CREATE INDEX ix_invitation_issued_at ON invitation (environment, issued_at)",
        "CREATE INDEX ix_invitation_org ON invitation (environment, organization_id, issued_at)",
        "CREATE INDEX ix_invitation_issued_by ON invitation (environment, issued_by, issued_at)",
        "CREATE INDEX ix_invitation_opened ON invitation (environment, last_opened_at)",
    ):
        conn.exec_driver_sql(statement)
    conn.exec_driver_sql(
        """
        CREATE TABLE link_issuance_v5 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            link_id VARCHAR(64),
            organization_id VARCHAR(64) NOT NULL,
            organization_name VARCHAR(255) NOT NULL,
            features VARCHAR(32) NOT NULL,
            kind VARCHAR(16) NOT NULL CHECK (kind IN ('shareable', 'embed', 'direct', 'invitation')),
            issued_by VARCHAR(255) NOT NULL,
            issued_at DATETIME NOT NULL,
            expires_at DATETIME,
            revoked_at DATETIME,
            revoked_by VARCHAR(255),
            recipient_email VARCHAR(254),
            note VARCHAR(500),
            environment VARCHAR(255) NOT NULL,
            link_fingerprint VARCHAR(64),
            invitation_id INTEGER REFERENCES invitation (id),
            state VARCHAR(16) NOT NULL DEFAULT 'minted'
                CHECK (state IN ('pending', 'minted', 'failed', 'unknown'))
        )
        """
    )
    columns = (
        "id, link_id, organization_id, organization_name, features, kind, issued_by, issued_at, "
        "expires_at, revoked_at, revoked_by, recipient_email, note, environment, link_fingerprint"
    )
    conn.exec_driver_sql(f"INSERT INTO link_issuance_v5 ({columns}) SELECT {columns} FROM link_issuance")
    conn.exec_driver_sql("DROP TABLE link_issuance")
    conn.exec_driver_sql("ALTER TABLE link_issuance_v5 RENAME TO link_issuance")
    for statement in (
        "CREATE UNIQUE INDEX ix_link_issuance_link ON link_issuance (environment, link_id)",
        "CREATE INDEX ix_link_issuance_issued_at ON link_issuance (environment, issued_at)",
        "CREATE INDEX ix_link_issuance_org ON link_issuance (environment, organization_id, issued_at)",
        "CREATE INDEX ix_link_issuance_issued_by ON link_issuance (environment, issued_by, issued_at)",
        "CREATE INDEX ix_link_issuance_stats ON link_issuance (environment, issued_at, kind, features, "
        "issued_by, organization_id, expires_at, revoked_at)",
        "CREATE INDEX ix_link_issuance_invitation ON link_issuance (invitation_id)",
        # The sweeps below touch only the few rows still live or pending: partial indexes keep
        # them instant on a history of millions.
        "CREATE INDEX ix_link_issuance_live ON link_issuance (expires_at) WHERE link_id IS NOT NULL",
        "CREATE INDEX ix_link_issuance_pending ON link_issuance (issued_at) WHERE state = 'pending'",
    ):
        conn.exec_driver_sql(statement)
    # Ids of links that can no longer be opened are of no use, and once were credentials.
    conn.exec_driver_sql(
        "UPDATE link_issuance SET link_id = NULL WHERE expires_at IS NOT NULL AND expires_at < ?",
        (dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" "),),
    )


def _migration_6(conn: Connection) -> None:
    """The activity log, and who a portal event's preview session belonged to."""
    conn.exec_driver_sql(
        """
        CREATE TABLE activity (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            environment VARCHAR(255) NOT NULL,
            at DATETIME NOT NULL,
            actor VARCHAR(255) NOT NULL,
            role VARCHAR(16) NOT NULL,
            action VARCHAR(32) NOT NULL,
            organization_id VARCHAR(64),
            organization_name VARCHAR(255),
            details TEXT NOT NULL
        )
        """
    )
    for statement in (
        "CREATE INDEX ix_activity_at ON activity (environment, at)",
        "CREATE INDEX ix_activity_org ON activity (environment, organization_id, at)",
        "CREATE INDEX ix_activity_actor ON activity (environment, actor, at)",
        "ALTER TABLE portal_event ADD COLUMN actor VARCHAR(255)",
    ):
        conn.exec_driver_sql(statement)


def _migration_7(conn: Connection) -> None:
    """The status snapshot of every organization, and each person's last look at it."""
    conn.exec_driver_sql(
        """
        CREATE TABLE org_status (
            environment VARCHAR(255) NOT NULL,
            organization_id VARCHAR(64) NOT NULL,
            sso VARCHAR(16) NOT NULL,
            sso_provider VARCHAR(64),
            scim VARCHAR(16) NOT NULL,
            scim_users INTEGER,
            fetched_at DATETIME NOT NULL,
            changed_at DATETIME NOT NULL,
            PRIMARY KEY (environment, organization_id)
        )
        """
    )
    conn.exec_driver_sql(
        """
        CREATE TABLE status_visit (
            environment VARCHAR(255) NOT NULL,
            actor VARCHAR(255) NOT NULL,
            seen_at DATETIME NOT NULL,
            PRIMARY KEY (environment, actor)
        )
        """
    )


def _migration_8(conn: Connection) -> None:
    """The organization listing, kept so a restart draws the table without listing again."""
    conn.exec_driver_sql(
        """
        CREATE TABLE organization_listing (
            environment VARCHAR(255) NOT NULL,
            id VARCHAR(64) NOT NULL,
            position INTEGER NOT NULL,
            display_name VARCHAR(255) NOT NULL,
            external_id VARCHAR(255),
            region VARCHAR(8) NOT NULL,
            created_at DATETIME,
            updated_at DATETIME,
            sso_feature BOOLEAN NOT NULL,
            dir_sync_feature BOOLEAN NOT NULL,
            metadata TEXT NOT NULL,
            listed_at DATETIME NOT NULL,
            PRIMARY KEY (environment, id)
        )
        """
    )


# Ordered. A legacy file's schema_version is how many of these it has applied.
LEGACY: tuple[Callable[[Connection], None], ...] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
)
