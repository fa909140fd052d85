"""The one rendering rule for outside text, checked against a Markdown parser with GitHub's
autolinks (markdown-it-py with linkify) for any string hypothesis can think of, and a corpus."""

from __future__ import annotations

import ast
import html
from pathlib import Path

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


# -- every message a page shows: built from outside text only through md()/plain() ---------------

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = {"success", "error", "warning", "info", "toast", "caption", "markdown", "title", "header"}
MESSAGES |= {"subheader", "write", "dialog", "exception", "text"}
SAFE_CALLS = {"md", "plain", "full"}  # the text helper
# Values Portal Desk writes itself: dates, counts, references, its own sentences and labels.
OWN_CALLS = {"absolute", "ago", "countdown", "len", "features_text", "status_line", "reason", "reminded_line"}
OWN_VALUES = {
    "refused",  # permissions.reason(): Portal Desk's own sentence
    "state",  # "Switched on" / "Switched off"
    "FEATURE_LABELS[feature]",
    "item.reference",
    "invitation.reference",
    "event.event_type",  # one of the eight documented names: the preview checks it first
    "page.page",
    "page.pages",
    "WILL_NOT_EMAIL",
    "reference",  # secrets.token_hex(4), for an unexpected failure
    "empty",  # org_detail._table: its callers' own "No … yet" sentence
    "how",  # sidebar._who: how the operator is known, in Portal Desk's words
}


def _numeric(spec: ast.expr | None) -> bool:
    """A format spec such as ``:,`` or ``:.1%``: it only formats numbers (a string would raise)."""
    if not isinstance(spec, ast.JoinedStr) or not spec.values:
        return False
    return all(
        isinstance(p, ast.Constant) and set(str(p.value)) <= set(",.0123456789%df") for p in spec.values
    )


class Checker:
    """Interpolated values that don't go through md()/plain(); a local name counts as safe when
    every assignment to it in the same function is itself safe (``name = md(org.display_name)``)."""

    def __init__(self, scope: ast.AST) -> None:
        self.assigned: dict[str, list[ast.expr]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append(node.value)
        self.seen: set[str] = set()

    def own(self, value: ast.expr) -> bool:
        if isinstance(value, ast.Call):
            func = value.func
            name = (
                func.attr
                if isinstance(func, ast.Attribute)
                else func.id
                if isinstance(func, ast.Name)
                else ""
            )
            return name in SAFE_CALLS | OWN_CALLS
        if isinstance(value, ast.Name) and value.id in self.assigned and value.id not in self.seen:
            self.seen.add(value.id)  # a name assigned from itself is not proof
            try:
                return all(not self.unsafe(v) for v in self.assigned[value.id])
            finally:
                self.seen.discard(value.id)
        return ast.unparse(value) in OWN_VALUES

    def unsafe(self, node: ast.expr) -> list[str]:
        """The interpolated parts of an f-string or a concatenation that don't go through the helper."""
        if isinstance(node, ast.JoinedStr):
            return [
                ast.unparse(part.value)
                for part in node.values
                if isinstance(part, ast.FormattedValue)
                and not _numeric(part.format_spec)
                and not self.own(part.value)
            ]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.unsafe(node.left) + self.unsafe(node.right)
        if isinstance(node, ast.IfExp):
            return self.unsafe(node.body) + self.unsafe(node.orelse)
        if isinstance(node, ast.Constant) or self.own(node):
            return []
        return [ast.unparse(node)]


def unsafe_parts(node: ast.expr, scope: ast.AST | None = None) -> list[str]:
    return Checker(scope or node).unsafe(node)


def built_messages() -> list[tuple[str, int, str]]:
    """(file, line, part) for every message call whose text is built with an unsafe part."""
    found = []
    files = sorted((ROOT / "pages").glob("*.py")) + sorted((ROOT / "dashboard" / "ui").glob("*.py"))
    for path in files:
        tree = ast.parse(path.read_text(), str(path))
        scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for scope in scopes:
            checker = Checker(scope)
            body = (
                scope.body
                if isinstance(scope, ast.FunctionDef)
                else [n for n in tree.body if not isinstance(n, ast.FunctionDef | ast.ClassDef)]
            )
            for node in (n for stmt in body for n in ast.walk(stmt)):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr not in MESSAGES or not node.args:
                    continue
                text = node.args[0]
                if isinstance(text, ast.JoinedStr | ast.BinOp | ast.Name | ast.Attribute):
                    found += [(str(path.relative_to(ROOT)), node.lineno, p) for p in checker.unsafe(text)]
    return sorted(set(found))


def test_every_message_built_from_values_shows_them_through_the_text_helper() -> None:
    # A message given a bare variable counts too: show_flash's st.success(text) put a deleted
    # organization's name on the page as Markdown.
    assert built_messages() == []


def test_the_message_check_catches_a_raw_name() -> None:
    source = (
        'st.success(f"{org.display_name} was deleted.")\nst.info("a " + name)\nst.error(f"{md(x)} ok")\n'
        "kind, text = st.session_state.pop(KEY)\nst.success(text)"
    )
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") in MESSAGES]
    assert [p for call in calls for p in unsafe_parts(call.args[0], tree)] == [
        "org.display_name",
        "name",
        "text",
    ]
    tree = ast.parse('name = md(org.display_name)\nst.success(f"{name} was deleted.")')
    assert unsafe_parts(tree.body[1].value.args[0], tree) == []
