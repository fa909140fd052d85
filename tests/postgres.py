"""A real PostgreSQL server for the test session (bench/servers.py starts it), and a database of
its own for each test that asks: ``postgres_url`` (created from template0, dropped after).
Without PostgreSQL's binaries the PostgreSQL half of a parametrized test is skipped, saying why;
``.ci/run`` installs Debian's ``postgresql``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.servers import PostgresServer, available, create_database, drop_database, running_server

__all__ = ["PostgresServer", "create_database", "drop_database", "postgres_server", "postgres_url"]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    if not available():
        pytest.skip("PostgreSQL's initdb and pg_ctl were not found (Debian: apt-get install postgresql)")
    with running_server() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = create_database(postgres_server)
    yield postgres_server.url(name)
    drop_database(postgres_server, name)
