"""Choosing finished runs and their models, shared by the Compare and Export pages."""

import streamlit as st

from pipeline_core.spec import PipelineSpec
from pipeline_core.train.results import best, ranked
from services import runs
from storage.models import ModelResultRead, PipelineSummary, RunRead
from ui import messages, resources, signin, state


def pick_run(*, key: str, with_curves: bool = True) -> tuple[RunRead, list[ModelResultRead]]:
    """A selectbox of runs with results (the watched run first), and its models, with their chart data unless a
    page draws none; stops the page when there are none."""
    finished = _runs_with_results()
    ids = [r.id for r in finished]
    default = ids.index(state.run_id()) if state.run_id() in ids else 0
    run = st.selectbox("Run", finished, index=default, format_func=describe_run, key=key)
    return run, runs.results(resources.storage(), run.id, with_curves=with_curves)


def pick_runs(*, key: str) -> tuple[list[RunRead], list[ModelResultRead]]:
    """A multiselect of runs with results (the watched run by default) and their models; with several runs,
    each model is labelled with its run. Stops the page when there are no runs."""
    finished = _runs_with_results()
    watched = next((r for r in finished if r.id == state.run_id()), finished[0])
    chosen = st.multiselect(
        "Runs",
        finished,
        default=[watched],
        format_func=describe_run,
        key=key,
        help="Pick several runs (other models, settings or pipeline versions) to see them side by side.",
    )
    if not chosen:
        st.info("Pick at least one run.")
        st.stop()
    if len({r.task for r in chosen}) > 1:
        st.error("These runs do different tasks (classification and regression); pick runs of one task.")
        st.stop()
    results = []
    for run in chosen:
        found = runs.results(resources.storage(), run.id, with_curves=True)
        if len(chosen) > 1:
            found = [r.model_copy(update={"label": f"{r.label} · run {run.id}"}) for r in found]
        results += found
    return chosen, results


def _runs_with_results() -> list[RunRead]:
    """Runs with models to show (a running one too, with the models done so far), newest first; with none, the
    page says what to do and stops."""
    finished = runs.with_results(resources.storage())
    if not finished:
        st.info(messages.NO_RUNS)
        st.page_link("pages/3_Train.py", label="Go to Train", icon=":material/model_training:")
        st.stop()
    return finished


def describe_run(run: RunRead) -> str:
    saved = f" · {run.pipeline_name} v{run.pipeline_version}" if run.pipeline_name else ""
    running = " · running" if run.is_active else ""
    by = f" · by {signin.whose(run.owner)}" if signin.is_on() and run.owner != resources.storage().user else ""
    return f"Run {run.id} · {run.dataset_name} → {run.target} · {run.created_at:%Y-%m-%d %H:%M}{saved}{running}{by}"


def run_spec(run: RunRead) -> PipelineSpec:
    return PipelineSpec.from_json(run.spec_json)


def show_pipelines(pipelines: list[PipelineSummary]) -> None:
    """The saved pipelines as a table, newest change first; whose each is, and whether shared, when people sign in."""
    rows = [
        {
            "Pipeline": p.name,
            "Latest version": p.latest_version,
            "Runs": p.runs,
            "Updated": f"{p.updated_at:%Y-%m-%d %H:%M}",
        }
        | signin.ownership(p)
        for p in pipelines
    ]
    st.dataframe(rows, hide_index=True)


def pick_model(results: list, metric: str, *, key: str):
    """A selectbox of models, the best by `metric` first chosen."""
    top = best(results, metric)
    return st.selectbox(
        "Model", results, index=results.index(top) if top in results else 0, format_func=lambda r: r.label, key=key
    )


def pick_trained(run: RunRead, results: list, *, key: str, none: str):
    """A selectbox of the run's models that went the whole way, best first and marked so; with none, the page
    says `none` and stops."""
    trained = [r for r in ranked(results, run.primary_metric) if r.status == "succeeded"]
    if not trained:
        st.info(none)
        st.stop()
    top = trained[0].key
    return st.selectbox("Model", trained, format_func=lambda r: r.label + (" (best)" if r.key == top else ""), key=key)
