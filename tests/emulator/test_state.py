"""The state file: what clients made survives a restart, with the same answers through the real SDK;
a file that cannot be used is put aside and the emulator starts from its seed."""

from __future__ import annotations

import json
import logging
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from google.protobuf.json_format import MessageToDict
from scalekit import ScalekitClient
from scalekit.v1.connections import connections_pb2 as conn_pb
from scalekit.v1.directories import directories_pb2 as dir_pb
from scalekit.v1.organizations import organizations_pb2 as org_pb

from scalekit_emulator import Emulator
from scalekit_emulator.state import in_use

ORGS, SEED = 6, 3


def _client(emu: Emulator) -> ScalekitClient:
    return ScalekitClient(emu.env_url, emu.client_id, emu.client_secret)


def _answers(emu: Emulator, org_id: str) -> str:
    """What a client sees of the environment and of one organization, as text (each run has its
    own environment URL, which the directory's SCIM endpoint names)."""
    client = _client(emu)
    listing = client.organization.list_organizations(page_size=100)[0]
    answers = {
        "listing": MessageToDict(listing),
        "org": MessageToDict(client.organization.get_organization(org_id)[0]),
        "connections": MessageToDict(client.connection.list_connections(org_id, include="all")[0]),
        "directories": MessageToDict(client.directory.list_directories(org_id)[0]),
    }
    return json.dumps(answers, indent=1).replace(emu.env_url, "<environment URL>")


def _made(client: ScalekitClient) -> tuple[str, str]:
    """An organization, renamed, with a connection and a directory; a portal link for another one."""
    org = client.organization.create_organization(
        org_pb.CreateOrganization(display_name="Kept Co", external_id="KEPT-1")
    )[0].organization
    client.organization.update_organization(org.id, org_pb.UpdateOrganization(display_name="Kept Co renamed"))
    okta = conn_pb.ConnectionProvider.Value("OKTA")
    client.connection.create_connection(
        org.id, conn_pb.CreateConnection(provider=okta, type=conn_pb.ConnectionType.Value("SAML"))
    )
    client.directory.create_directory(
        org.id,
        dir_pb.CreateDirectory(
            directory_type=dir_pb.DirectoryType.Value("SCIM"),
            directory_provider=dir_pb.DirectoryProvider.Value("OKTA"),
        ),
    )
    link = client.organization.generate_portal_link(org.id)
    # Deleted with a link of its own: the link's record stays, revoked, naming no organization.
    gone = client.organization.create_organization(org_pb.CreateOrganization(display_name="Gone"))[0]
    client.organization.generate_portal_link(gone.organization.id)
    client.organization.delete_organization(gone.organization.id)
    return org.id, link.location


def test_what_clients_made_survives_a_restart(emulator: Emulator, tmp_path: Path) -> None:
    # ``emulator`` (unused) makes the process trust the emulators' CA before any channel is made.
    state = tmp_path / "emulator-state.json"
    with Emulator(orgs=ORGS, seed=SEED, state_file=state) as first:
        assert not first.restored
        client = _client(first)
        org_id, location = _made(client)
        before = _answers(first, org_id)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600  # the user's alone
    text = state.read_text()
    assert "Kept Co renamed" in text and location.rsplit("/", 1)[-1] not in text  # no link token
    with Emulator(orgs=ORGS, seed=SEED, state_file=state) as second:
        assert second.restored
        client = _client(second)
        assert _answers(second, org_id) == before
        assert client.organization.get_organization_by_external_id("KEPT-1")[0].organization.id == org_id
        # Made after the restart: kept too, beside what came before.
        client.organization.create_organization(org_pb.CreateOrganization(display_name="Second run"))
    with Emulator(orgs=ORGS, seed=SEED, state_file=state) as third:
        names = {o.display_name for o in third.backends.organizations.listing(page_size=100).items}
        assert {"Kept Co renamed", "Second run"} <= names and third.backends.organizations.count == ORGS + 2
    # Without a state file, every start is the seed's.
    with Emulator(orgs=ORGS, seed=SEED) as seeded:
        assert seeded.backends.organizations.count == ORGS


@pytest.mark.slow
def test_a_change_is_on_disk_within_seconds_without_a_stop(tmp_path: Path) -> None:
    """A process killed outright (kill -9) loses at most the last second's changes."""
    state = tmp_path / "state.json"
    command = [sys.executable, "-m", "scalekit_emulator", "--orgs", "2", "--state-file", str(state)]
    env_file = tmp_path / "emulator.env"
    process = subprocess.Popen([*command, "--env-file", str(env_file)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not env_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert in_use(state)  # reset-demo refuses while it runs
        settings = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
        # A change over the control API (its own process trusts another CA than the SDK's here).
        published = requests.post(
            f"{settings['SCALEKIT_EMULATOR_PORTAL_URL']}/_emulator/dns",
            headers={"Authorization": f"Bearer {settings['SCALEKIT_EMULATOR_CONTROL_TOKEN']}"},
            json={"name": "_scalekit-verification.kept.example", "value": "kept-value"},
            timeout=5,
        )
        assert published.status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (state.exists() and "kept-value" in state.read_text()):
            time.sleep(0.1)
        process.kill()  # no chance to save on the way out
        process.wait(timeout=10)
        assert "kept-value" in state.read_text()
        assert not in_use(state)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    "content",
    [b'{"format": 1, "seed": 3', b"not json at all", b'{"format": 99}', None],
    ids=["cut-short", "garbage", "other-format", "other-settings"],
)
def test_an_unusable_file_is_put_aside_and_the_seed_used(
    tmp_path: Path, content: bytes | None, caplog: pytest.LogCaptureFixture
) -> None:
    state = tmp_path / "emulator-state.json"
    if content is None:  # a good file, written for another organization count
        with Emulator(orgs=ORGS + 1, seed=SEED, state_file=state) as other:
            other.backends.organizations.create("Other settings")
        content = state.read_bytes()
    state.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="scalekit_emulator.state"):
        emu = Emulator(orgs=ORGS, seed=SEED, state_file=state)
    assert not emu.restored and emu.backends.organizations.count == ORGS
    assert (tmp_path / "emulator-state.json.bad").read_bytes() == content  # kept for a look
    assert len(caplog.records) == 1 and "starting from the seed" in caplog.records[0].getMessage()
    with emu:
        pass
    assert json.loads(state.read_text())["seeded_orgs"] == ORGS  # a good file again, from the seed


def test_every_change_counts_so_the_saver_sees_it() -> None:
    """The saver copies the data only after the environment's edit count moved: a change that did
    not count would wait for the next stop (and be lost to a kill -9)."""
    from scalekit_emulator.backends import Backends
    from scalekit_emulator.records import SessionPolicyRecord

    b = Backends.create(org_count=1)
    org = b.organizations.create("Counted", slug="counted")
    conn = b.connections.create(org.id, "OKTA", "SAML")
    changes = {
        "domain": lambda: b.domains.create("counted.example", None, org.id),
        "txt": lambda: b.domains.publish_txt("_x.counted.example", "v"),
        "assign": lambda: b.connections.assign_domains(org.id, conn.id, []),
        "directory": lambda: b.directories.create(org.id, "SCIM", "OKTA"),
        "disable": lambda: b.directories.set_enabled(
            org.id, b.directories.of_organization(org.id)[0].id, False
        ),
        "policy": lambda: b.organizations.update_session_policy(org.id, SessionPolicyRecord()),
        "limit": lambda: b.organizations.set_user_limit(org.id, 10),
        "branding": lambda: b.organizations.update_branding(org.id, "BRANDING_SOURCE_ENVIRONMENT", {}),
        "link": lambda: b.portal.generate(org.id, []),
        "open": lambda: b.portal.open(next(iter(b.env.links.values())).token, None),
        "revoke": lambda: b.portal.revoke_all(org.id),
        "delete-domain": lambda: b.domains.delete(b.domains.listing(org.id).items[0].id, org.id),
    }
    silent = []
    for name, change in changes.items():
        before = b.env.edits
        change()
        if b.env.edits == before:
            silent.append(name)
    assert silent == []
