"""Every setting is checked at start: a bad value is one ConfigError sentence naming the variable,
never a traceback of another type, and never a setting silently ignored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard.config import ConfigError, Settings, load_settings
from dashboard.invitations import invitation_url

from .apptest import open_page
from .apptest import read as seen

LIVE = {
    "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev",
    "SCALEKIT_CLIENT_ID": "skc_123",
    "SCALEKIT_CLIENT_SECRET": "top-secret-value",
}
ON = ["1", "true", "yes", "on", "ON", "True", " Yes "]
OFF = ["0", "false", "no", "off", "OFF", "False", " No "]
SWITCHES = {"DASHBOARD_SIGN_IN": "sign_in", "DASHBOARD_DEMO_HISTORY": "demo_history"}


def read(environ: dict[str, str]) -> Settings:
    return load_settings(environ, dotenv_path=None)


def refused(environ: dict[str, str], key: str) -> str:
    """The sentence a bad value gets: a ConfigError (any other type fails the test as it is)
    that names the variable and reads as a sentence."""
    with pytest.raises(ConfigError) as info:
        read(environ)
    sentence = str(info.value)
    assert key in sentence and sentence.endswith("."), sentence
    return sentence


# -- one parser for every on/off setting ---------------------------------------------------------


@pytest.mark.parametrize("key", sorted(SWITCHES))
@pytest.mark.parametrize(("words", "expected"), [(ON, True), (OFF, False)])
def test_every_switch_reads_the_same_words(key: str, words: list[str], expected: bool) -> None:
    for word in words:
        assert getattr(read({key: word}), SWITCHES[key]) is expected, word


@pytest.mark.parametrize("key", sorted(SWITCHES))
def test_an_unknown_switch_word_is_refused_with_the_accepted_ones(key: str) -> None:
    sentence = refused({key: "maybe"}, key)
    assert "'maybe'" in sentence
    assert all(word in sentence for word in ("1/0", "true/false", "yes/no", "on/off"))


def test_unset_switches_keep_their_defaults() -> None:
    settings = read({"DASHBOARD_SIGN_IN": "", "DASHBOARD_DEMO_HISTORY": " "})
    assert settings.sign_in and settings.demo_history


# -- numbers in range ----------------------------------------------------------------------------

GOOD_NUMBERS = [
    ("DASHBOARD_RELAY_PORT", "1", "relay_port", 1),
    ("DASHBOARD_RELAY_PORT", "65535", "relay_port", 65535),
    ("DASHBOARD_EMULATOR_SEED", "0", "emulator_seed", 0),
    ("DASHBOARD_EMULATOR_SEED", "123456789", "emulator_seed", 123456789),
    ("DASHBOARD_EMULATOR_ORGS", "1", "emulator_orgs", 1),
    ("SCALEKIT_CALL_TIMEOUT", "0.5", "call_timeout_s", 0.5),
    ("DASHBOARD_EMULATOR_PORTAL_SESSION_TTL", "60", "emulator_portal_session_s", 60.0),
    ("DASHBOARD_EMULATOR_LATENCY_MS", "0", "emulator_latency_ms", 0.0),
    ("DASHBOARD_EMULATOR_LATENCY_MS", "80", "emulator_latency_ms", 80.0),
]

BAD_NUMBERS = [
    ("DASHBOARD_RELAY_PORT", "99999"),
    ("DASHBOARD_RELAY_PORT", "0"),
    ("DASHBOARD_RELAY_PORT", "-1"),
    ("DASHBOARD_RELAY_PORT", "8502.5"),
    ("DASHBOARD_RELAY_PORT", "http"),
    ("DASHBOARD_EMULATOR_SEED", "-1"),
    ("DASHBOARD_EMULATOR_SEED", "seven"),
    ("DASHBOARD_EMULATOR_ORGS", "0"),
    ("DASHBOARD_EMULATOR_ORGS", "-5"),
    ("DASHBOARD_EMULATOR_ORGS", "1000000000"),
    ("SCALEKIT_CALL_TIMEOUT", "0"),
    ("SCALEKIT_CALL_TIMEOUT", "-2"),
    ("SCALEKIT_CALL_TIMEOUT", "nan"),
    ("SCALEKIT_CALL_TIMEOUT", "inf"),
    ("SCALEKIT_CALL_TIMEOUT", "soon"),
    ("DASHBOARD_EMULATOR_PORTAL_SESSION_TTL", "0"),
    ("DASHBOARD_EMULATOR_PORTAL_SESSION_TTL", "1e30"),
    ("DASHBOARD_EMULATOR_LATENCY_MS", "-1"),
    ("DASHBOARD_EMULATOR_LATENCY_MS", "nan"),
    ("DASHBOARD_EMULATOR_LATENCY_MS", "1e12"),
]


@pytest.mark.parametrize(("key", "raw", "attribute", "expected"), GOOD_NUMBERS)
def test_numbers_in_range_are_read(key: str, raw: str, attribute: str, expected: float) -> None:
    assert getattr(read({key: raw}), attribute) == expected


@pytest.mark.parametrize(("key", "raw"), BAD_NUMBERS)
def test_numbers_out_of_range_say_the_range(key: str, raw: str) -> None:
    sentence = refused({key: raw}, key)
    assert "must be a" in sentence and repr(raw) in sentence


def test_a_port_sentence_names_the_port_range() -> None:
    assert "from 1 to 65535" in refused({"DASHBOARD_RELAY_PORT": "99999"}, "DASHBOARD_RELAY_PORT")


# -- the relay's public address ------------------------------------------------------------------

BAD_RELAY_URLS = [
    ("http://", "no host name"),
    ("https://?x=", "no host name"),
    ("https://relay.example?x=1", "must not have a query"),
    ("https://relay.example/?", "must not have a query"),
    ("https://relay.example#frag", "must not have a fragment"),
    ("https://relay.example/i/", "must not end in /i"),
    ("https://relay.example/i", "must not end in /i"),
    ("https://relay.example/invite/i", "must not end in /i"),
    ("https://desk:pa55word@relay.example", "user name or password"),
    ("https://relay.example:99999", "not a valid address"),
    ("https://relay.example:http", "not a valid address"),
    ("https://[::1", "not a valid address"),
    ("https://relay.example:0", "port 0"),
    ("ftp://relay.example", "must start with https://"),
    ("relay.example", "must start with https://"),
    ("https://relay .example", "spaces"),
]


@pytest.mark.parametrize(("raw", "words"), BAD_RELAY_URLS)
def test_a_relay_url_that_would_break_invitation_urls_is_refused(raw: str, words: str) -> None:
    for environ in ({}, LIVE):
        sentence = refused({**environ, "DASHBOARD_RELAY_URL": raw}, "DASHBOARD_RELAY_URL")
        assert words in sentence
        assert "pa55word" not in sentence  # the URL is never quoted: it may carry a password


def test_live_invitations_need_https_except_on_localhost() -> None:
    sentence = refused({**LIVE, "DASHBOARD_RELAY_URL": "http://relay.example"}, "DASHBOARD_RELAY_URL")
    assert "https://" in sentence
    for local in ("http://localhost:8502", "http://127.0.0.1:8502", "http://[::1]:8502"):
        assert read({**LIVE, "DASHBOARD_RELAY_URL": local}).relay_url == local
    emulator = read({"DASHBOARD_RELAY_URL": "http://relay.example"})
    assert emulator.relay_url == "http://relay.example"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://relay.example", "https://relay.example"),
        ("https://relay.example/", "https://relay.example"),
        ("HTTPS://relay.example:8443//", "https://relay.example:8443"),
        ("https://example.com/invite", "https://example.com/invite"),
        ("https://example.com/invite/", "https://example.com/invite"),
        ("  https://example.com/team/invite/  ", "https://example.com/team/invite"),
    ],
)
def test_good_relay_urls_make_well_formed_invitation_urls(raw: str, expected: str) -> None:
    relay_url = read({**LIVE, "DASHBOARD_RELAY_URL": raw}).relay_url
    assert relay_url == expected
    parts = urlsplit(invitation_url(relay_url, "tok"))
    assert parts.scheme == "https" and parts.hostname in ("relay.example", "example.com")
    assert parts.path.endswith("/i/tok") and parts.path.count("/i/") == 1
    assert not parts.query and not parts.fragment and "//" not in parts.path


# -- Scalekit's address, files, proxies, SMTP ---------------------------------------------------

BAD_ENVIRONMENT_URLS = [
    ("https://", "no host name"),
    ("https://acme.scalekit.dev/api", "no path"),
    ("https://acme.scalekit.dev?tenant=1", "must not have a query"),
    ("https://acme.scalekit.dev#x", "must not have a fragment"),
    ("https://skc:pa55word@acme.scalekit.dev", "user name or password"),
    ("https://acme.scalekit.dev:port", "not a valid address"),
    ("http://acme.scalekit.dev", "https://"),
]


@pytest.mark.parametrize(("raw", "words"), BAD_ENVIRONMENT_URLS)
def test_a_scalekit_url_the_sdk_would_misread_is_refused(raw: str, words: str) -> None:
    sentence = refused({**LIVE, "SCALEKIT_ENVIRONMENT_URL": raw}, "SCALEKIT_ENVIRONMENT_URL")
    assert words in sentence and "pa55word" not in sentence


def test_a_scalekit_url_keeps_its_host_and_port() -> None:
    settings = read({**LIVE, "SCALEKIT_ENVIRONMENT_URL": "https://localhost:8443/"})
    assert settings.environment_url == "https://localhost:8443"
    assert settings.environment_host == "localhost:8443"


def test_a_ca_bundle_must_be_a_readable_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.pem")
    assert missing in refused({**LIVE, "SCALEKIT_CA_BUNDLE": missing}, "SCALEKIT_CA_BUNDLE")
    refused({**LIVE, "SCALEKIT_CA_BUNDLE": str(tmp_path)}, "SCALEKIT_CA_BUNDLE")  # a folder
    refused({**LIVE, "SCALEKIT_CA_BUNDLE": "x" * 5000}, "SCALEKIT_CA_BUNDLE")  # too long for the disk
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert read({**LIVE, "SCALEKIT_CA_BUNDLE": str(bundle)}).ca_bundle == str(bundle)
    # On the emulator the variable is not Portal Desk's to read (the emulator's env file sets it).
    assert read({"SCALEKIT_CA_BUNDLE": missing}).ca_bundle is None


def test_smtp_urls_and_ca_files_are_sentences(tmp_path: Path) -> None:
    smtp = {"DASHBOARD_SMTP_URL": "smtp://desk:pa55word@[::1", "DASHBOARD_SMTP_FROM": "desk@example.com"}
    assert "pa55word" not in refused(smtp, "DASHBOARD_SMTP_URL")
    good = {"DASHBOARD_SMTP_URL": "smtps://mail.example:465", "DASHBOARD_SMTP_FROM": "desk@example.com"}
    refused({**good, "DASHBOARD_SMTP_CA_FILE": str(tmp_path / "nowhere.pem")}, "DASHBOARD_SMTP_CA_FILE")


@pytest.mark.parametrize("raw", ["0.0.0.0:8502", "relay host", "http://relay", "-relay", "relay_1", "a" * 64])
def test_a_relay_host_that_cannot_be_bound_is_refused(raw: str) -> None:
    refused({"DASHBOARD_RELAY_HOST": raw}, "DASHBOARD_RELAY_HOST")


@pytest.mark.parametrize(
    "raw", ["0.0.0.0", "127.0.0.1", "::", "localhost", "relay.internal", "relay-1.example."]
)
def test_a_relay_host_is_an_address_or_a_name(raw: str) -> None:
    assert read({"DASHBOARD_RELAY_HOST": raw}).relay_host == raw


@pytest.mark.parametrize(
    "raw",
    ["10.0.0.300", "127.0.0.1; 10.0.0.1", "proxy.internal", "10.0.0.0/33", "10.0.0.1/24", "*, 10.0.0.1"],
)
def test_trusted_proxies_that_would_never_match_are_refused(raw: str) -> None:
    refused({"DASHBOARD_RELAY_TRUSTED_PROXIES": raw}, "DASHBOARD_RELAY_TRUSTED_PROXIES")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("*", "*"), ("127.0.0.1", "127.0.0.1"), (" 127.0.0.1 , 10.0.0.0/8,::1 ", "127.0.0.1,10.0.0.0/8,::1")],
)
def test_trusted_proxies_list_addresses_and_networks(raw: str, expected: str) -> None:
    assert read({"DASHBOARD_RELAY_TRUSTED_PROXIES": raw}).relay_trusted_proxies == expected


@pytest.mark.parametrize(
    "raw",
    ["postgresql://desk:s3cret@db.example:port/portal", "sqlite://", "this is not a url", "mysql://x"],
)
def test_the_database_url_is_left_to_the_history(raw: str) -> None:
    """Its sentences (driver, server, password) belong to the history package; settings must
    only carry it, whatever it is."""
    assert read({"DASHBOARD_DATABASE_URL": f" {raw} "}).database_url == raw


# -- at start, in a real process and on the pages ----------------------------------------------

STARTS = [
    {"DASHBOARD_RELAY_PORT": "99999"},
    {"DASHBOARD_DEMO_HISTORY": "perhaps"},
    {"DASHBOARD_RELAY_URL": "https://relay.example/i/"},
    {"SCALEKIT_CALL_TIMEOUT": "inf"},
    {**LIVE, "SCALEKIT_ENVIRONMENT_URL": "https://acme.scalekit.dev:99999"},
]


@pytest.mark.slow
@pytest.mark.parametrize("bad", STARTS, ids=lambda bad: sorted(bad)[-1] if len(bad) == 1 else "live")
def test_a_bad_setting_in_dotenv_stops_the_start_with_a_sentence(bad: dict[str, str], tmp_path: Path) -> None:
    """As the pages, the relay and the worker start: ``load_settings()`` reading ``.env``."""
    (tmp_path / ".env").write_text("".join(f"{key}={value}\n" for key, value in bad.items()))
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SCALEKIT_", "DASHBOARD_"))}
    started = subprocess.run(
        [sys.executable, "-c", "from dashboard.config import load_settings; load_settings()"],
        cwd=tmp_path,
        env={**environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 1
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith("dashboard.errors.ConfigError: "), started.stderr


# -- whatever is typed: a value or a sentence ----------------------------------------------------

EVERY_SETTING = [
    *LIVE,
    "SCALEKIT_CA_BUNDLE",
    "SCALEKIT_CALL_TIMEOUT",
    "DASHBOARD_DATABASE_URL",
    "DASHBOARD_OPERATOR",
    "DASHBOARD_OPERATOR_ROLE",
    "DASHBOARD_SIGN_IN",
    "DASHBOARD_PREVIEW_ORG",
    "DASHBOARD_EMULATOR_ENV_FILE",
    "DASHBOARD_RELAY_URL",
    "DASHBOARD_RELAY_HOST",
    "DASHBOARD_RELAY_PORT",
    "DASHBOARD_RELAY_TRUSTED_PROXIES",
    "DASHBOARD_RELAY_BRAND",
    "DASHBOARD_SUPPORT_CONTACT",
    "DASHBOARD_SMTP_URL",
    "DASHBOARD_SMTP_FROM",
    "DASHBOARD_SMTP_CA_FILE",
    "DASHBOARD_EMULATOR_ORGS",
    "DASHBOARD_EMULATOR_SEED",
    "DASHBOARD_DEMO_HISTORY",
    "DASHBOARD_EMULATOR_PORTAL_SESSION_TTL",
    "DASHBOARD_EMULATOR_LATENCY_MS",
]
ODD_VALUES = [
    " ", "\x00", "a\x00b", "é", "-0", "1e400", "-1e400", "0x10", "١٢", "9" * 400, "x" * 5000, "nan",
    "1_0", "[", "%", "\n", "/", "/nonexistent", "//host", "https:host", "https://:80", "https://@host",
    "https://h:", "http://[", "https://[::1", "https://[::1]x", "https://a:65536", "https://a:-1",
    "https://a b", "https://a.b/c?d#e", "https:///path", "https://h/i", "javascript:alert(1)",
    "smtp://a:99999", "smtps://", "smtp://u:p@h:x", "smtp://[::1]:x",
]  # fmt: skip


@pytest.mark.parametrize("key", EVERY_SETTING)
def test_no_value_of_any_setting_is_anything_but_a_value_or_a_sentence(key: str) -> None:
    smtp = {"DASHBOARD_SMTP_URL": "smtps://mail.example", "DASHBOARD_SMTP_FROM": "desk@example.com"}
    for base in ({}, LIVE, smtp):
        for value in ODD_VALUES:
            try:
                read({**base, key: value})
            except ConfigError as error:  # anything else fails the test with its traceback
                assert str(error).endswith("."), (key, value, str(error))


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [
        ("DASHBOARD_DEMO_HISTORY", "perhaps", "must be on or off"),
        ("DASHBOARD_RELAY_URL", "https://relay.example/i/", "must not end in /i"),
        ("DASHBOARD_EMULATOR_ORGS", "0", "must be a whole number from 1"),
    ],
)
def test_the_pages_say_the_sentence_and_nothing_else(
    key: str, raw: str, words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", f"sqlite:///{tmp_path}/history.db")
    monkeypatch.setenv(key, raw)
    at = open_page()
    assert not at.exception
    assert [seen(e.value) for e in at.error] == [refused({key: raw}, key)]
    assert words in seen(at.error[0].value)
    assert not (tmp_path / "history.db").exists()  # nothing started, nothing written
