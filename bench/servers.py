"""Servers the benches and the tests start for themselves: a free port, and a throwaway
PostgreSQL (initdb and pg_ctl in a temporary directory, trust authentication on loopback only;
run as root, as CI does, the server runs as the ``postgres`` system user Debian's package
creates, since initdb refuses root). The tests' fixtures (tests/postgres.py) build on these."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa


def free_port() -> int:
    """A port free now, for a server that must know its port before it binds (it may be taken
    before then: callers retry when their server says so)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


BIN_DIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)  # the newest first


def _binary(name: str) -> str | None:
    for folder in BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    return shutil.which(name)


@dataclass(frozen=True)
class PostgresServer:
    port: int
    admin_url: str  # the "postgres" maintenance database, as the superuser

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def available() -> bool:
    return bool(_binary("initdb") and _binary("pg_ctl"))


@contextmanager
def running_server() -> Iterator[PostgresServer]:
    """A throwaway server (fsync off: its data dies with it)."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    assert initdb and pg_ctl, "PostgreSQL's initdb and pg_ctl were not found"
    folder = Path(tempfile.mkdtemp(prefix="portal-desk-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    subprocess.run(
        _as_server_user(
            [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]
        ),
        check=True,
        capture_output=True,
    )
    # PostgreSQL cannot bind port 0 and say which it got; it refuses to start on a taken port,
    # so a port another process took between our choosing and its binding costs one more try.
    for attempt in range(5):
        port = free_port()
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = subprocess.run(
            _as_server_user(
                [pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"]
            ),
            capture_output=True,
        )
        if started.returncode == 0:
            break
        log = (folder / "server.log").read_text(errors="replace")
        if "Address already in use" not in log or attempt == 4:
            raise RuntimeError(f"PostgreSQL did not start: {started.stderr!r}\n{log}")
    try:
        yield PostgresServer(port, f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: PostgresServer) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    engine = sa.create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    engine.dispose()
    return name


def drop_database(server: PostgresServer, name: str) -> None:
    engine = sa.create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + 10
    with engine.connect() as conn:
        while True:  # a test's pool may still be closing its connections
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            try:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
                break
            except sa.exc.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    engine.dispose()
