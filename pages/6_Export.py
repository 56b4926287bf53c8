"""Export: download any trained model of a run as a skops file, with the lines that load it."""

import streamlit as st

from pipeline_core.export import untrusted_types
from pipeline_core.leaderboard import best, ranked
from storage import repo
from ui import resources
from ui.page import setup
from ui.runs import pick_run

setup("Export")
run, results = pick_run(key="export_run")
trained = [r for r in ranked(results, run.primary_metric) if r.artifact_sha256]
if not trained:
    st.info("No model of this run finished training, so there is nothing to export. Pick another run.")
    st.stop()
top = best(results, run.primary_metric)
model = st.selectbox(
    "Model",
    trained,
    format_func=lambda r: r.label + (" (best)" if top and r.key == top.key else ""),
    key="export_model",
)
data = repo.model_file(resources.store(), model)
file_name = f"{model.key}-run{run.id}.skops"
st.download_button(
    f"Download {file_name}",
    data=data,
    file_name=file_name,
    mime="application/octet-stream",
    type="primary",
    key="download_model",
)
st.caption(f"{len(data) / 1024:,.0f} KiB · sha256 `{model.artifact_sha256}`")

trusted = untrusted_types(data)
st.markdown(
    "The file holds the **whole fitted pipeline** (preparation steps and model), fitted on the training part "
    "of the data. It takes a table with the original columns. Load it with scikit-learn, pandas and skops — "
    "no Pipewright needed:"
)
st.code(
    "import pandas as pd, skops.io as sio\n"
    f'model = sio.load("{file_name}", trusted={trusted!r})\n'
    'print(model.predict(pd.read_csv("new_rows.csv")))',
    language="python",
)
st.caption(
    "skops loads no arbitrary code: it refuses any type not listed in `trusted`. These are the types this file "
    "needs beyond skops' defaults; check them before trusting a file from elsewhere."
)
with st.expander("Versions it was trained with"):
    st.json(run.library_versions)
