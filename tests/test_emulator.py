"""The emulator on its own: REST endpoints, portal pages, control API, seeding, standalone use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import requests

from dashboard.emulator import Emulator, Fault
from dashboard.emulator.seed import generate
from dashboard.errors import RateLimited
from dashboard.gateway import ScalekitGateway

ROOT = Path(__file__).resolve().parent.parent


def _token_request(emulator: Emulator, secret: str) -> requests.Response:
    return requests.post(
        f"{emulator.env_url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": emulator.client_id, "client_secret": secret},
        verify=str(emulator.ca_file),
        timeout=5,
    )


def test_token_endpoint_issues_tokens_and_refuses_a_wrong_secret(emulator: Emulator) -> None:
    ok = _token_request(emulator, emulator.client_secret)
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3600
    bad = _token_request(emulator, "nope")
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"


def test_jwks_verifies_issued_tokens(emulator: Emulator) -> None:
    import jwt

    keys = requests.get(f"{emulator.env_url}/keys", verify=str(emulator.ca_file), timeout=5).json()["keys"]
    token = _token_request(emulator, emulator.client_secret).json()["access_token"]
    key = jwt.PyJWK.from_dict(keys[0]).key
    claims = jwt.decode(token, key, algorithms=["RS256"], issuer=emulator.env_url)
    assert claims["sub"] == emulator.client_id


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_portal_page_names_the_org_and_escapes_it(emulator: Emulator, gateway: ScalekitGateway) -> None:
    org = emulator.backend.create_organization("<img src=x onerror=alert(1)> & Co")
    link = gateway.generate_portal_link(org.id, ["dir_sync"])
    status, page = _get(link.location)
    assert status == 200
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; Co" in page
    assert "<img src=x" not in page
    data = json.loads(page.split('id="portal-data">', 1)[1].split("</script>", 1)[0])
    assert data["features"] == ["dir_sync"]  # the page shows only the tabs the link allows
    assert data["organization_id"] == org.id


def test_revoked_expired_and_unknown_links(emulator: Emulator, gateway: ScalekitGateway, org_id: str) -> None:
    revoked = gateway.generate_portal_link(org_id, ["sso"])
    gateway.revoke_portal_link(org_id, revoked.id)
    assert _get(revoked.location)[0] == 410
    expired = gateway.generate_portal_link(org_id, ["sso"])
    emulator.backend._links[expired.id].expire_time = emulator.backend.clock()
    status, page = _get(expired.location)
    assert status == 410 and "expired" in page
    assert _get(f"{emulator.portal_url}/magicLink/not-a-link")[0] == 404


def _control(emulator: Emulator, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{emulator.portal_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_control_api_over_http_injects_and_clears_faults(
    emulator: Emulator, gateway: ScalekitGateway, org_id: str
) -> None:
    status = _control(
        emulator, "POST", "/_emulator/faults", {"method": "GetPortalLinks", "code": "RESOURCE_EXHAUSTED"}
    )
    assert status["faults"][0]["code"] == "RESOURCE_EXHAUSTED"
    with pytest.raises(RateLimited):
        gateway.list_portal_links(org_id)
    assert _control(emulator, "DELETE", "/_emulator/faults")["faults"] == []
    assert gateway.list_portal_links(org_id) == []


def test_control_api_reset_returns_to_the_seed() -> None:
    with Emulator(orgs=5, seed=9) as emu:
        emu.backend.create_organization("Temporary")
        emu.inject_fault(Fault(method="*", delay_seconds=1))
        assert _control(emu, "GET", "/_emulator/status")["organizations"] == 6
        status = _control(emu, "POST", "/_emulator/reset", {})
        assert status["organizations"] == 5 and status["faults"] == []


def test_seed_is_deterministic_and_realistic() -> None:
    first, again, other = generate(3, 200), generate(3, 200), generate(4, 200)
    assert [o.id for o in first.orgs] == [o.id for o in again.orgs]
    assert [o.display_name for o in first.orgs] == [o.display_name for o in again.orgs]
    assert {o.id for o in first.orgs}.isdisjoint({o.id for o in other.orgs})
    assert len({o.display_name for o in first.orgs}) == 200
    states = {c.status for conns in first.connections.values() for c in conns}
    assert states == {"DRAFT", "IN_PROGRESS", "COMPLETED"}
    assert any(not conns for conns in first.connections.values())  # some have no SSO at all
    providers = {c.provider for conns in first.connections.values() for c in conns}
    assert {"OKTA", "MICROSOFT_AD", "GOOGLE"} <= providers
    assert any(d.enabled for dirs in first.directories.values() for d in dirs)
    spread = max(o.create_time for o in first.orgs) - min(o.create_time for o in first.orgs)
    assert spread.days > 600


def test_ten_thousand_orgs_are_seeded(tmp_path: Path) -> None:
    data = generate(7, 10_000)
    assert len(data.orgs) == len({o.id for o in data.orgs}) == 10_000


def test_standalone_emulator_env_file_serves_another_process(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    emulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard.emulator",
            "--orgs",
            "12",
            "--seed",
            "5",
            "--env-file",
            str(env_file),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not env_file.exists() and time.monotonic() < deadline:
            assert emulator.poll() is None, emulator.stdout.read()
            time.sleep(0.1)
        client_code = textwrap.dedent(
            """
            import sys
            from dotenv import load_dotenv
            load_dotenv(sys.argv[1], override=True)  # before the SDK is imported
            import os
            from scalekit import ScalekitClient
            client = ScalekitClient(os.environ["SCALEKIT_ENVIRONMENT_URL"],
                                    os.environ["SCALEKIT_CLIENT_ID"], os.environ["SCALEKIT_CLIENT_SECRET"])
            response, _ = client.organization.list_organizations(page_size=50)
            print(response.total_size, len(response.organizations))
            """
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
        done = subprocess.run(
            [sys.executable, "-c", client_code, str(env_file)],
            cwd="/",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["12", "12"]
    finally:
        emulator.terminate()
        output, _ = emulator.communicate(timeout=10)
    assert "Scalekit emulator ready" in output
    assert "emulator-local-secret" not in output  # the secret is never printed


def test_page_tokens_are_opaque_and_bound_to_their_query() -> None:
    from dashboard.emulator.errors import BackendError
    from dashboard.emulator.paging import paginate

    ids = [f"org_{n}" for n in range(25)]
    first = paginate(ids, 10, "", "list:")
    second = paginate(ids, 10, first.next_page_token, "list:")
    assert second.ids == ids[10:20] and second.prev_page_token and second.total_size == 25
    assert paginate(ids, 10, second.next_page_token, "list:").next_page_token == ""
    for token, scope in (("not-a-token", "list:"), (first.next_page_token, "search:acme")):
        with pytest.raises(BackendError) as info:
            paginate(ids, 10, token, scope)
        assert info.value.code == "INVALID_ARGUMENT"
    assert len(paginate(ids, 500, "", "list:").ids) == 25  # clamped to Scalekit's maximum of 100
