"""Which portal messages count, and what is kept of them."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import preview
from dashboard.history import History
from dashboard.models import PortalLink
from dashboard.organizations import history_timeline

SSO_ON = {
    "event_type": "ORGANIZATION_SSO_ENABLED",
    "object": "connection",
    "organization_id": "org_1",
    "message": "SSO connection enabled",
    "received_at": "2026-11-28T10:00:00.000Z",
    "data": {"connection_type": "SSO", "id": "conn_1", "type": "SAML", "provider": "OKTA", "enabled": True},
}


def test_origin_of_a_link() -> None:
    assert preview.origin_of("http://127.0.0.1:4242/magicLink/abc") == "http://127.0.0.1:4242"
    assert preview.origin_of("https://acme.scalekit.dev/magicLink/x_p") == "https://acme.scalekit.dev"


def test_only_documented_events_about_this_org_are_kept(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    raws = [
        SSO_ON,
        {**SSO_ON, "organization_id": "org_2"},  # another organization
        {**SSO_ON, "event_type": "SOMETHING_ELSE"},
        "not an object",
        {**SSO_ON, "event_type": "PORTAL_SESSION_EXPIRY", "object": "session", "message": "x" * 900},
    ]
    stored = preview.record_new_events(
        history, raws, org_id="org_1", environment="emulator", actor="ana@portal.test"
    )
    assert [e.event_type for e in stored] == ["ORGANIZATION_SSO_ENABLED", "PORTAL_SESSION_EXPIRY"]
    assert len(stored[1].message) == preview.MESSAGE_MAX
    [kept] = [
        e for e in history.events.for_organization("emulator", "org_1") if e.event_type.endswith("ENABLED")
    ]
    assert json.loads(kept.payload)["data"]["provider"] == "OKTA"
    assert "received_at" not in json.loads(kept.payload)  # the browser's clock is not part of the event
    seen = sqlite3.connect(tmp_path / "h.db").execute("SELECT organization_id, source FROM sso_observation")
    assert seen.fetchall() == [("org_1", "preview")]  # the rep's doing, not the customer's


def test_the_snippet_respects_the_minimum_height() -> None:
    assert 'height="600"' in preview.iframe_snippet(300)
    assert 'allow="clipboard-write"' in preview.iframe_snippet(700)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=50), children, max_size=8)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(
    event_type=st.sampled_from(["ORGANIZATION_SSO_ENABLED", "PORTAL_SESSION_EXPIRY", "OTHER"])
    | st.text(max_size=20),
    message=JSONISH,
    data=JSONISH,
    kind=JSONISH,
)
def test_any_message_parses_to_nothing_or_to_small_valid_json(event_type, message, data, kind) -> None:
    raw = {
        "event_type": event_type,
        "organization_id": "org_1",
        "message": message,
        "data": data,
        "object": kind,
    }
    event = preview.parse_event(raw, "org_1", "emulator")
    if event is None:
        assert event_type not in preview.PORTAL_EVENT_TYPES
        return
    parsed = json.loads(event.payload)  # always valid JSON
    assert len(event.payload) < 6_000 and len(event.message) <= preview.MESSAGE_MAX
    assert set(parsed) == {"event_type", "object", "organization_id", "message", "data"}
    assert all(not isinstance(v, dict | list) for v in parsed["data"].values())


def test_a_megabyte_event_is_cut_and_stays_readable(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    huge = {**SSO_ON, "message": "x" * 1_000_000, "data": {f"k{n}": "y" * 10_000 for n in range(500)}}
    [stored] = preview.record_new_events(
        history, [huge], org_id="org_1", environment="emulator", actor="ana@portal.test"
    )
    assert len(stored.payload) < 6_000
    [read] = history.events.for_organization("emulator", "org_1")
    assert read.message == "x" * preview.MESSAGE_MAX


def test_a_flood_of_events_is_capped_per_session(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    budget = preview.EventBudget()
    stored = preview.record_new_events(
        history,
        [SSO_ON] * 300,
        org_id="org_1",
        environment="emulator",
        actor="ana@portal.test",
        budget=budget,
    )
    assert len(stored) == budget.limit and budget.dropped == 300 - budget.limit
    assert len(history.events.for_organization("emulator", "org_1")) == budget.limit


def test_preview_events_are_the_reps_doing_and_never_the_customers_conversion(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    enabled_at = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
    preview.record_new_events(
        history, [SSO_ON], org_id="org_1", environment="emulator", actor="ana@portal.test"
    )
    [event] = history.events.for_organization("emulator", "org_1")
    assert event.actor == "ana@portal.test"
    # A later status check sees SSO enabled: the preview explains it, so it is not the customer's.
    history.events.observe_sso_enabled("emulator", "org_1", enabled_at + dt.timedelta(hours=1), "status")
    assert history.events.sso_enabled_at("emulator", "org_1")[1] == "preview"
    entries = history_timeline([], [], history.events.for_organization("emulator", "org_1"),
                               history.events.sso_enabled_at("emulator", "org_1"), enabled_at)  # fmt: skip
    assert [e.who for e in entries if e.what.startswith("Portal:")] == [
        "changed by ana@portal.test in preview"
    ]
    assert any("not counted as the customer's" in e.what for e in entries)
    # Switched off again in the preview: the next enabling is unexplained, so a status check counts it.
    sso_off = {**SSO_ON, "event_type": "ORGANIZATION_SSO_DISABLED", "message": "SSO connection disabled"}
    preview.record_new_events(
        history, [sso_off], org_id="org_1", environment="emulator", actor="ana@portal.test"
    )
    assert history.events.sso_enabled_at("emulator", "org_1") is None
    later = enabled_at + dt.timedelta(days=2)
    history.events.observe_sso_enabled("emulator", "org_1", later, "status")
    assert history.events.sso_enabled_at("emulator", "org_1") == (later, "status")


def test_each_preview_session_has_its_own_moving_window() -> None:
    first, second = preview.EventBudget(limit=2, per_s=1), preview.EventBudget(limit=2, per_s=1)
    assert [first.allow() for _ in range(3)] == [True, True, False] and first.dropped == 1
    assert second.allow()  # another session's flood never spends this one's budget
    deadline = time.monotonic() + 5
    while not first.allow():  # the window slides: events are accepted again within a second
        assert time.monotonic() < deadline
        time.sleep(0.05)


# The docs' payloads, as the emulator posts them (README: the eight documented events).
DOCUMENTED = [
    SSO_ON,
    {**SSO_ON, "event_type": "ORGANIZATION_SSO_DISABLED", "data": {**SSO_ON["data"], "enabled": False}},
    {
        "event_type": "ORGANIZATION_DIRECTORY_ENABLED",
        "object": "directory",
        "organization_id": "org_1",
        "message": "Directory enabled",
        "data": {"directory_type": "SCIM", "id": "dir_1", "provider": "OKTA", "enabled": True},
    },
    {
        "event_type": "ORGANIZATION_DIRECTORY_DISABLED",
        "object": "directory",
        "organization_id": "org_1",
        "message": "Directory disabled",
        "data": {"directory_type": "SCIM", "id": "dir_1", "provider": "OKTA", "enabled": False},
    },
    {
        "event_type": "PORTAL_LOAD_SUCCESS",
        "object": "portal",
        "organization_id": "org_1",
        "message": "Portal loaded",
        "data": {"features": "sso", "expiry": "2026-11-28T16:00:00Z"},
    },
    {
        "event_type": "PORTAL_LOAD_FAILURE",  # no organization_id in the docs' payload
        "object": "portal",
        "message": "Portal failed to load",
        "data": {"error_code": "SESSION_EXPIRED"},
    },
    {
        "event_type": "PORTAL_SESSION_WARNING",
        "object": "session",
        "organization_id": "org_1",
        "message": "Session expires in 5 minutes",
        "data": {"expiry": "2026-11-28T16:00:00Z"},
    },
    {
        "event_type": "PORTAL_SESSION_EXPIRY",
        "object": "session",
        "organization_id": "org_1",
        "message": "Session expired",
        "data": {"expiry": "2026-11-28T16:00:00Z"},
    },
]


def test_all_eight_documented_events_are_kept_as_the_docs_shape_them(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    stored = preview.record_new_events(
        history, DOCUMENTED, org_id="org_1", environment="emulator", actor="ana@portal.test"
    )
    assert [e.event_type for e in stored] == [e["event_type"] for e in DOCUMENTED]
    assert set(preview.PORTAL_EVENT_TYPES) == {e["event_type"] for e in DOCUMENTED}
    failure = json.loads(stored[5].payload)
    assert failure["organization_id"] == "org_1" and failure["data"] == {"error_code": "SESSION_EXPIRED"}
    assert json.loads(stored[7].payload)["data"]["expiry"] == "2026-11-28T16:00:00Z"
    assert len(history.events.for_organization("emulator", "org_1")) == 8
    # Only events that say nothing of their organization may leave it out; none may name another.
    assert preview.parse_event({**DOCUMENTED[5], "organization_id": "org_2"}, "org_1", "emulator") is None
    no_org = {k: v for k, v in SSO_ON.items() if k != "organization_id"}
    assert preview.parse_event(no_org, "org_1", "emulator") is None


def test_a_load_failure_or_an_expiry_ends_the_preview_session_with_a_sentence(tmp_path: Path) -> None:
    history = History(f"sqlite:///{tmp_path}/h.db")
    link = PortalLink("lnk_1", "org_1", None, "http://127.0.0.1:1/magicLink/x")
    for ending, sentence in [
        (DOCUMENTED[5], "The portal did not load: its single-use link was already used"),
        (DOCUMENTED[7], "The portal session has expired."),
    ]:
        session = preview.PreviewSession(key=("org_1", ("sso",)), link=link)
        session.take([{**DOCUMENTED[4], "seq": 1}], history, org_id="org_1", environment="e", actor="ana")
        assert session.ended is None and not session.expired
        session.take([{**ending, "seq": 2}], history, org_id="org_1", environment="e", actor="ana")
        assert session.ended is not None and session.ended.startswith(sentence) and session.expired
