"""Reproducible installs: requirements*.txt say which ranges Portal Desk works with, the locks
(``make lock``) pin one version of everything with its hashes, and make installs from the locks
with ``--require-hashes``, so a fresh clone gets exactly the locked versions or stops."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCKS = ("requirements.lock", "requirements-test.lock")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pins(lock: str) -> dict[str, str]:
    return {
        canonicalize_name(match[1]): match[2]
        for line in (ROOT / lock).read_text().splitlines()
        if (match := PIN.match(line))
    }


def ranges(requirements: str) -> list[Requirement]:
    wanted = []
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            wanted.append(Requirement(line))
    return wanted


def test_every_locked_package_has_hashes_so_pip_installs_exactly_it() -> None:
    for lock in LOCKS:
        text = (ROOT / lock).read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
        unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
        assert pins(lock) and unhashed == [], lock
        # pip-compile lists here what it left out (setuptools without --allow-unsafe): pip would
        # then refuse a fresh install in hash-checking mode.
        assert "were not pinned" not in text, f"{lock}: make lock pins every package"


def test_the_locks_are_within_the_ranges_the_requirements_allow() -> None:
    runtime, test = pins("requirements.lock"), pins("requirements-test.lock")
    for requirements, locked in (("requirements.txt", runtime), ("requirements-test.txt", test)):
        outside = {
            str(wanted): locked.get(canonicalize_name(wanted.name))
            for wanted in ranges(requirements)
            if locked.get(canonicalize_name(wanted.name)) not in wanted.specifier
        }
        assert outside == {}, f"{requirements} changed since the lock: run make lock"
    # The test lock pins the runtime's packages at the runtime lock's versions.
    assert {name: test.get(name) for name in runtime} == runtime


def test_the_installed_packages_are_the_locked_versions() -> None:
    def installed(name: str) -> str | None:
        try:
            return version(name)
        except PackageNotFoundError:
            return None

    locked = {**pins("requirements.lock"), **pins("requirements-test.lock")}
    drifted = {name: (pinned, installed(name)) for name, pinned in locked.items()}
    drifted = {name: found for name, found in drifted.items() if found[0] != found[1]}
    assert drifted == {}, "installed versions differ from the locks: make test installs them"
