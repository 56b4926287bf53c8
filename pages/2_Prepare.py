"""Prepare: the cleaning and encoding steps for each column type, edited through catalog forms."""

import streamlit as st

from pipeline_core.build import BRANCH_OF, feature_schema, missing_value_warnings, preview, unused_columns
from pipeline_core.catalog import STEP_CATEGORY_LABELS, get_step, steps_for
from pipeline_core.errors import PipelineCoreError
from pipeline_core.spec import PipelineSpec
from ui import resources, state
from ui.forms import param_inputs
from ui.messages import as_markdown
from ui.page import context_caption, require_spec, setup

setup("Prepare")
spec = require_spec()
context_caption()
frame = resources.dataset_frame(state.dataset())
st.markdown(
    "Steps run in order on each column type, **inside** the model pipeline: they are re-fitted on the "
    "training rows of every cross-validation fold, so nothing is learned from validation rows."
)

schema = feature_schema(spec, frame)
edited = spec.preprocessing.model_dump()
for column_type in ("numeric", "categorical"):
    columns = [column for column, kind in schema.items() if BRANCH_OF[kind] == column_type]
    st.subheader(f"{column_type.capitalize()} columns ({len(columns)})")
    if columns:
        st.caption(as_markdown(", ".join(f"`{c}`" for c in columns[:30]) + (" …" if len(columns) > 30 else "")))
    else:
        st.caption("None in this dataset; these steps are skipped.")
    steps = edited[column_type]
    for index, step in enumerate(steps):
        current = get_step(step["kind"])
        with st.container(border=True):
            head, remove = st.columns([6, 1])
            options = [kind.key for kind in steps_for(column_type) if kind.category == current.category]
            kind_key = head.selectbox(
                f"Step {index + 1}: {STEP_CATEGORY_LABELS[current.category]}",
                options,
                index=options.index(current.key),
                format_func=lambda key: get_step(key).label,
                key=f"{column_type}.{index}.{current.category}.kind",
            )
            if remove.button("Remove", key=f"{column_type}.{index}.remove", help="Remove this step"):
                steps.pop(index)
                state.set_spec(PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": edited}))
                st.rerun()
            kind = get_step(kind_key)
            st.caption(kind.help)
            params = step["params"] if kind_key == step["kind"] else {}
            steps[index] = {
                "kind": kind_key,
                "params": param_inputs(kind, params, key=f"{column_type}.{index}.{kind_key}"),
            }
    present = {get_step(step["kind"]).category for step in steps}
    addable = [kind for kind in steps_for(column_type) if kind.category not in present]
    if addable:
        pick, add = st.columns([6, 1])
        new_kind = pick.selectbox(
            f"Add a {column_type} step",
            [kind.key for kind in addable],
            format_func=lambda key: get_step(key).label,
            key=f"{column_type}.add.kind",
        )
        if add.button("Add", key=f"{column_type}.add"):
            steps.append({"kind": new_kind, "params": {}})
            state.set_spec(PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": edited}))
            st.rerun()

unused = {c: reason for c, reason in unused_columns(spec, frame).items() if reason != "the target"}
if unused:
    st.caption(as_markdown("Not used as features: " + "; ".join(f"`{c}` ({reason})" for c, reason in unused.items())))

new_spec = PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": edited})
if new_spec != spec:
    state.set_spec(new_spec)

st.subheader("Preview")
try:
    prepared = preview(new_spec, frame)
except PipelineCoreError as error:
    st.error(as_markdown(str(error)))
else:
    st.caption(
        f"The first {len(prepared):,} rows after preparation, fitted on those rows only: "
        f"{len(schema)} columns in, **{prepared.shape[1]} features** out."
    )
    st.dataframe(prepared.head(20))
    for warning in missing_value_warnings(new_spec, frame):
        st.warning(as_markdown(warning))
    st.page_link("pages/3_Train.py", label="Go to Train", icon=":material/model_training:")
