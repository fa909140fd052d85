"""Portal Desk's web server: Streamlit's own ASGI app around streamlit_app.py, with two additions.

``streamlit run server.py`` (what ``make run`` does) finds ``app`` below and serves it with
uvicorn. The additions (dashboard/web.py):

- FRAME_HEADERS: no other site may frame the dashboard, so Create and Revoke cannot be clickjacked.
  Streamlit has no setting for that header; ``st.App`` takes middleware.
- With no Scalekit credentials, the local stack: the emulator in its own process, and sign-in
  against it (``st.login``), set up at startup, the one time secrets can be merged.
- BackendAddress: tells the frontend the server is at ``/``, so a page opened at its own address
  (``/share_link``) does not first ask that path for the server (two 404s on every such load).
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.headers import AddHeaders
from dashboard.web import FRAME_HEADERS, local_stack
from dashboard.web_index import BackendAddress

app = st.App(
    "streamlit_app.py",
    middleware=[Middleware(AddHeaders, headers=FRAME_HEADERS), Middleware(BackendAddress)],
    lifespan=local_stack,
)
