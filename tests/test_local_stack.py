"""make run's local stack: the emulator in its own process, with sign-in set up against it, and
nothing left behind when the server stops, or is killed outright."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dashboard import local_stack
from dashboard.config import Settings

pytestmark = pytest.mark.slow  # emulator processes, started and killed (make check leaves them to make test)


def test_the_stack_runs_the_emulator_beside_us_with_sign_in_and_cleans_up(tmp_path: Path) -> None:
    config = Settings(emulator_orgs=12)
    stack = local_stack.start(config, dashboard_url="http://127.0.0.1:8599", folder=tmp_path, sign_in=True)
    try:
        secrets_file = tmp_path / "sign-in-secrets.json"
        assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600  # readable by the user alone
        auth = stack.secrets["auth"]
        assert auth["redirect_uri"] == "http://127.0.0.1:8599/oauth2callback"
        assert stack.secrets["roles"] == {"claim": "roles"}
        meta = requests.get(auth["server_metadata_url"], timeout=5).json()
        assert meta["code_challenge_methods_supported"] == ["S256"]
        running = local_stack.running_emulator(str(stack.env_file))
        assert running is not None
        # Its own CA (this process trusts another one for gRPC already): its token endpoint, trusted.
        token = requests.post(
            f"{running.env_url}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": running.client_id,
                "client_secret": running.client_secret,
            },
            verify=running.ca_bundle,
            timeout=5,
        )
        assert token.status_code == 200 and token.json()["access_token"]
        assert stack.process.pid != os.getpid()  # its own process, its own interpreter
    finally:
        stack.stop()
    assert stack.process.poll() is not None and not stack.env_file.parent.exists()
    again = local_stack.start(config, dashboard_url="http://127.0.0.1:8599", folder=tmp_path, sign_in=True)
    again.stop()
    assert again.secrets["auth"]["client_secret"] == auth["client_secret"]  # kept: sessions survive


def test_without_sign_in_no_client_is_registered(tmp_path: Path) -> None:
    stack = local_stack.start(
        Settings(emulator_orgs=1), dashboard_url="http://x:1", folder=tmp_path, sign_in=False
    )
    stack.stop()
    assert stack.secrets == {} and not (tmp_path / "sign-in-secrets.json").exists()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state  # a zombie has exited; only its parent's reaping is owed


def test_a_killed_parent_leaves_no_emulator_behind(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    script = (
        f"{sys.executable} -m scalekit_emulator --orgs 1 --exit-with-parent --env-file {env_file} "
        f">/dev/null 2>&1 & echo $!; while [ ! -f {env_file} ]; do sleep 0.1; done"
    )
    started = subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=60, check=True)
    pid = int(started.stdout.split()[0])  # its parent, sh, has exited: as if the server were killed
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid) and not env_file.exists()


# The product's own services in a process of their own, as the server's pages and the worker run
# them: each process trusts the CA of the emulator it reaches, and this one trusts another already.
_SERVICES = """
import json, sys
from dashboard.config import load_settings
from dashboard.models import Operator
from dashboard.organizations import changes
from dashboard.wiring import gateway_for, history_for

config = load_settings(dotenv_path=None)
gateway, history, environment = gateway_for(config), history_for(config), config.environment_host
if sys.argv[1] == "create":
    admin = Operator("omar@portal.test", role="admin", source="environment")
    org = changes.create(gateway, history, admin, environment=environment, display_name="Made before")
    changes.update(
        gateway, history, admin, environment=environment, organization=org,
        display_name="Renamed before the restart", external_id="",
    )
    print(org.id)
else:
    org_id = sys.argv[2]
    listed = [o.display_name for o in gateway.list_organizations() if o.id == org_id]
    events = [e.action for e in history.activity.search(environment, organization_id=org_id)]
    print(json.dumps({"listed": listed, "events": events}))
"""


def _services(stack: local_stack.LocalStack, database_url: str, *args: str) -> str:
    env = {
        **os.environ,
        local_stack.ENV_FILE_VARIABLE: str(stack.env_file),
        "DASHBOARD_DATABASE_URL": database_url,
    }
    done = subprocess.run(
        [sys.executable, "-c", _SERVICES, *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_restarted_stack_still_lists_what_was_made_with_its_history(tmp_path: Path) -> None:
    """make run stopped and started again: the organization made before is listed, renamed, with
    the history that tells of it (the emulator's data in the state file, the history in SQLite)."""
    config, url = Settings(emulator_orgs=5), f"sqlite:///{tmp_path}/issuance.db"
    state = tmp_path / "emulator-state.json"
    start = dict(dashboard_url="http://127.0.0.1:8599", folder=tmp_path, sign_in=False, state_file=state)
    stack = local_stack.start(config, **start)  # type: ignore[arg-type]
    try:
        org_id = _services(stack, url, "create")
    finally:
        stack.stop()
    again = local_stack.start(config, **start)  # type: ignore[arg-type]
    try:
        seen = json.loads(_services(again, url, "read", org_id))
    finally:
        again.stop()
    assert seen["listed"] == ["Renamed before the restart"]
    assert seen["events"] == ["organization_updated", "organization_created"]  # newest first


def test_a_state_file_the_emulator_cannot_use_is_one_sentence_in_the_servers_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "emulator-state.json"
    state.write_text('{"format": 1, "seed"')  # cut short, as by a full disk
    stack = local_stack.start(
        Settings(emulator_orgs=3),
        dashboard_url="http://x:1",
        folder=tmp_path,
        sign_in=False,
        state_file=state,
    )
    stack.stop()
    said = [line for line in capsys.readouterr().err.splitlines() if "emulator state" in line]
    assert len(said) == 1 and "starting from the seed" in said[0] and "emulator-state.json.bad" in said[0]
    assert (tmp_path / "emulator-state.json.bad").read_text() == '{"format": 1, "seed"'
    assert json.loads(state.read_text())["seeded_orgs"] == 3  # written afresh from the seed
