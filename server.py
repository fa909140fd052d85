"""Portal Desk's web server: Streamlit's own ASGI app around streamlit_app.py, with two additions.

``streamlit run server.py`` (what ``make run`` does) finds ``app`` below and serves it with
uvicorn. The additions (dashboard/web.py):

- FRAME_HEADERS: no other site may frame the dashboard, so Create and Revoke cannot be clickjacked.
  Streamlit has no setting for that header; ``st.App`` takes middleware.
- With no Scalekit credentials, the local stack: the emulator in its own process, and sign-in
  against it (``st.login``), set up at startup, the one time secrets can be merged.
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.headers import AddHeaders
from dashboard.web import FRAME_HEADERS, local_stack

app = st.App(
    "streamlit_app.py", middleware=[Middleware(AddHeaders, headers=FRAME_HEADERS)], lifespan=local_stack
)
