"""Export: download any trained model of a run as a skops file, with the lines that load it; score new rows."""

import streamlit as st

from pipeline_core.data.ingest import SUFFIXES, read_table
from pipeline_core.errors import PipelineCoreError
from pipeline_core.export.predict import check_columns, predict_table
from pipeline_core.model_files import joblib_bytes, load_model, modules_zip, own_modules, untrusted_types
from pipeline_core.schema import numbers_as_text
from services import datasets, runs
from services.exports import Export
from ui import jobs, resources
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import pick_run, pick_trained

setup("Export")
run, results = pick_run(key="export_run")
model = pick_trained(
    run, results, key="export_model", none="No model of this run finished training, so there is nothing to export."
)
if model.artifact_sha256:
    data = runs.model_file(resources.storage(), run, model)
else:
    st.caption(f"A run keeps only its best model's file; {model.label}'s is made on request, from the same rows.")
    data = jobs.on_request(
        ("model_file", model.id),
        runs.model_file,
        resources.storage(),
        run,
        model,
        ask=f"Make {model.label}'s model file",
        working=f"Fitting {model.label} again on the training rows, as the run did…",
    )
    if data is None:
        st.stop()
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
modules = own_modules(data)
st.markdown(
    "The file holds the **whole fitted pipeline** (preparation steps and model), fitted on the training part "
    "of the data. It takes a table with the original columns. Load it with scikit-learn, pandas and skops"
    + (
        ", and the two module files of Pipewright's own steps it uses (unzip them beside your script):"
        if modules
        else " — nothing else needed:"
    )
)
if modules:
    st.download_button(
        "Download the module files it needs (pipeline_core.zip)",
        modules_zip(modules),
        "pipeline_core.zip",
        "application/zip",
        key="modules_zip",
    )
st.code(
    ("# unzip pipeline_core.zip here first: the model's own steps are defined in it\n" if modules else "")
    + "import pandas as pd, skops.io as sio\n"
    + f'model = sio.load("{file_name}", trusted={trusted!r})\n'
    + 'print(model.predict(pd.read_csv("new_rows.csv")))',
    language="python",
)
st.caption(
    "skops loads no arbitrary code: it refuses any type not listed in `trusted`. These are the types this file "
    "needs beyond skops' defaults; check them before trusting a file from elsewhere."
)
with st.expander("Versions it was trained with"):
    st.json(run.library_versions)

st.subheader("Serve it")
st.caption(
    "A zip with a FastAPI app (`/predict` takes JSON rows and checks them against the training columns, `/health`), "
    "this model file, pinned requirements and a Dockerfile."
)
dataset = datasets.get(resources.storage(), dataset_id=run.dataset_id)
frame = resources.dataset_frame(dataset)
export = Export(run, dataset, frame, results, model, data)
spec, features = export.spec, export.features
st.download_button(
    "Download the serving bundle (.zip)",
    export.serving_bundle,  # made on click: a bundle holds the whole model file
    f"serve-{model.key}-run{run.id}.zip",
    "application/zip",
    key="bundle",
)
with st.expander("joblib instead of skops"):
    st.warning(
        "A joblib file is a pickle: loading one runs whatever code it holds. Load it only if you made it or trust "
        "who did; skops (above) is the safe default."
    )
    st.download_button(
        "Download as joblib (.joblib)",
        lambda: joblib_bytes(load_model(data)),
        f"{model.key}-run{run.id}.joblib",
        key="joblib",
    )

st.subheader("Model card")
st.caption("What the model is, the data and steps behind it, how well it does and how sure that is, its limits.")
as_md, as_html = st.columns(2)
as_md.download_button(
    "Model card (Markdown)",
    export.card_markdown,  # made on click: the card works out what drives the model
    f"model-card-run{run.id}.md",
    "text/markdown",
    key="card_md",
)
as_html.download_button(
    "Model card (HTML, with charts)",
    export.card_html,
    f"model-card-run{run.id}.html",
    "text/html",
    key="card_html",
)

st.subheader("Retrain it yourself")
try:
    script = export.script()
except ValueError as error:
    st.caption(str(error))
else:
    st.caption(
        "A Python script that rebuilds this run's preparation and models with scikit-learn and pandas only, splits "
        "the rows the same way and prints each model's CV scores — the same numbers as the leaderboard, on the "
        "same data (download it below as Parquet)."
        + (
            " Tuned models are written with their set values, not searched, so their scores differ."
            if any(m.tuning for m in spec.models)
            else ""
        )
    )
    code, rows = st.columns(2)
    code.download_button("Download the script (.py)", script, f"retrain-run{run.id}.py", "text/x-python", key="script")
    rows.download_button(
        "Download the data (.parquet)",
        export.data,
        export.data_name,
        "application/octet-stream",
        key="data_parquet",
    )
    with st.expander("The script"):
        st.code(script, language="python")

st.subheader("Score new rows")
st.caption(
    "Upload rows with the training columns (the target may be absent): they are checked against the columns the "
    "model was trained on, then scored by this model."
)
upload = st.file_uploader("New rows", type=[suffix.lstrip(".") for suffix in SUFFIXES], key="score_upload")
if upload is not None:
    try:
        schema = features
        rows = read_table(upload.getvalue(), upload.name).frame
        notes = check_columns(schema, rows)
        scored = predict_table(load_model(data), rows, schema, as_text=numbers_as_text(schema, frame))
    except (PipelineCoreError, ValueError) as error:  # ValueError: values the model cannot take, in its words
        st.error(as_markdown(str(error)))
    else:
        for note in notes:
            st.caption(as_markdown(note))
        st.dataframe(scored.head(50))
        st.download_button(
            f"Download {len(scored):,} scored rows (CSV)",
            data=scored.to_csv(index=False).encode(),
            file_name=f"scored-{model.key}-run{run.id}.csv",
            mime="text/csv",
            key="download_scored",
        )
