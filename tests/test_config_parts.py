"""Settings per part, on pydantic-settings: each part reads its own variables, through our checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from dashboard import config_checks, config_parts
from dashboard.config import ConfigError, load_settings
from dashboard.config_parts import Check, EmulatorPart, Part, RelayPart, SmtpPart, WorkerPart, read, reading

PARTS = [
    config_parts.ScalekitPart,
    config_parts.PagesPart,
    config_parts.HistoryPart,
    RelayPart,
    SmtpPart,
    config_parts.NotificationsPart,
    EmulatorPart,
    WorkerPart,
]


def test_each_part_reads_its_own_variables() -> None:
    values = {
        "DASHBOARD_RELAY_PORT": " 9000 ",
        "DASHBOARD_SUPPORT_CONTACT": "Ana",
        "DASHBOARD_EMULATOR_ORGS": "3",
        "DASHBOARD_EMULATOR_READINGS": "a  b",
        "DASHBOARD_SMTP_FROM": "desk@example.com",
        "DASHBOARD_WORKER": "off",
        "DASHBOARD_WORKER_WATCH_S": "2.5",
    }
    with reading(values):
        relay, emulator, smtp, worker = read(RelayPart), read(EmulatorPart), read(SmtpPart), read(WorkerPart)
        assert worker.intervals() == (("watch", 2.5),)
    assert (relay.port, relay.support_contact, relay.url) == (9000, "Ana", None)
    assert (emulator.orgs, emulator.readings) == (3, ("a", "b"))
    assert (smtp.sender, smtp.settings()) == ("desk@example.com", None)  # no URL: no SMTP at all
    assert worker.worker is False


def test_the_variable_names_are_the_documented_ones() -> None:
    assert RelayPart.variable("support_contact") == "DASHBOARD_SUPPORT_CONTACT"
    assert SmtpPart.variable("sender") == "DASHBOARD_SMTP_FROM"
    assert config_parts.ScalekitPart.variable("call_timeout") == "SCALEKIT_CALL_TIMEOUT"
    assert EmulatorPart.variable("portal_session_ttl") == "DASHBOARD_EMULATOR_PORTAL_SESSION_TTL"


def test_only_the_given_variables_count_not_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_RELAY_PORT", "9000")
    assert load_settings({}, dotenv_path=None).relay_port == 8502
    assert load_settings(dotenv_path=None).relay_port == 9000


def test_a_lower_case_name_is_not_a_setting() -> None:
    assert load_settings({"dashboard_relay_port": "9000"}, dotenv_path=None).relay_port == 8502


class _Odd(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_ODD_")
    count: int = 1  # no check of ours: pydantic refuses on its own


def test_a_refusal_pydantic_makes_itself_is_a_sentence_naming_the_variable() -> None:
    with reading({"DASHBOARD_ODD_COUNT": "many"}), pytest.raises(ConfigError) as info:
        read(_Odd)
    assert str(info.value).startswith("DASHBOARD_ODD_COUNT cannot be read: ")
    assert str(info.value).endswith(".")
    assert "many" not in str(info.value)  # a value may be a secret: never quoted by pydantic


def test_every_switch_reads_the_same_words() -> None:
    """One boolean parser: pydantic's own (which takes t/f/y/n) reads no setting."""
    switches = {
        part.variable(name): [m.read for m in field.metadata if isinstance(m, Check)]
        for part in PARTS
        for name, field in part.model_fields.items()
        if field.annotation is bool
    }
    assert switches and all(readers == [config_checks.switch] for readers in switches.values()), switches
    for variable in switches:
        with pytest.raises(ConfigError, match=f"{variable} must be on or off"):
            load_settings({variable: "t"}, dotenv_path=None)


LIVE = {
    "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev",
    "SCALEKIT_CLIENT_ID": "skc_123",
    "SCALEKIT_CLIENT_SECRET": "top-secret-value",
}


def test_the_same_variables_read_again_still_check_the_files(tmp_path: Path) -> None:
    """Read again and again (every rerun), the settings are kept, but a CA bundle removed since
    is still a sentence at once, and a changed value applies at once."""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    environ = {**LIVE, "SCALEKIT_CA_BUNDLE": str(bundle)}
    first = load_settings(environ, dotenv_path=None)
    assert load_settings(environ, dotenv_path=None) is first
    assert load_settings({**environ, "DASHBOARD_RELAY_PORT": "9000"}, dotenv_path=None).relay_port == 9000
    bundle.unlink()
    with pytest.raises(ConfigError, match=r"SCALEKIT_CA_BUNDLE names .* which is not a file"):
        load_settings(environ, dotenv_path=None)
