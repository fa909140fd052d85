"""The control API behind its token, the emulator standing alone, the REST endpoints and the seed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import jwt
import pytest
import requests
from scalekit import ScalekitClient

from scalekit_emulator import Emulator, Fault
from scalekit_emulator.seed import generate

ROOT = Path(__file__).resolve().parents[2]


def control(
    emulator: Emulator, method: str, path: str, body: dict | None = None, **headers: str
) -> requests.Response:
    auth = {"Authorization": f"Bearer {emulator.control.token}", **headers}
    return requests.request(
        method, f"{emulator.portal_url}/_emulator/{path}", json=body, headers=auth, timeout=5
    )


def test_the_control_api_refuses_a_request_without_its_token(emulator: Emulator) -> None:
    for method, path in (("GET", "status"), ("POST", "reset"), ("POST", "faults"), ("DELETE", "faults")):
        refused = requests.request(method, f"{emulator.portal_url}/_emulator/{path}", json={}, timeout=5)
        assert refused.status_code == 401
        wrong = requests.request(
            method,
            f"{emulator.portal_url}/_emulator/{path}",
            json={},
            headers={"Authorization": "Bearer nope"},
            timeout=5,
        )
        assert wrong.status_code == 401
    assert emulator.control.status()["faults"] == []


def test_a_cross_site_form_post_cannot_drive_it(emulator: Emulator) -> None:
    # What a hostile page can send without a preflight: text/plain, no custom header.
    simple = requests.post(
        f"{emulator.portal_url}/_emulator/faults",
        data='{"method": "*", "code": "UNAVAILABLE"}',
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )
    assert simple.status_code == 401
    with_token_but_plain = control(emulator, "POST", "reset", None, **{"Content-Type": "text/plain"})
    assert with_token_but_plain.status_code == 415
    assert emulator.control.status()["faults"] == []


def test_faults_latency_clock_and_status_over_http(emulator: Emulator, client: ScalekitClient) -> None:
    added = control(
        emulator, "POST", "faults", {"method": "ListOrganization", "code": "RESOURCE_EXHAUSTED", "times": 1}
    )
    assert added.json()["faults"][0]["code"] == "RESOURCE_EXHAUSTED"
    with pytest.raises(Exception, match="RESOURCE_EXHAUSTED"):
        client.organization.list_organizations(page_size=5)
    assert control(emulator, "POST", "faults", {"method": "X", "code": "NOT_A_CODE"}).status_code == 400
    assert control(emulator, "DELETE", "faults").json()["faults"] == []
    assert control(emulator, "POST", "latency", {"ms": 120}).json()["latency_ms"] == 120
    started = time.perf_counter()
    client.organization.list_organizations(page_size=5)
    assert time.perf_counter() - started >= 0.12
    control(emulator, "POST", "latency", {"ms": 0})
    assert control(emulator, "POST", "clock", {"advance": 0}).json()["clock_offset_s"] >= 0
    assert control(emulator, "GET", "status").json()["env_url"] == emulator.env_url


def test_reset_returns_to_the_seed() -> None:
    with Emulator(orgs=5, seed=9) as emu:
        emu.backends.organizations.create("Temporary")
        emu.control.inject_fault(Fault(method="*", delay_seconds=1))
        emu.control.advance_clock(3600)
        status = control(emu, "POST", "reset", {}).json()
        assert (status["organizations"], status["faults"], status["clock_offset_s"]) == (5, [], 0.0)


def test_token_endpoint_and_keys(emulator: Emulator) -> None:
    def token(secret: str) -> requests.Response:
        form = {"grant_type": "client_credentials", "client_id": emulator.client_id, "client_secret": secret}
        return requests.post(
            f"{emulator.env_url}/oauth/token", data=form, verify=str(emulator.ca_file), timeout=5
        )

    ok = token(emulator.client_secret)
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3600
    assert token("nope").status_code == 401 and token("nope").json()["error"] == "invalid_client"
    keys = requests.get(f"{emulator.env_url}/keys", verify=str(emulator.ca_file), timeout=5).json()["keys"]
    claims = jwt.decode(
        ok.json()["access_token"],
        jwt.PyJWK.from_dict(keys[0]).key,
        algorithms=["RS256"],
        issuer=emulator.env_url,
    )
    assert claims["sub"] == emulator.client_id and claims["kind"] == "client"


@pytest.mark.slow
def test_standalone_emulator_serves_another_process_and_keeps_its_file_private(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scalekit_emulator",
            "--orgs",
            "12",
            "--seed",
            "5",
            "--env-file",
            str(env_file),
            "--reading",
            "feature-name-scim",
            "--allowed-origin",
            "http://localhost:8501",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not env_file.exists() and time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.1)
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        values = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
        assert values["SCALEKIT_EMULATOR_CONTROL_TOKEN"]
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
        status = requests.get(
            f"{values['SCALEKIT_EMULATOR_PORTAL_URL']}/_emulator/status",
            headers={"Authorization": f"Bearer {values['SCALEKIT_EMULATOR_CONTROL_TOKEN']}"},
            timeout=5,
        ).json()
        assert "feature-name-scim" in status["readings"] and "feature-name-dir_sync" not in status["readings"]
        assert status["allowed_origins"] == ["http://localhost:8501"]
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert "Scalekit emulator ready" in output
    assert "emulator-local-secret" not in output and values["SCALEKIT_EMULATOR_CONTROL_TOKEN"] not in output


@pytest.mark.slow
def test_the_emulator_imports_nothing_from_portal_desk() -> None:
    code = (
        "import sys, scalekit_emulator.__main__; print(any(m.startswith('dashboard') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_seed_is_deterministic_and_realistic() -> None:
    first, again, other = generate(3, 200), generate(3, 200), generate(4, 200)
    assert [o.id for o in first.orgs] == [o.id for o in again.orgs]
    assert [o.display_name for o in first.orgs] == [o.display_name for o in again.orgs]
    assert {o.id for o in first.orgs}.isdisjoint({o.id for o in other.orgs})
    assert len({o.display_name for o in first.orgs}) == 200
    assert {c.status for c in first.connections} == {"DRAFT", "IN_PROGRESS", "COMPLETED"}
    assert len({c.organization_id for c in first.connections}) < 200  # some have no SSO at all
    assert {"OKTA", "MICROSOFT_AD", "GOOGLE"} <= {c.provider for c in first.connections}
    assert any(d.enabled for d in first.directories)
    spread = max(o.create_time for o in first.orgs) - min(o.create_time for o in first.orgs)
    assert spread.days > 600
    assert len(generate(7, 10_000).orgs) == 10_000


@pytest.mark.slow
def test_pip_install_gives_the_emulator_and_its_command(tmp_path: Path) -> None:
    import zipfile

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            ".",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            tmp_path,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scalekit_emulator/web/portal_page.html" in names
    assert not any(name.startswith(("dashboard/", "tests/", "pages/")) for name in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "scalekit-emulator = scalekit_emulator.__main__:main" in scripts
