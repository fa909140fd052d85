"""Portal Desk's web server: Streamlit's own ASGI app around streamlit_app.py, with one addition.

``streamlit run server.py`` (what ``make run`` does) finds ``app`` below and serves it with
uvicorn. The addition is FrameGuard: no other site may frame the dashboard, so Create and Revoke
cannot be clickjacked. Streamlit has no setting for that header; ``st.App`` takes middleware.
"""

import streamlit as st
from starlette.middleware import Middleware

from dashboard.web import FrameGuard

app = st.App("streamlit_app.py", middleware=[Middleware(FrameGuard)])
