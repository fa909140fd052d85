"""What dashboard/ui/streamlit_workarounds.py relies on in Streamlit: each test fails on the
Streamlit version that changes it, so an upgrade says which workaround to revisit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent

SHELL = """
import streamlit as st
from dashboard.ui.streamlit_workarounds import leave_legacy_multipage_mode

if leave_legacy_multipage_mode():
    st.rerun()
st.markdown("shell")
st.navigation([st.Page(lambda: st.markdown("home"), title="Home", default=True),
               st.Page("pages/other.py", title="Other")]).run()
"""
PAGE = """
import streamlit as st
from dashboard.ui.streamlit_workarounds import leave_legacy_multipage_mode

if leave_legacy_multipage_mode():
    st.rerun()
st.markdown("other")
"""


def test_a_page_opened_first_leaves_the_pages_folder_mode_and_runs_inside_the_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AppTest starts every run() in the legacy mode a pages/ folder sets, as a server does for its
    # first request; conftest's fixture would leave it for us, so undo that fixture here.
    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(ROOT))
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "other.py").write_text(textwrap.dedent(PAGE))
    (tmp_path / "app.py").write_text(textwrap.dedent(SHELL))
    at = AppTest.from_file(str(tmp_path / "app.py")).run()
    at.switch_page("pages/other.py").run()
    shown = [m.value for m in at.markdown]
    assert shown == ["shell", "other"]  # alone, the page would show "other" without the shell


def _python(code: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter: Streamlit's secrets, config and loggers are process-wide."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secrets_merged_after_start_are_read_through_st_secrets() -> None:
    run = _python(
        """
        import streamlit as st
        from dashboard.ui.streamlit_workarounds import merge_secrets
        merge_secrets({"auth": {"client_id": "portal-desk"}, "roles": {"claim": "roles"}})
        print(st.secrets["auth"]["client_id"], st.secrets.roles.claim)
        """
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["portal-desk", "roles"]


def test_the_quieted_logger_is_the_one_that_warns_about_a_missing_run_context() -> None:
    run = _python(
        """
        import sys
        import streamlit as st
        from dashboard.ui import streamlit_workarounds
        st.cache_resource(lambda: 1)()
        print("QUIETED", file=sys.stderr, flush=True)
        streamlit_workarounds.quiet_missing_run_context()
        st.cache_resource(lambda: 2)()
        """
    )
    assert run.returncode == 0, run.stderr
    loud, quiet = run.stderr.split("QUIETED")
    assert "missing ScriptRunContext" in loud  # the warning the warm-up would log
    assert "missing ScriptRunContext" not in quiet


def test_an_option_set_in_the_config_file_is_told_from_a_default(tmp_path: Path) -> None:
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "config.toml").write_text("[server]\nport = 8765\n")
    run = _python(
        """
        import streamlit as st
        from dashboard.ui.streamlit_workarounds import set_by_user
        print(st.get_option("server.port"), set_by_user("server.port"), set_by_user("browser.serverAddress"))
        """,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["8765", "True", "False"]
