"""``make reset-demo``: the demo starts afresh, the emulator's data and the history that tells of it.

Only what ``make run`` uses on the emulator is deleted: the emulator's state file and the history
database when it is a SQLite file. With Scalekit credentials set, or a history on a database
server, nothing is deleted: that history may be a team's real one.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from scalekit_emulator.state import in_use, lock_path

from .config import Settings, load_settings
from .errors import ConfigError, PortalDeskError
from .local_stack import state_file_for


class NotTheDemo(PortalDeskError):
    """What reset-demo would delete may not be demo data, or is in use: nothing was deleted."""


@dataclass(frozen=True)
class Reset:
    deleted: tuple[Path, ...]


def demo_files(config: Settings, state_file: Path) -> tuple[Path, ...]:
    """The files that hold the demo: the emulator's state and the SQLite history (with its WAL)."""
    if not config.uses_emulator:
        raise NotTheDemo(
            "Scalekit credentials are set, so the history is not the demo's: nothing was deleted. "
            "Unset SCALEKIT_ENVIRONMENT_URL (and the client id and secret) to reset the demo."
        )
    try:
        url = make_url(config.database_url)
    except ArgumentError as exc:
        raise ConfigError("DASHBOARD_DATABASE_URL is not a database URL: nothing was deleted.") from exc
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        raise NotTheDemo(
            "The history is on a database server, not in the demo's SQLite file: nothing was deleted. "
            "Empty that database yourself if it really holds only demo data."
        )
    database = Path(url.database.removeprefix("file:"))
    beside = (database.with_name(database.name + suffix) for suffix in ("-wal", "-shm"))
    return (state_file, state_file.with_name(state_file.name + ".bad"), database, *beside)


def reset_demo(config: Settings, state_file: Path) -> Reset:
    """Delete the demo's files; NotTheDemo (nothing deleted) when they may not be demo data or
    ``make run`` is using them."""
    files = demo_files(config, state_file)
    if in_use(state_file):
        raise NotTheDemo("make run is running on this demo: stop it first (Ctrl+C), then reset.")
    deleted = []
    for path in (*files, lock_path(state_file)):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        deleted.append(path)
    return Reset(tuple(deleted))


def main() -> int:
    try:
        config = load_settings(dotenv_path=os.environ.get("DASHBOARD_DOTENV", ".env"))
        done = reset_demo(config, state_file_for(config))
    except PortalDeskError as error:
        print(f"reset-demo: {error}", file=sys.stderr)
        return 1
    if done.deleted:
        names = ", ".join(map(str, done.deleted))
        print(f"The demo starts afresh at the next make run: deleted {names}.")
    else:
        print("Nothing to delete: the next make run starts the demo afresh anyway.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
