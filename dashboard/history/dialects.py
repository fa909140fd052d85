"""Everything in the history that differs between SQLite and PostgreSQL, in one place.

The rest of the package writes SQLAlchemy Core that both compile the same way. Here: the start of
a day or week as a date string (each database has its own date functions), and INSERT … ON
CONFLICT (each dialect has its own construct for it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class period_start(FunctionElement[Any]):  # noqa: N801 - reads as the SQL function it stands for
    """``YYYY-MM-DD`` of the UTC day, or of the Monday starting the week, of a timestamp."""

    type = sa.String()
    inherit_cache = True
    # The grain is part of the statement's cache key: without it, an engine that compiled the
    # days once answered every later week with the days' SQL.
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy reads this list, never changes it
        *FunctionElement._traverse_internals,
        ("grain", InternalTraversal.dp_string),
    ]

    def __init__(self, column: sa.ColumnElement[Any], grain: str) -> None:
        if grain not in ("day", "week"):
            raise ValueError(f"unknown grain {grain!r}")
        self.grain = grain
        super().__init__(column)


@compiles(period_start, "sqlite")
def _sqlite_period(element: period_start, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    if element.grain == "day":
        return f"date({column})"
    return f"date({column}, 'weekday 0', '-6 days')"  # the next Sunday (or this one), less six days


@compiles(period_start, "postgresql")
def _postgresql_period(element: period_start, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(date_trunc('{element.grain}', {column}), 'YYYY-MM-DD')"  # ISO weeks: Mondays


def insert(engine: Engine | sa.engine.Connection, table: sa.Table) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_update`` (both spell it alike)."""
    return (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(table)
