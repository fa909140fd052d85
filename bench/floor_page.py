"""The floor for the Organizations page: the simplest Streamlit page showing the same rows from the
same database (the worker's organization listing with each status), in one ``st.dataframe``.

    streamlit run bench/floor_page.py -- path/to/history.db [environment]

No cache, no fragment, no styling: one query with pandas, one table, and a caption the bench
waits for. ``bench/organizations.py`` serves it beside the dashboard and times both in one run.
"""

import sqlite3
import sys

import pandas as pd
import streamlit as st

QUERY = """
SELECT o.display_name AS "Name", s.sso AS "SSO", s.sso_provider AS "Provider",
       s.scim AS "Directory sync", s.scim_users AS "Users", o.region AS "Region",
       o.created_at AS "Created", o.external_id AS "External ID", o.id AS "ID"
FROM organization_listing AS o
LEFT JOIN org_status AS s ON s.environment = o.environment AND s.organization_id = o.id
WHERE o.environment = ?
ORDER BY o.position
"""

database, environment = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "emulator")
with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
    frame = pd.read_sql(QUERY, conn, params=(environment,))
st.caption(f"{len(frame):,} organizations")
st.dataframe(frame, hide_index=True)
