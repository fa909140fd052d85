"""Every misconfiguration a person can make is a sentence on every page, never a traceback, and
changes nothing on disk."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dashboard.errors import ConfigError, StoreError
from dashboard.history import History

from .apptest import open_page, rendered_text

PAGES = [None, "pages/share_link.py", "pages/portal_preview.py", "pages/issuance_stats.py"]


def snapshot(folder: Path) -> dict[str, object]:
    """What is on disk, as content: a database's rows and schema (its WAL files come and go as
    SQLite opens it), any other file's bytes."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(("-wal", "-shm")):
            continue
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as raw:
                found[str(path)] = list(raw.iterdump())
        except sqlite3.DatabaseError:
            found[str(path)] = path.read_bytes()
    return found


def newer_database(folder: Path) -> str:
    path = folder / "newer.db"
    History(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    return f"sqlite:///{path}"


def garbage_file(folder: Path) -> str:
    path = folder / "not-a-db.db"
    path.write_bytes(b"this is a spreadsheet export, not a database\n" * 200)
    return f"sqlite:///{path}"


def under_a_file(folder: Path) -> str:
    (folder / "blocker").write_text("a file where a folder should be")
    return f"sqlite:///{folder / 'blocker' / 'history.db'}"


CASES = [
    ("not a url", lambda folder: "this is not a url", "is not a database URL"),
    (
        "no driver",
        lambda folder: "mysql://desk:s3cret@db.example/portal",
        "driver Portal Desk does not have",
    ),
    (
        "postgresql not answering",
        lambda folder: "postgresql://desk:s3cret@127.0.0.1:1/portal",
        "does not answer",
    ),
    (
        "port not a number",
        lambda folder: "postgresql://desk:s3cret@db.example:54x2/portal",
        "has a port that is not a number",
    ),
    ("sqlite in memory", lambda folder: "sqlite://", "SQLite database, which every connection sees empty"),
    ("path under a file", under_a_file, "cannot create the folder"),
    ("schema newer than the code", newer_database, "written by a newer Portal Desk"),
    ("unreadable file", garbage_file, "not a database Portal Desk can read"),
]


@pytest.mark.parametrize(("name", "make_url", "sentence"), CASES, ids=[c[0] for c in CASES])
def test_every_page_says_it_and_nothing_changes(
    name: str, make_url, sentence: str, app_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    url = make_url(folder)
    monkeypatch.setenv("DASHBOARD_DATABASE_URL", url)
    before = snapshot(folder)
    for page in PAGES:
        at = open_page(page)
        assert not at.exception, (page, at.exception)
        assert any(sentence in e.value for e in at.error), (page, [e.value for e in at.error])
        assert "s3cret" not in rendered_text(at)
    assert snapshot(folder) == before


@pytest.mark.parametrize(("name", "make_url", "sentence"), CASES, ids=[c[0] for c in CASES])
def test_the_history_refuses_with_the_same_sentence(
    name: str, make_url, sentence: str, tmp_path: Path
) -> None:
    with pytest.raises((ConfigError, StoreError), match=sentence) as info:
        History(make_url(tmp_path))
    assert "s3cret" not in str(info.value)
