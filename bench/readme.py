"""Rewrite the README's performance figures from the benches themselves.

Every figure in the README's Performance section sits in a block that names the command which
produced it::

    <!-- bench: python -m bench.emulator_start --orgs 40 1000 -->
    (what the command printed: its tables, their titles, the load average)
    <!-- /bench -->

``python -m bench.readme`` runs each block's command and puts back what it printed, so a figure
is never typed by hand and its command is always beside it. ``--only emulator_start`` reruns the
blocks of one bench; ``--list`` prints the commands without running them. The test
``tests/test_readme_figures.py`` fails when the section holds a figure outside such a block.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- bench: (?P<command>[^>]*?) -->\n(?P<body>.*?)<!-- /bench -->", re.S)
KEPT = re.compile(r"^(\||load average|Load average)")  # table rows and the machine's load


@dataclass(frozen=True)
class Block:
    command: str
    body: str
    start: int
    end: int

    @property
    def bench(self) -> str:
        """The bench module a block's command runs (``bench.relay`` → ``relay``)."""
        words = shlex.split(self.command)
        module = words[words.index("-m") + 1] if "-m" in words else ""
        return module.removeprefix("bench.")


def blocks(text: str) -> list[Block]:
    return [Block(m["command"], m["body"], m.start("body"), m.end("body")) for m in BLOCK.finditer(text)]


def printed_figures(output: str) -> str:
    """What of a bench's output goes into the README: its tables with the line naming each
    (the line before a table's blank line), and the load average; progress lines are left out."""
    lines = output.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        is_table = line.startswith("|")
        opens_table = (
            not is_table
            and line.strip()
            and index + 2 < len(lines)
            and not lines[index + 1].strip()
            and lines[index + 2].startswith("|")
        )
        if is_table or opens_table or KEPT.match(line):
            if opens_table and kept:
                kept.append("")
            kept.append(line.rstrip())
            if opens_table:
                kept.append("")
        elif kept and kept[-1].startswith("|") and not is_table:
            kept.append("")
    return "\n".join(kept).strip() + "\n"


def run(command: str) -> str:
    """One block's command, from the checkout, with this interpreter; its output or a failure."""
    words = shlex.split(command)
    if words[0] == "python":
        words[0] = sys.executable
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(words, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"`{command}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def rewrite(text: str, only: set[str] | None = None) -> str:
    """The README with every (or every ``only``) block's figures printed again by its command."""
    pieces: list[str] = []
    at = 0
    for block in blocks(text):
        pieces.append(text[at : block.start])
        if only is None or block.bench in only:
            print(f"running: {block.command}", file=sys.stderr, flush=True)
            pieces.append(printed_figures(run(block.command)))
        else:
            pieces.append(block.body)
        at = block.end
    pieces.append(text[at:])
    return "".join(pieces)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", help="rerun only these benches' blocks (e.g. relay stats)")
    parser.add_argument("--list", action="store_true", help="print the blocks' commands and stop")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    text = args.readme.read_text()
    if args.list:
        for block in blocks(text):
            print(block.command)
        return 0
    args.readme.write_text(rewrite(text, set(args.only) if args.only else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
