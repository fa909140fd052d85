"""Opening a history: what a wrong DASHBOARD_DATABASE_URL says (on a real PostgreSQL server),
and the modes of the files and folders a new SQLite history gets."""

from __future__ import annotations

import os
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard.errors import ConfigError, StoreError
from dashboard.history import History, NewInvitation
from dashboard.models import Activity

from .apptest import open_page, rendered_text
from .postgres import PostgresServer
from .test_history import NOW, new_invitation

SECRET = "s3cret-pass-" + uuid.uuid4().hex[:6]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_history_and_its_folders_are_the_owners_alone(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/data/nested/issuance.db")
    history.invitations.create(new_invitation())  # the -wal and -shm exist while a connection is open
    files = [
        tmp_path / "data" / "nested" / name for name in ("issuance.db", "issuance.db-wal", "issuance.db-shm")
    ]
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    assert (mode(tmp_path / "data"), mode(tmp_path / "data" / "nested")) == (0o700, 0o700)
    history.close()


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    History(f"sqlite:///{shared}/issuance.db").close()
    assert (mode(shared), mode(shared / "issuance.db")) == (0o755, 0o600)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"])
def test_an_in_memory_history_is_refused(url: str) -> None:
    with pytest.raises(
        ConfigError,
        match="DASHBOARD_DATABASE_URL names an in-memory SQLite database",
    ):
        History(url)


@pytest.mark.parametrize("port", ["5432x", "fivefour", "99999"])
def test_a_port_that_cannot_be_is_refused_without_echoing_the_url(port: str) -> None:
    with pytest.raises(ConfigError, match="DASHBOARD_DATABASE_URL has a port") as refused:
        History(f"postgresql://desk:{SECRET}@db.example:{port}/history")
    assert SECRET not in str(refused.value) and port not in str(refused.value)


# -- PostgreSQL: the server's refusals, each its own sentence ----------------------------------

RULES = (
    "host all pw_role 127.0.0.1/32 scram-sha-256\n"  # a password that is checked
    "hostnossl all tls_role 127.0.0.1/32 reject\n"  # this user only over TLS
)


@pytest.fixture(scope="module")
def strict_server(postgres_server: PostgresServer) -> Iterator[PostgresServer]:
    """The session's server, with two roles of these tests' own ahead of its trust rules
    (pg_hba.conf takes the first line that matches, so no other role is affected)."""
    admin = sa.create_engine(postgres_server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        hba = Path(conn.exec_driver_sql("SHOW hba_file").scalar_one())
        conn.exec_driver_sql(f"CREATE ROLE pw_role LOGIN PASSWORD '{SECRET}'")
        conn.exec_driver_sql("CREATE ROLE tls_role LOGIN")
        before = hba.read_text()
        hba.write_text(RULES + before)
        conn.exec_driver_sql("SELECT pg_reload_conf()")
    probe = sa.create_engine(f"postgresql+psycopg://tls_role@127.0.0.1:{postgres_server.port}/postgres")
    for _ in range(200):  # the reload is asynchronous: wait until the rule answers
        try:
            probe.connect().close()
        except sa.exc.OperationalError:
            break
        probe.dispose()
        time.sleep(0.05)
    probe.dispose()
    yield postgres_server
    hba.write_text(before)
    with admin.connect() as conn:
        conn.exec_driver_sql("SELECT pg_reload_conf()")
        conn.exec_driver_sql("DROP ROLE pw_role")
        conn.exec_driver_sql("DROP ROLE tls_role")
    admin.dispose()


def refusal(url: str) -> str:
    with pytest.raises(StoreError) as refused:
        History(url)
    sentence = str(refused.value)
    assert SECRET not in sentence and "does not answer" not in sentence
    return sentence


def test_a_refused_password_says_so(strict_server: PostgresServer) -> None:
    sentence = refusal(f"postgresql+psycopg://pw_role:wrong-{SECRET}@127.0.0.1:{strict_server.port}/postgres")
    assert "refused its user or password" in sentence and "DASHBOARD_DATABASE_URL" in sentence
    unknown = refusal(f"postgresql+psycopg://nobody:{SECRET}@127.0.0.1:{strict_server.port}/postgres")
    assert "refused its user or password" in unknown


def test_a_missing_database_says_so_and_how_to_create_it(strict_server: PostgresServer) -> None:
    sentence = refusal(f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:{strict_server.port}/no_such_db")
    assert "does not exist on its server" in sentence and "CREATE DATABASE" in sentence


def test_a_server_that_requires_tls_says_to_set_sslmode(strict_server: PostgresServer) -> None:
    sentence = refusal(f"postgresql+psycopg://tls_role:{SECRET}@127.0.0.1:{strict_server.port}/postgres")
    assert "only over TLS" in sentence and "sslmode=require" in sentence


def test_asking_tls_of_a_server_without_it_says_so(strict_server: PostgresServer) -> None:
    sentence = refusal(
        f"postgresql+psycopg://postgres:{SECRET}@127.0.0.1:{strict_server.port}/postgres?sslmode=require"
    )
    assert "does not offer it" in sentence and "sslmode" in sentence


# -- the environments a history holds ----------------------------------------------------------


def live_invitation(environment: str = "acme.scalekit.dev") -> NewInvitation:
    return new_invitation(
        environment=environment,
        organization_name="Live Customer Inc",
        recipient_email="it-admin@live-customer.example",
        token=uuid.uuid4().hex,
    )


def test_a_history_knows_its_environments_and_the_emulator_refuses_a_live_one(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    assert history.environments() == [] and history.opened_for(emulator=True) is history
    history.invitations.create(new_invitation())
    assert history.environments() == ["emulator"] and history.opened_for(emulator=True) is history
    history.activity.record(Activity("beta.scalekit.dev", NOW, "ana@portal.test", "manager", "signed_in"))
    history.import_history([live_invitation()], [], [])
    assert history.environments() == ["acme.scalekit.dev", "beta.scalekit.dev", "emulator"]
    assert history.opened_for(emulator=False) is history  # a live environment may share it
    with pytest.raises(ConfigError) as refused:
        history.opened_for(emulator=True)
    assert "live environment's records (acme.scalekit.dev, beta.scalekit.dev)" in str(refused.value)
    assert "DASHBOARD_DATABASE_URL" in str(refused.value)


@pytest.mark.parametrize("page_file", [None, "pages/share_link.py", "pages/issuance_stats.py"])
def test_the_emulator_shows_no_page_of_a_live_history(page_file: str | None, app_env: Path) -> None:
    History(f"sqlite:///{app_env}").import_history([live_invitation(), new_invitation()], [], [])
    at = open_page(page_file)
    assert not at.exception
    assert any("holds a live environment" in e.value for e in at.error), [e.value for e in at.error]
    shown = rendered_text(at)
    assert "Live Customer" not in shown and "live-customer.example" not in shown
