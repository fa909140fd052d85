"""Everything a history database holds, as text: for "no secret is ever stored" checks that read
what a person with the database (SQLite file or PostgreSQL) could read."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.history import History


def everything(history: History) -> str:
    tables = sa.MetaData()
    tables.reflect(history.engine)
    with history.engine.connect() as conn:
        return "\n".join(
            repr(tuple(row)) for table in tables.sorted_tables for row in conn.execute(sa.select(table))
        )
