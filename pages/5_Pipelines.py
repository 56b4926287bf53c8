"""Pipelines: saved definitions, their versions and runs; what changed between versions; reproduce a run;
open one to keep working on it."""

import streamlit as st

from pipeline_core.catalog import get_model
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.compare.diff import spec_diff
from pipeline_core.compare.reproduce import compare
from pipeline_core.errors import PipelineCoreError
from pipeline_core.export import card
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.results import best, cv_mean, cv_std
from services import datasets, pipelines
from services import runs as runs_service
from storage.errors import NotFoundError, StorageError
from ui import jobs, messages, resources, signin, state
from ui.messages import as_markdown
from ui.page import setup
from ui.runs import describe_run, show_pipelines


def version_scores(version, runs) -> dict | None:
    """The latest finished run of a version: its best model and that model's CV mean ± std and test score."""
    run = next((r for r in runs if r.pipeline_version_id == version.id and r.status == "succeeded"), None)
    if run is None:
        return None
    top = best(runs_service.results(resources.storage(), run.id), run.primary_metric)
    if top is None:
        return None
    label = METRICS[run.primary_metric].label
    return {
        "Run": run.id,
        "Best model": top.label,
        f"CV {label}": f"{cv_mean(top, run.primary_metric):.3f} ± {cv_std(top, run.primary_metric):.3f}",
        f"Test {label}": f"{top.test_scores.get(run.primary_metric, float('nan')):.3f}",
    }


def lineage(run, dataset) -> None:
    """What made this run: the exact data and spec, the seed, the versions, when; and a way back to them."""
    st.dataframe([{"": name, "Value": value} for name, value in card.lineage(run, dataset).items()], hide_index=True)
    if st.button("Open this run's exact data and spec", key="open_run"):
        state.open_pipeline(dataset, PipelineSpec.from_json(run.spec_json))
        st.switch_page("pages/2_Prepare.py")


def reproduce_section(finished: list) -> None:
    """A run's lineage; re-run it on its stored data with its own spec and show, score by score, whether it
    came out the same."""
    if not finished:
        return
    run = st.selectbox("Run", finished, format_func=describe_run, key="reproduce_run")
    dataset = datasets.get(resources.storage(), dataset_id=run.dataset_id)
    with st.expander("Lineage"):
        lineage(run, dataset)
    if st.button(f"Reproduce run {run.id}", key="reproduce", help="Trains its spec again on its stored rows."):
        try:
            jobs.start_training(dataset, PipelineSpec.from_json(run.spec_json), reproduces_id=run.id)
        except (PipelineCoreError, StorageError) as error:  # the rows no longer train as they did, or are gone
            st.error(as_markdown(str(error)))
    again = runs_service.reproductions(resources.storage(), run.id)
    if not again:
        return
    latest = again[0]
    before, after = (
        runs_service.results(resources.storage(), run.id),
        runs_service.results(resources.storage(), latest.id),
    )
    if latest.is_active:
        st.info(f"Run {latest.id} is reproducing it; the **Train** page shows its progress.")
        return
    result = compare(before, after, run.library_versions, latest.library_versions)
    (st.success if result.identical else st.warning)(f"Run {latest.id}: {result.verdict()}")
    with st.expander("Score by score"):
        st.dataframe(result.rows, hide_index=True)


def import_spec() -> None:
    """A spec file saved under a name, as a new pipeline or a new version; a bad file changes nothing."""
    upload = st.file_uploader("Spec file", type=["json", "yaml", "yml"], key="spec_upload")
    name = st.text_input("Save as pipeline", max_chars=120, key="spec_import_name")
    if upload is None or not st.button("Import", key="spec_import", disabled=not name.strip()):
        return
    try:
        imported = PipelineSpec.from_file(upload.getvalue(), upload.name)
        saved = pipelines.save(resources.storage(), name=name, spec=imported, note=f"imported from {upload.name}")
    except (PipelineCoreError, ValueError, StorageError) as error:
        st.error(as_markdown(str(error)))
        return
    st.session_state["pipelines_message"] = f"Imported as **{saved.pipeline_name}** v{saved.version}."
    st.rerun()  # so the lists below show it


def change(action, success: str, *arguments, **options) -> None:
    """One change to the saved pipelines; a refused one (a name taken) says why."""
    try:
        action(resources.storage(), *arguments, **options)
    except (ValueError, StorageError) as error:  # a name taken, perhaps by someone saving at this very moment
        st.error(as_markdown(str(error)))
    else:
        st.session_state["pipelines_message"] = success
        st.rerun()


def manage(pipeline) -> None:
    mine = signin.may_change(pipeline.owner)
    if not mine:
        st.caption(
            as_markdown(f"{pipeline.name} is {pipeline.owner}'s: only they change it. Clone it to have your own.")
        )
    name, rename, copy, clone = st.columns([3, 1, 3, 1], vertical_alignment="bottom")
    new_name = name.text_input("New name", value=pipeline.name, max_chars=120, key=f"rename_to.{pipeline.name}")
    if rename.button("Rename", key="rename", disabled=not mine):
        change(pipelines.rename, f"Renamed to {new_name}.", pipeline.id, new_name)
    clone_name = copy.text_input(
        "Clone as", value=f"{pipeline.name} (copy)", max_chars=120, key=f"clone_as.{pipeline.name}"
    )
    if clone.button("Clone", key="clone"):
        change(pipelines.clone, f"Cloned as {clone_name}.", pipeline.id, clone_name)
    what = "it, the runs filed under it and the data they trained on, and can clone it"
    signin.share_switch(pipeline, pipelines.share, what=what)
    if st.button(
        "Archive", key="archive", help="Hidden from the lists; its versions and runs are kept.", disabled=not mine
    ):
        st.session_state["archived_last"] = pipeline.id
        change(pipelines.archive, f"Archived {pipeline.name}.", pipeline.id)


def archived_section() -> None:
    """The last message, an Undo for the last archive, and the archived pipelines to bring back."""
    if message := st.session_state.pop("pipelines_message", None):
        st.success(as_markdown(message))
    last = st.session_state.get("archived_last")
    if last and st.button("Undo archive", key="undo_archive"):
        st.session_state.pop("archived_last")
        change(pipelines.archive, "Brought back.", last, archived=False)
    archived = pipelines.listed(resources.storage(), archived=True)
    if not archived:
        return
    with st.expander(f"Archived pipelines ({len(archived)})"):
        for pipeline in archived:
            name, back = st.columns([4, 1], vertical_alignment="center")
            name.markdown(as_markdown(f"{pipeline.name} · v{pipeline.latest_version}"))
            if back.button("Bring back", key=f"unarchive.{pipeline.id}"):
                change(pipelines.archive, f"Brought back {pipeline.name}.", pipeline.id, archived=False)


setup("Pipelines")
listed = pipelines.listed(resources.storage())
with st.expander("Import a spec (JSON or YAML)"):
    import_spec()
archived_section()
if not listed:
    st.info(messages.NO_PIPELINES)
    st.stop()

show_pipelines(listed)
chosen = st.selectbox("Pipeline", listed, format_func=lambda p: p.name, key="pipeline")
with st.expander("Rename, clone, share or archive" if signin.is_on() else "Rename, clone or archive"):
    manage(chosen)
versions = pipelines.versions(resources.storage(), chosen.id)
runs = runs_service.recent(resources.storage(), pipeline_id=chosen.id)


def describe_version(version) -> str:
    note = f" · {version.note}" if version.note else ""
    return f"v{version.version} · saved {version.created_at:%Y-%m-%d %H:%M}{note}"


version = st.selectbox("Version", versions, format_func=describe_version, key="version")
spec = PipelineSpec.from_json(version.spec_json)

st.subheader(as_markdown(f"{chosen.name} · v{version.version}"))
left, right = st.columns(2)
with left:
    st.markdown(as_markdown(f"**Predicts** `{spec.data.target}` ({spec.data.task}) from **{spec.data.dataset_name}**"))
    st.markdown("**Models** " + ", ".join(get_model(m.kind).label for m in spec.models))
    if st.button("Open in Prepare and Train", type="primary", key="open"):
        try:
            dataset = datasets.get(resources.storage(), fingerprint=spec.data.dataset_fingerprint)
        except NotFoundError:
            st.error(
                as_markdown(
                    f"This spec was made on `{spec.data.dataset_name or 'a dataset'}`, which is not stored here. "
                    "Load that data on the Data page, then import the spec again or rebuild it there."
                )
            )
        else:
            state.open_pipeline(dataset, spec)
            st.switch_page("pages/2_Prepare.py")
    with st.expander("Spec (JSON)"):
        st.code(version.spec_json, language="json")
    stem = f"{chosen.name}-v{version.version}"
    as_json, as_yaml = st.columns(2)
    as_json.download_button("Spec as JSON", version.spec_json, f"{stem}.json", "application/json", key="spec_json")
    as_yaml.download_button("Spec as YAML", spec.to_yaml(), f"{stem}.yaml", "application/yaml", key="spec_yaml")
with right:
    st.markdown("**Runs**")
    if runs:
        st.dataframe(
            [
                {
                    "Run": r.id,
                    "Version": f"v{r.pipeline_version}",
                    "Dataset": r.dataset_name,
                    "Started": f"{r.created_at:%Y-%m-%d %H:%M}",
                    "Status": r.status,
                }
                | signin.made_by(r)
                for r in runs
            ],
            hide_index=True,
        )
        reproduce_section([r for r in runs if r.status == "succeeded"])
    else:
        st.caption("No runs filed under this pipeline.")

if len(versions) > 1:
    st.subheader("What changed")
    others = [v for v in versions if v.id != version.id]
    other = st.selectbox(
        "Compare with",
        others,
        format_func=lambda v: f"v{v.version} · saved {v.created_at:%Y-%m-%d %H:%M}",
        key="diff_with",
    )
    older, newer = sorted([other, version], key=lambda v: v.version)
    changes = spec_diff(PipelineSpec.from_json(older.spec_json), PipelineSpec.from_json(newer.spec_json))
    st.caption(f"From v{older.version} to v{newer.version}:")
    st.markdown("\n".join(f"- {as_markdown(line)}" for line in changes) or "No differences.")
    scores = [version_scores(v, runs) for v in (older, newer)]
    if all(scores):
        st.dataframe(
            [{"Version": f"v{v.version}"} | row for v, row in zip((older, newer), scores, strict=True)],
            hide_index=True,
        )
    else:
        st.caption("Results are compared when both versions have a finished run filed under them.")
