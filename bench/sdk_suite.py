"""The official Python SDK's live-environment tests, run against a standalone emulator.

    python -m bench.sdk_suite [PATH_TO_scalekit-sdk-python] [--reading NAME ...]

PATH (or SCALEKIT_SDK_PYTHON_DIR) is a checkout of github.com/scalekit-inc/scalekit-sdk-python;
without one this says so and stops (the vendor's code is never part of this repository). The
tests run with the SDK installed here, against ``python -m scalekit_emulator --env-file``.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dotenv import dotenv_values

# The suites about what the emulator serves: organizations, connections, directories, domains.
SUITES = (
    "test_organization.py",
    "test_connection.py",
    "test_directory.py",
    "test_domain.py",
    "test_organization_session_policy.py",
    "test_organization_slug_logo.py",
)


def run(checkout: Path, readings: list[str]) -> int:
    tests = checkout / "tests"
    missing = [name for name in SUITES if not (tests / name).is_file()]
    if missing:
        print(f"{checkout} has no tests/{missing[0]}: not a checkout of scalekit-sdk-python; skipped.")
        return 0
    with tempfile.TemporaryDirectory(prefix="sdk-suite-") as folder:
        env_file = Path(folder) / "emulator.env"
        command = [sys.executable, "-m", "scalekit_emulator", "--env-file", str(env_file)]
        command += [arg for name in readings for arg in ("--reading", name)]
        emulator = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while not env_file.is_file():
                if emulator.poll() is not None or time.monotonic() > deadline:
                    print("the emulator did not start")
                    return 1
                time.sleep(0.1)
            values = {k: v or "" for k, v in dotenv_values(env_file).items()}
            env = {k: v for k, v in os.environ.items() if not k.startswith("SCALEKIT_")}
            env.update(values)
            env["SCALEKIT_ENV_URL"] = values["SCALEKIT_ENVIRONMENT_URL"]  # the name the suite reads
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "-p",
                    "no:randomly",
                    "--rootdir",
                    str(tests),
                    *SUITES,
                ],
                cwd=tests,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
    failed = re.findall(r"^FAILED (\S+)", result.stdout, flags=re.MULTILINE)
    passed = re.search(r"(\d+) passed", result.stdout)
    count = int(passed.group(1)) if passed else 0
    print(f"official SDK suite against the emulator: {count} of {count + len(failed)} passed")
    for name in failed:
        print(f"  failed: {name}")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkout", nargs="?", default=os.environ.get("SCALEKIT_SDK_PYTHON_DIR", ""))
    parser.add_argument("--reading", action="append", default=[])
    args = parser.parse_args()
    if not args.checkout:
        print("no scalekit-sdk-python checkout given (argument or SCALEKIT_SDK_PYTHON_DIR); skipped.")
        return 0
    return run(Path(args.checkout), args.reading)


if __name__ == "__main__":
    sys.exit(main())
