"""Each page's logic as plain functions and dataclasses (no Streamlit): what a page computes from its settings."""
