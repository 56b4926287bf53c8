"""Data: load a sample or upload a file, look at it, choose what to predict."""

import pandas as pd
import streamlit as st

from pipeline_core.errors import DataError
from pipeline_core.ingest import SUFFIXES, fingerprint, id_like_columns, infer_column_types, infer_task, read_table
from pipeline_core.samples import SAMPLES
from pipeline_core.spec import ROW_STEPS, PipelineSpec, default_spec
from pipeline_core.train import check_target
from storage import repo
from storage.db import session_scope
from ui import resources, state
from ui.page import setup

setup("Data")


def load(data: bytes, filename: str, *, target: str | None = None) -> None:
    """Read and store a file, then start a fresh draft on it; a bad file only shows a message."""
    try:
        frame = read_table(data, filename)
    except DataError as error:
        st.error(str(error))
        return
    with session_scope(resources.engine()) as session:
        dataset = repo.save_dataset(
            session, resources.store(), frame=frame, fingerprint=fingerprint(data), name=filename, size_bytes=len(data)
        )
    target = target if target in frame.columns else frame.columns[-1]
    spec = default_spec(
        target=target,
        task=infer_task(frame[target]),
        dataset_fingerprint=dataset.fingerprint,
        dataset_name=dataset.name,
        ignored_columns=[c for c in id_like_columns(frame) if c != target],
    )
    state.open_pipeline(dataset, spec)


def _example(column: pd.Series) -> str:
    """The first value, as the analyst would write it (a whole float without its '.0')."""
    values = column.dropna()
    if values.empty:
        return ""
    value = values.iloc[0]
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


sample_tab, upload_tab = st.tabs(["Sample datasets", "Upload a file"])
with sample_tab:
    choice = st.selectbox("Sample", list(SAMPLES), format_func=lambda key: SAMPLES[key].label, key="sample")
    st.caption(SAMPLES[choice].description)
    if st.button("Load sample", key="load_sample", type="primary"):
        sample = SAMPLES[choice]
        load(sample.csv_bytes(), sample.filename, target=sample.target)
with upload_tab:
    upload = st.file_uploader(
        "A table: CSV, TSV, TXT or Parquet", type=[suffix.lstrip(".") for suffix in SUFFIXES], key="upload"
    )
    if upload is not None and st.session_state.get("loaded_upload") != upload.file_id:
        st.session_state["loaded_upload"] = upload.file_id
        load(upload.getvalue(), upload.name)

dataset, spec = state.dataset(), state.spec()
if dataset is None or spec is None:
    st.info("Load a sample or upload a file to begin.")
    st.stop()

frame = resources.dataset_frame(dataset)
st.subheader(dataset.name)
rows, columns, missing = st.columns(3)
rows.metric("Rows", f"{len(frame):,}")
columns.metric("Columns", frame.shape[1])
missing.metric("Missing cells", f"{int(frame.isna().sum().sum()):,}")
st.dataframe(frame.head(100), height=260)

types = infer_column_types(frame) | spec.data.column_types
st.markdown("**Columns**")
st.dataframe(
    pd.DataFrame(
        {
            "Column": frame.columns.astype(str),
            "Type": [types[c] for c in frame.columns],
            "Missing": frame.isna().sum().to_numpy(),
            "Distinct": frame.nunique().to_numpy(),
            "Example": [_example(frame[c]) for c in frame.columns],
        }
    ),
    hide_index=True,
    height="content" if frame.shape[1] <= 15 else 420,
)

st.subheader("What to predict")
key = dataset.fingerprint[:12]
left, right = st.columns(2)
columns_list = list(frame.columns)
target = left.selectbox("Target column", columns_list, index=columns_list.index(spec.data.target), key=f"target.{key}")
inferred = infer_task(frame[target])
task_options = ["classification", "regression"]
task = right.radio(
    "Task",
    task_options,
    index=task_options.index(inferred if target != spec.data.target else spec.data.task),
    horizontal=True,
    key=f"task.{key}.{target}",
    help=f"Inferred from the target: {inferred}.",
)
ignored = st.multiselect(
    "Columns to leave out of the features",
    [c for c in columns_list if c != target],
    default=[c for c in spec.data.ignored_columns if c != target],
    key=f"ignored.{key}",
    help="Identifiers and columns not known at prediction time. Columns with a different text value in every "
    "row are suggested.",
)

row_steps = []
n_missing = int(frame[target].isna().sum())
if n_missing:
    drop = st.checkbox(
        f"{ROW_STEPS['drop_missing_target']} ({n_missing:,} rows)",
        value="drop_missing_target" in spec.data.row_steps,
        key=f"drop_missing.{key}.{target}",
        help="Rows without a label cannot be learned from. They are dropped once, before the split.",
    )
    row_steps = ["drop_missing_target"] if drop else []

data = spec.data.model_dump() | {"target": target, "task": task, "ignored_columns": ignored, "row_steps": row_steps}
updates = {"data": data}
if task != spec.data.task:
    updates["models"] = default_spec(target=target, task=task).model_dump()["models"]
new_spec = PipelineSpec.from_dict(spec.model_dump() | updates)
if new_spec != spec:
    state.set_spec(new_spec)

target_values = frame[target].dropna() if row_steps else frame[target]
try:
    check_target(new_spec, target_values)
except DataError as error:
    st.error(str(error))
else:
    summary = (
        f"{target_values.nunique()} classes"
        if task == "classification"
        else f"values from {target_values.min():g} to {target_values.max():g}"
    )
    st.success(f"Ready: predict `{target}` ({task}, {summary}). Next, review the preparation steps.")
    st.page_link("pages/2_Prepare.py", label="Go to Prepare", icon=":material/tune:")
