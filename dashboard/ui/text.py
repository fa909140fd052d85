"""The one way outside text reaches a page.

Outside text is anything Portal Desk did not write itself: Scalekit's fields (organization names,
external ids, metadata), history rows (notes, emails, operators), query parameters, the portal's
events. Streamlit renders ``st.markdown``, ``st.caption``, alerts and labels as Markdown, with
GitHub's autolinks, ``:red[...]`` directives and KaTeX, so such text must be made inert first:

- ``plain()`` for widgets that do not interpret Markdown (select options, dataframe cells):
  printable, one line, bidirectional controls removed (an RTL override can disguise a label),
  long values cut for display;
- ``md()`` to embed in Markdown: ``plain()``, then every Markdown character escaped and GitHub's
  autolinks (``www.``, ``scheme://``, ``a@b.c``) broken by an invisible word joiner, which
  escaping alone does not do;
- ``full()`` shows a value that may be long: cut to fit, the whole of it one click away.

Pages never build Markdown from outside text any other way.
"""

from __future__ import annotations

import re

import streamlit as st

WORD_JOINER = "\u2060"  # invisible, not a break: keeps "a@b.c" readable but no longer a link
DEFAULT_LIMIT = 120
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&:$=^\"'])")
_AUTOLINK = re.compile(r"(?i)(www)(\.)|(:)(//)|(@)")


def plain(value: object, limit: int | None = DEFAULT_LIMIT) -> str:
    """Printable, one line, no bidirectional controls, at most ``limit`` characters (… when cut)."""
    text = "" if value is None else str(value)
    text = _BIDI.sub("", _CONTROL.sub(" ", text))
    if limit is not None and len(text) > limit:
        text = text[: max(1, limit - 1)].rstrip() + "…"
    return text


def _break_autolink(match: re.Match[str]) -> str:
    return WORD_JOINER.join(part for part in match.groups() if part is not None) + (
        WORD_JOINER if match.group(5) else ""
    )


def md(value: object, limit: int | None = DEFAULT_LIMIT) -> str:
    """Outside text to embed in Markdown: it renders as exactly itself, never as markup or a link.
    Leading spaces go too: four of them at the start of a line make a code block."""
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(_break_autolink, plain(value, limit).lstrip()))


def full(label: str, value: object, *, limit: int = DEFAULT_LIMIT, key: str | None = None) -> None:
    """``label: value`` as a caption; a value longer than ``limit`` is cut, the rest on demand."""
    text = "" if value is None else str(value)
    st.caption(f"{md(label, None)}: {md(text, limit)}")
    if len(plain(text, None)) > limit:
        with st.popover("Show all", icon=":material/unfold_more:", key=key):
            st.code(plain(text, None), language=None, wrap_lines=True)
