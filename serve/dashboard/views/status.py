"""Data status: which version is published and when, the last result of each quality gate, and the Data Docs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from expectations.gate import data_docs_index
from pipeline.settings import load_settings
from serve.dashboard import data, ui

v = ui.version()
published = data.publication(v)
quality_dir = load_settings().quality_dir

st.title("Data status")
st.subheader("Last publish")
version, when = st.columns(2)
version.metric("Serving version", str(published["version"]))
when.metric("Published at (UTC)", pd.Timestamp(published["published_at"]).strftime("%Y-%m-%d %H:%M:%S"))
st.caption(f"Read from {v.path} (DuckDB storage {published['storage_version']}). A new publish is shown at the "
           "next click or reload.")
ui.table(pd.DataFrame(published["rows"].items(), columns=["mart", "rows"]), hide_index=True)

st.subheader("Last quality gate results")
try:
    results = data.gate_results(quality_dir)
except data.GateResultsUnreadable as exc:
    st.info(str(exc))
    results = pd.DataFrame(columns=["gate", "success"])
if results.empty:
    st.info(f"No gate result under {quality_dir} (PIPELINE_QUALITY_DIR): the gate has not run here, or this "
            "dashboard cannot see the quality folder.")
for gate, suites in results.groupby("gate", sort=False):
    failed = suites[~suites.success]
    summary = (f"**{gate} gate**, run {suites.run_name.iloc[0]} at "
               f"{pd.Timestamp(suites.validated_at.iloc[0]).strftime('%Y-%m-%d %H:%M:%S')} UTC: ")
    if failed.empty:
        st.success(summary + f"passed, {len(suites)} suites")
    else:
        st.error(summary + f"{len(failed)} of {len(suites)} suites failed ({', '.join(failed.suite)}): "
                 + ("nothing newer was published; " if gate == "marts" else "the failing batches stay out of the "
                    "marts; ") + "see the Data Docs for each failed expectation")
docs = data_docs_index(quality_dir)
st.markdown(f"**Data Docs** (every validation, expectation by expectation): [{docs}]({docs.as_uri()})"
            if docs.is_file() else f"No Data Docs at {docs} yet.")
st.caption("Browsers do not open file links from a web page: copy the path into the address bar, or open it from "
           "the folder.")
