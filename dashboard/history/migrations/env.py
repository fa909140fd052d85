"""Alembic's environment for the history: run by ``History.migrate`` on a connection it opened
(and holds a lock on), inside that connection's transaction. Not meant for the alembic command
line against a live database: the app upgrades itself on start."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
