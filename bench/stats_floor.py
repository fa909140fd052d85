"""The floor for the Issuance stats page: a bare Streamlit page with a title, a date range, a
multiselect and a metric, reading nothing.

    streamlit run bench/stats_floor.py

``python -m bench.stats --beside-bare`` serves it beside the dashboard and loads both, turn about,
in one Chromium: what any Streamlit page costs on this machine, against what the stats page adds.
"""

import datetime as dt

import streamlit as st

today = dt.date.today()
st.title("Issuance stats")
st.date_input("Issued between", (today - dt.timedelta(days=90), today))
st.multiselect("Rep", ["ana.silva@portaldesk.example", "ben.okafor@portaldesk.example"])
st.metric("Issued", "2,000")
