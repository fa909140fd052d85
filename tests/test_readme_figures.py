"""The README's performance figures come from benches: each sits in a block naming the command
that printed it (bench/readme.py reruns them), and none is typed outside such a block."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from bench import readme

ROOT = Path(__file__).resolve().parent.parent
# What may carry digits outside a bench block: the machine's size, and commands in code spans.
ALLOWED = re.compile(r"\b\d+-core\b|\b\d+ cores\b")


def performance_section(text: str) -> str:
    start = text.index("\n## Performance\n")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else len(text)]


def figures_outside_blocks(section: str) -> list[str]:
    """Lines of the section that hold a digit outside bench blocks, code spans and code fences."""
    bare = readme.BLOCK.sub("", section)
    bare = re.sub(r"```.*?```", "", bare, flags=re.S)
    bare = re.sub(r"`[^`]*`", "", bare)
    bare = re.sub(r"<!--.*?-->", "", bare, flags=re.S)
    return [line for line in bare.splitlines() if re.search(r"\d", ALLOWED.sub("", line))]


def test_every_performance_figure_is_in_a_bench_block() -> None:
    section = performance_section((ROOT / "README.md").read_text())
    assert readme.blocks(section), "the Performance section names no bench"
    assert figures_outside_blocks(section) == []


def test_a_typed_figure_is_found() -> None:
    section = (
        "\n## Performance\n\nThe relay answers in 6 ms.\n"
        "<!-- bench: python -m bench.relay -->\n| 1 |\n<!-- /bench -->\n"
    )
    assert figures_outside_blocks(section) == ["The relay answers in 6 ms."]


def test_every_block_runs_a_bench_that_exists() -> None:
    for block in readme.blocks((ROOT / "README.md").read_text()):
        words = shlex.split(block.command)
        assert words[:2] == ["python", "-m"] and words[2].startswith("bench."), block.command
        assert (ROOT / "bench" / f"{block.bench}.py").exists(), block.command
        assert block.body.strip(), f"no figures under `{block.command}`: run python -m bench.readme"


def test_the_script_puts_back_what_the_bench_printed(tmp_path: Path) -> None:
    page = tmp_path / "README.md"
    page.write_text(
        "# x\n\n## Performance\n\n<!-- bench: python -m bench.emulator_start --orgs 5 --repeat 1 -->\n"
        "| typed | by hand |\n<!-- /bench -->\n\nAfter.\n"
    )
    readme.main(["--readme", str(page)])
    text = page.read_text()
    assert "typed" not in text and text.endswith("<!-- /bench -->\n\nAfter.\n")
    (block,) = readme.blocks(text)
    assert re.search(r"^\| 5 \| [\d.]+ / [\d.]+ \|", block.body, re.M), block.body
    assert "Load average at the end" in block.body


def test_progress_lines_are_left_out() -> None:
    output = (
        "  filled 300 rows in 2 s\n\nTitle\n\n| a | b |\n| --- | ---: |\n| x | 1 |\n\n"
        "Load average at the end: 1.0\n"
    )
    assert readme.printed_figures(output) == (
        "Title\n\n| a | b |\n| --- | ---: |\n| x | 1 |\n\nLoad average at the end: 1.0\n"
    )
