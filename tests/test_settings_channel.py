"""How make run's facts reach the pages' settings: an object in this process, not os.environ."""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard import local_stack, runtime

RELAY = "http://127.0.0.1:8611"


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Path]:
    env_file = tmp_path / "emulator.env"
    env_file.write_text("")
    local_stack.STARTED.env_file, local_stack.STARTED.relay_url = str(env_file), RELAY
    try:
        yield env_file
    finally:
        local_stack.STARTED.clear()


def test_the_pages_settings_see_the_stack_this_server_started(started: Path) -> None:
    before = dict(os.environ)
    config = runtime.settings()
    assert (config.relay_url, config.emulator_env_file) == (RELAY, str(started))
    assert dict(os.environ) == before  # nothing told through the environment
    local_stack.STARTED.clear()
    assert runtime.settings().relay_url is None


def test_a_bad_address_from_the_stack_is_still_checked(started: Path) -> None:
    local_stack.STARTED.relay_url = "http://127.0.0.1:8611/i"
    with pytest.raises(Exception, match="DASHBOARD_RELAY_URL must not end in /i"):
        runtime.settings()


def test_the_worker_gets_the_relay_address_in_its_own_environment(tmp_path: Path) -> None:
    env_file = tmp_path / "emulator.env"
    env = local_stack.worker_environment(env_file, RELAY)
    assert env["DASHBOARD_RELAY_URL"] == RELAY
    assert env[local_stack.ENV_FILE_VARIABLE] == str(env_file.resolve())
    assert "DASHBOARD_RELAY_URL" not in local_stack.worker_environment(None, None)


def _environ_writes(path: Path) -> list[int]:
    """Lines that assign, delete or pop a key of os.environ (or call putenv/unsetenv)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
        for target in targets:
            if isinstance(target, ast.Subscript) and ast.unparse(target.value) == "os.environ":
                lines.append(node.lineno)
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            mutators = ("pop", "update", "setdefault", "clear", "popitem")
            if called in ("os.putenv", "os.unsetenv") or called in {f"os.environ.{m}" for m in mutators}:
                lines.append(node.lineno)
    return lines


def test_only_the_gateway_writes_the_environment_and_only_for_the_sdk() -> None:
    """One part of Portal Desk never tells another something through os.environ; the one write
    left is the SDK's trust roots, which its libraries read nowhere else."""
    allowed = {Path("dashboard/gateway/trust.py")}
    writes = {
        str(path): lines
        for path in sorted(Path("dashboard").rglob("*.py"))
        if path not in allowed and (lines := _environ_writes(path))
    }
    assert writes == {}
    assert _environ_writes(Path("dashboard/gateway/trust.py"))  # the check sees a write at all
