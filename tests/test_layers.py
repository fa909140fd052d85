"""Layers that hold: pages and dashboard/ui lay out widgets and call services; they never reach the
history, Scalekit or the database themselves (DESIGN.md: page → service → gateway/store).

An AST scan, so it sees what an import checker cannot: a page may hold the history's handle and
pass it to a service (its type in an annotation), but never call it (``history.version()``)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The outside systems and the doors to them, which only services may use.
FORBIDDEN = ("scalekit", "grpc", "google.protobuf", "sqlalchemy", "psycopg", "alembic", "streamlit.runtime")
DOORS = ("dashboard.history", "dashboard.gateway")
HANDLES = {"history", "gateway", "store"}  # what pages and widgets name the doors' objects
# A stats query's description: a frozen dataclass the stats widgets build; building one calls nothing.
VALUE_TYPES = {"StatsFilter"}
WORKAROUNDS = "dashboard.ui.streamlit_workarounds"  # the one module allowed into streamlit.runtime


def layered_modules() -> list[Path]:
    return sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "dashboard" / "ui").glob("*.py")])


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")[: -node.level]
    return ".".join([*package, *([node.module] if node.module else [])])


def _under(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def violations(source: str, module: str) -> list[str]:
    """Each way ``source`` (the module named ``module``) reaches past the services, as
    ``line: what``."""
    tree = ast.parse(source)
    forbidden = tuple(r for r in FORBIDDEN if not (module == WORKAROUNDS and r == "streamlit.runtime"))
    found: list[str] = []
    door_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _under(alias.name, forbidden + DOORS):
                    found.append(f"{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            source_module = _absolute(module, node)
            for alias in node.names:
                full = f"{source_module}.{alias.name}"
                if _under(source_module, forbidden) or full in DOORS:
                    found.append(f"{node.lineno}: imports {full}")
                elif _under(source_module, DOORS) and alias.name not in VALUE_TYPES:
                    door_names.add(alias.asname or alias.name)
    in_annotations: set[int] = set()
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is not None:
                in_annotations.update(id(n) for n in ast.walk(annotation))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in door_names and id(node) not in in_annotations:
            found.append(f"{node.lineno}: uses {node.id} (the history's or Scalekit's door) itself")
        elif isinstance(node, ast.Attribute):
            base = node.value
            name = (
                base.id
                if isinstance(base, ast.Name)
                else base.attr
                if isinstance(base, ast.Attribute)
                else ""
            )
            if name in HANDLES:
                found.append(f"{node.lineno}: calls {name}.{node.attr} instead of a service")
    return sorted(set(found), key=lambda line: int(line.split(":")[0]))


def test_pages_and_widgets_reach_the_history_and_scalekit_only_through_services() -> None:
    found = {
        module_name(path): problems
        for path in layered_modules()
        if (problems := violations(path.read_text(), module_name(path)))
    }
    assert found == {}


def test_the_scan_covers_every_page_and_widget() -> None:
    names = {module_name(path) for path in layered_modules()}
    assert {"pages.activity", "pages.issuance_stats", "dashboard.ui.invitation_list"} <= names


PLANTED = {
    "a call on the history's handle": "def draw(history):\n    return history.version()\n",
    "a call through a holder's handle": "def draw(desk):\n    return desk.history.activity.actors('x')\n",
    "the door's class used, not only named": (
        "from dashboard.history import History\ndef draw(url: str) -> History:\n    return History(url)\n"
    ),
    "a door imported relatively": "from ..gateway import bulk\nbulk.directories_of([], print)\n",
    "the door as a module": "from dashboard import history\n",
    "the database itself": "import sqlalchemy as sa\n",
    "the SDK itself": "from scalekit.v1.organizations import organizations_pb2\n",
    "Streamlit's internals": "from streamlit.runtime.secrets import secrets_singleton\n",
}


def test_each_planted_violation_fails_the_check() -> None:
    caught = {what: violations(source, "dashboard.ui.planted") for what, source in PLANTED.items()}
    assert [what for what, found in caught.items() if not found] == []


def test_what_the_layers_allow_passes() -> None:
    allowed = (
        "from __future__ import annotations\n"
        "import streamlit as st\n"
        "from dashboard import activity\n"
        "from dashboard.history import History\n"
        "from dashboard.history.stats import StatsFilter\n"
        "def draw(history: History, desk) -> None:\n"
        "    st.write(activity.actors(history, desk.operator, 'env'), StatsFilter())\n"
        "    activity.search(desk.history, desk.operator, 'env', None)\n"
    )
    assert violations(allowed, "pages.allowed") == []
    # The workarounds module, and it alone, may reach into Streamlit's runtime.
    internals = "from streamlit.runtime.pages_manager import PagesManager\n"
    assert violations(internals, "dashboard.ui.streamlit_workarounds") == []
