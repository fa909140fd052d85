"""Portal Desk: onboard enterprise customers onto SSO and SCIM through Scalekit's admin portal."""

import streamlit as st

from dashboard import runtime
from dashboard.config import ConfigError
from dashboard.ui.sidebar import environment_badge, operator_box

st.set_page_config(page_title="Portal Desk", page_icon=":material/admin_panel_settings:", layout="wide")

try:
    config = runtime.settings()
except ConfigError as error:
    st.title("Portal Desk")
    st.error(str(error), icon=":material/settings_alert:")
    st.stop()

environment_badge(config)
operator_box(config)
navigation = st.navigation(
    [
        st.Page("pages/organizations.py", title="Organizations", icon=":material/apartment:", default=True),
        st.Page("pages/share_link.py", title="Share link", icon=":material/share:"),
    ]
)
navigation.run()
