"""Portal Desk: services behind the Streamlit pages."""
