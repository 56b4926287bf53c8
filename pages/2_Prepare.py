"""Prepare: the cleaning and feature steps for each kind of column, built from the catalog, with a live preview."""

import streamlit as st

from pipeline_core.catalog import BRANCHES, STEP_CATEGORY_LABELS, get_step, steps_for
from pipeline_core.compare.charts import embedding_scatter
from pipeline_core.errors import PipelineCoreError
from pipeline_core.prepare.build import embed_2d, preparation_warnings, unused_columns
from pipeline_core.schema import BRANCH_OF, feature_schema
from ui import datasets, resources, state
from ui.forms import param_inputs
from ui.messages import as_markdown
from ui.page import context_caption, require_spec, setup

setup("Prepare")
spec = require_spec()
context_caption()
frame = resources.dataset_frame(state.dataset())
st.markdown(
    "Steps run in order on each kind of column, **inside** the model pipeline: they are re-fitted on the "
    "training rows of every cross-validation fold, so nothing is learned from validation rows."
)


BRANCH_TITLES = {
    "numeric": "Numeric columns",
    "categorical": "Categorical columns",
    "datetime": "Date columns",
    "text": "Text columns",
    "combined": "All features together",
}


def save(edited: dict) -> None:
    state.set_spec(spec.replace(preprocessing=edited))
    st.rerun()


def step_row(branch: str, index: int, steps: list[dict], edited: dict, columns: list[str]) -> None:
    """One step: its title and switches, the columns it runs on, then its settings (rendered from the catalog)."""
    step = steps[index]
    kind = get_step(step["kind"])
    key = f"{branch}.{index}.{kind.key}"
    with st.container(border=True):
        title, on, up, down, copy, remove = st.columns([6, 1, 1, 1, 1, 1], vertical_alignment="center")
        title.markdown(f"**{index + 1}. {kind.label}** · {STEP_CATEGORY_LABELS[kind.category]}")
        step["enabled"] = on.toggle("On", value=step.get("enabled", True), key=f"{key}.on")
        moves = {
            up.button("", icon=":material/arrow_upward:", key=f"{key}.up", help="Move up", disabled=index == 0): index
            - 1,
            down.button(
                "",
                icon=":material/arrow_downward:",
                key=f"{key}.down",
                help="Move down",
                disabled=index == len(steps) - 1,
            ): index + 1,
        }
        if True in moves:
            steps.insert(moves[True], steps.pop(index))
            save(edited)
        if copy.button("", icon=":material/content_copy:", key=f"{key}.copy", help="Duplicate this step"):
            steps.insert(index + 1, dict(step))
            save(edited)
        if remove.button("", icon=":material/delete:", key=f"{key}.remove", help="Remove this step"):
            steps.pop(index)
            save(edited)
        st.caption(kind.help)
        if step["enabled"] and branch != "combined":
            step["columns"] = st.multiselect(
                "Only on these columns",
                columns,
                default=[c for c in step.get("columns", []) if c in columns],
                placeholder=f"All {BRANCH_TITLES[branch].lower()}",
                key=f"{key}.columns",
                help="Leave empty to run the step on every column of the group; the others pass by it unchanged.",
            )
        if step["enabled"]:
            step["params"] = param_inputs(kind, step.get("params", {}), key=key)


def add_step(branch: str, steps: list[dict], edited: dict) -> None:
    kinds = steps_for(branch)
    pick, add = st.columns([6, 1], vertical_alignment="bottom")
    new_kind = pick.selectbox(
        "Add a step on all features" if branch == "combined" else f"Add a {branch} step",
        [k.key for k in kinds],
        key=f"{branch}.add.kind",
        format_func=lambda key: f"{STEP_CATEGORY_LABELS[get_step(key).category]} · {get_step(key).label}",
    )
    if add.button("Add", key=f"{branch}.add"):
        steps.append({"kind": new_kind, "params": {}})
        save(edited)


schema = feature_schema(spec, frame)
edited = spec.preprocessing.model_dump()
for branch in BRANCHES:
    columns = [column for column, kind in schema.items() if BRANCH_OF[kind] == branch]
    if not columns and branch in ("datetime", "text"):
        continue
    st.subheader(f"{BRANCH_TITLES[branch]} ({len(columns)})")
    if columns:
        st.caption(as_markdown(", ".join(f"`{c}`" for c in columns[:30]) + (" …" if len(columns) > 30 else "")))
    else:
        st.caption("None in this dataset; these steps are skipped.")
    for index in range(len(edited[branch])):
        step_row(branch, index, edited[branch], edited, columns)
    add_step(branch, edited[branch], edited)

st.subheader(BRANCH_TITLES["combined"])
st.caption("After the groups above are joined: feature selection and extraction, fitted on each fold's training rows.")
for index in range(len(edited["combined"])):
    step_row("combined", index, edited["combined"], edited, [])
add_step("combined", edited["combined"], edited)

unused = {c: reason for c, reason in unused_columns(spec, frame).items() if reason != "the target"}
if unused:
    st.caption(as_markdown("Not used as features: " + "; ".join(f"`{c}` ({reason})" for c, reason in unused.items())))

new_spec = spec.replace(preprocessing=edited)
if new_spec != spec:
    state.set_spec(new_spec)

st.subheader("Preview")
for warning in preparation_warnings(new_spec, frame):
    st.warning(as_markdown(warning))
try:
    prepared, shapes = datasets.prepared_sample(frame, new_spec)
except (PipelineCoreError, ValueError) as error:  # a step that cannot fit this data (Box-Cox on zeros, say)
    st.error(as_markdown(str(error).splitlines()[0]))
else:
    st.caption(
        f"The first {len(prepared):,} rows after preparation, fitted on those rows only (training fits on each "
        f"fold): {len(schema)} columns in, **{prepared.shape[1]} features** out."
    )
    st.dataframe(
        [
            {"Columns": branch, "Step": label, "Output": output}
            for branch, rows in shapes.items()
            for label, output in rows
        ],
        hide_index=True,
    )
    st.dataframe(prepared.head(20))
    with st.expander("A 2-D map of the prepared data (t-SNE)"):
        st.caption(
            "t-SNE places the rows it is given close to their neighbours, which shows clusters and how well the "
            "classes separate. It cannot place new rows, so it is a picture of a sample, not a pipeline step."
        )
        if st.button("Draw the map (1,000 rows)", key="tsne"):
            st.session_state["tsne_map"] = (new_spec.content_hash(), embed_2d(new_spec, frame))
        drawn = st.session_state.get("tsne_map")
        if drawn and drawn[0] == new_spec.content_hash():
            classification = new_spec.data.task == "classification"
            st.plotly_chart(embedding_scatter(drawn[1], classification=classification), key="tsne_chart")
    st.page_link("pages/3_Train.py", label="Go to Train", icon=":material/model_training:")
