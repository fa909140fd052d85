"""make reset-demo: the emulator's state and the demo's history go, nothing else; never a history
that may be a team's real one, nor while make run uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.config import Settings
from dashboard.demo_reset import NotTheDemo, reset_demo
from dashboard.local_stack import state_file_for
from scalekit_emulator import Emulator

REPO = Path(__file__).resolve().parents[1]


def _demo(folder: Path) -> tuple[Settings, Path, list[Path]]:
    data = folder / "data"
    data.mkdir()
    state = data / "emulator-state.json"
    made = [state, data / "emulator-state.json.bad", data / "issuance.db", data / "issuance.db-wal"]
    for path in made:
        path.write_text("demo")
    (data / "sign-in-secrets.json").write_text("{}")  # kept: everyone stays signed in
    return Settings(database_url=f"sqlite:///{data}/issuance.db"), state, made


def test_the_demo_files_are_deleted_and_nothing_else(tmp_path: Path) -> None:
    config, state, made = _demo(tmp_path)
    done = reset_demo(config, state)
    assert set(done.deleted) == set(made)
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["sign-in-secrets.json"]
    assert reset_demo(config, state).deleted == ()  # twice is harmless


LIVE = {"environment_url": "https://acme.scalekit.com", "client_id": "skc_1", "client_secret": "x"}


@pytest.mark.parametrize(
    ("live", "url"),
    [(LIVE, "sqlite:///{data}/issuance.db"), ({}, "postgresql+psycopg://portal:pw@db.internal/portal_desk")],
    ids=["live-credentials", "database-server"],
)
def test_a_history_that_may_be_real_is_never_deleted(tmp_path: Path, live: dict, url: str) -> None:
    _, state, made = _demo(tmp_path)
    config = Settings(**live, database_url=url.format(data=tmp_path / "data"))
    with pytest.raises(NotTheDemo, match="nothing was deleted"):
        reset_demo(config, state)
    assert all(path.exists() for path in made)


def test_nothing_is_deleted_while_an_emulator_keeps_the_state(tmp_path: Path) -> None:
    config, state, made = _demo(tmp_path)
    state.unlink()
    with Emulator(orgs=1, state_file=state), pytest.raises(NotTheDemo, match="stop it first"):
        reset_demo(config, state)
    assert state.exists() and all(path.exists() for path in made[1:])
    assert set(reset_demo(config, state).deleted) >= set(made)


@pytest.mark.slow
def test_the_command_make_runs(tmp_path: Path) -> None:
    """``make reset-demo`` runs ``python -m dashboard.demo_reset`` in the checkout: data/ there."""
    _, _, made = _demo(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(REPO), "DASHBOARD_DOTENV": ""}
    env.pop("DASHBOARD_DATABASE_URL", None)  # the default: data/issuance.db, beside the state
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.demo_reset"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "starts afresh" in done.stdout and not any(path.exists() for path in made)
    again = subprocess.run(
        [sys.executable, "-m", "dashboard.demo_reset"],
        cwd=tmp_path,
        env={
            **env,
            "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.com",
            "SCALEKIT_CLIENT_ID": "c",
            "SCALEKIT_CLIENT_SECRET": "s",
        },
        capture_output=True,
        text=True,
    )
    assert again.returncode == 1 and "nothing was deleted" in again.stderr


def test_the_emulator_keeps_its_data_beside_the_history_that_mentions_it(tmp_path: Path) -> None:
    """A test's or a second checkout's history never meets make run's organizations."""
    assert state_file_for(Settings()) == Path("data") / "emulator-state.json"  # make run's default
    mine = Settings(database_url=f"sqlite:///{tmp_path}/issuance.db")
    assert state_file_for(mine) == tmp_path / "emulator-state.json"
    server = Settings(database_url="postgresql+psycopg://desk@db.internal/portal_desk")
    assert state_file_for(server) == Path("data") / "emulator-state.json"
