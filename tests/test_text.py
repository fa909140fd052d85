"""The one rendering rule for outside text, checked against a Markdown parser with GitHub's
autolinks (markdown-it-py with linkify) for any string hypothesis can think of, and a corpus."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dashboard.ui.text import WORD_JOINER, md, plain

PARSER = MarkdownIt("gfm-like", {"linkify": True}).enable(["linkify", "strikethrough", "table"])

CORPUS = [
    "[Re-authenticate here](https://evil.example/login)",
    "![x](http://host.example/p.png)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "https://evil.example/login",
    "www.evil.example",
    "ana@portal.test",
    "[a](https://evil.example)@x.com",
    "mailto:ana@portal.test",
    "$\\frac{1}{2}$ and $$x^2$$",
    ":red[ALERT] :material/warning: :smile:",
    "**bold** _em_ `code` ~~strike~~ # heading",
    "> quote\n- item\n1. first",
    "| a | b |\n| - | - |",
    "\u202eevil.exe\u202c txt",
    "nul\x00byte",
    "emoji 🎉 and 中文",
    "    0",  # four leading spaces: an indented code block
    "x" * 10_000,
]


def inline_tokens(markdown: str) -> list:
    tokens = []
    for block in PARSER.parse(markdown):
        tokens.append(block)
        tokens.extend(block.children or [])
    return tokens


def rendered_text(markdown: str) -> str:
    return "".join(t.content for t in inline_tokens(markdown) if t.type in ("text", "code_inline"))


def assert_inert(value: str) -> None:
    markdown = md(value, None)
    kinds = {t.type for t in inline_tokens(markdown)}
    assert not kinds & {"link_open", "image", "html_inline", "html_block", "heading_open", "code_inline",
                        "strong_open", "em_open", "s_open", "blockquote_open", "bullet_list_open",
                        "ordered_list_open", "table_open", "fence", "code_block"}, (value, kinds)  # fmt: skip
    shown = html.unescape(rendered_text(markdown)).replace(WORD_JOINER, "")
    assert shown.split() == plain(value, None).split()  # the same words; Markdown trims whitespace


def test_the_corpus_stays_text() -> None:
    for value in CORPUS:
        assert_inert(value)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_any_text_stays_text(value: str) -> None:
    assert_inert(value)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="[]()!<>*_`~#:/.@wht-+|$\\ ps", max_size=60))
def test_markdown_punctuation_soup_stays_text(value: str) -> None:
    assert_inert(value)


def test_plain_is_one_printable_line_without_bidi_controls_and_cut() -> None:
    assert plain("a\nb\tc\x00d") == "a b c d"
    assert plain("\u202eexe.txt\u2069") == "exe.txt"
    cut = plain("x" * 500, 50)
    assert len(cut) == 50 and cut.endswith("…")
    assert plain(None) == ""
