"""Organizations: every organization in the environment."""

import pandas as pd
import streamlit as st

from dashboard import runtime
from dashboard.errors import PortalDeskError
from dashboard.ui.feedback import show_error
from dashboard.ui.shell import ensure_app_shell

ensure_app_shell()

st.title("Organizations")

try:
    gateway = runtime.gateway(runtime.settings())
    progress = st.progress(0.0, text="Loading organizations…")
    orgs = gateway.list_organizations(
        progress=lambda done, total: progress.progress(
            done / max(total, 1), text=f"Loaded {done:,} of {total:,} organizations"
        )
    )
    progress.empty()
except PortalDeskError as error:
    show_error(error)
    st.stop()

st.caption(f"{len(orgs):,} organizations")
st.dataframe(
    pd.DataFrame(
        {
            "Name": [o.display_name for o in orgs],
            "ID": [o.id for o in orgs],
            "External ID": [o.external_id or "" for o in orgs],
            "Region": [o.region for o in orgs],
            "Created": [o.created_at for o in orgs],
        }
    ),
    hide_index=True,
    width="stretch",
)
