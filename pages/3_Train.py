"""Train: pick models and validation, start a run in the background, watch it, cancel it."""

import streamlit as st

from pipeline_core.catalog import get_model, models_for
from pipeline_core.catalog.metrics import METRICS, default_primary_metric, metrics_for
from pipeline_core.catalog.schemes import SCHEMES, schemes_for
from pipeline_core.compare.leaderboard import so_far
from pipeline_core.errors import PipelineCoreError
from pipeline_core.prepare.build import preparation_warnings
from pipeline_core.spec import AVERAGES, TUNING_METHODS, EvaluationSpec, PipelineSpec, TuningSpec, bounds
from pipeline_core.train.estimate import duration
from services import runs
from storage.errors import StorageError
from ui import jobs, messages, resources, state
from ui.forms import param_inputs, space_inputs, time_limit
from ui.messages import as_markdown
from ui.page import context_caption, require_spec, setup

EVALUATION = {name: field.description for name, field in EvaluationSpec.model_fields.items()}
setup("Train")
spec = require_spec()
context_caption()
task = spec.data.task

st.subheader("Models")
choices = [kind.key for kind in models_for(task) if not kind.is_baseline]
chosen = st.multiselect(
    "Models to train",
    choices,
    default=[m.kind for m in spec.models if m.kind in choices],
    format_func=lambda key: get_model(key).label,
    key=f"models.{task}",
    help="The dummy baseline is always trained too, as the reference every model must beat.",
)
current = {m.kind: m for m in spec.models}


def model_form(key: str) -> dict:
    """A model's settings, or, when it is tuned, the search and its ranges plus the settings left fixed."""
    kind, saved = get_model(key), current.get(key)
    params, tuning = (saved.params, saved.tuning) if saved else ({}, None)
    st.caption(kind.help)
    tune = st.toggle(
        "Tune its settings",
        value=tuning is not None,
        key=f"model.{key}.tune",
        disabled=not kind.tunable(),
        help="Search the settings inside every cross-validation fold, on that fold's training rows only "
        "(nested cross-validation): the scores are not flattered by the search.",
    )
    if not tune:
        return {"kind": key, "params": param_inputs(kind, params, key=f"model.{key}", task=task)}
    tuning = tuning.model_dump() if tuning else {}
    method, trials, seconds = st.columns(3)
    tuning["method"] = method.selectbox(
        "Search",
        list(TUNING_METHODS),
        index=list(TUNING_METHODS).index(tuning.get("method", "optuna")),
        format_func=TUNING_METHODS.get,
        key=f"model.{key}.method",
    )
    tuning["trials"] = trials.number_input(
        "Candidates per search",
        *bounds(TuningSpec, "trials"),
        tuning.get("trials", 20),
        key=f"model.{key}.trials",
        disabled=tuning["method"] == "grid",
        help="A grid tries every combination instead.",
    )
    budget = time_limit(
        seconds,
        "Time limit per search",
        bounds(TuningSpec, "seconds"),
        tuning.get("seconds"),
        key=f"model.{key}.seconds",
        disabled=tuning["method"] != "optuna",
        help="Optuna stops at whichever comes first.",
    )
    tuning["seconds"] = budget if tuning["method"] == "optuna" else None
    tuning["space"] = space_inputs(kind, tuning.get("space", {}), key=f"model.{key}", task=task)
    fixed = param_inputs(kind, params, key=f"model.{key}", task=task, skip=frozenset(tuning["space"]))
    return {"kind": key, "params": fixed, "tuning": tuning}


models = []
for key in chosen:
    with st.expander(f"{get_model(key).label} settings"):
        models.append(model_form(key))


def cross_validation(evaluation: dict) -> None:
    """The folds and the held-out share: how supervised models are scored."""
    scheme_col, folds, repeats, test = st.columns([2, 1, 1, 1])
    schemes = [scheme.key for scheme in schemes_for(task)]
    evaluation["cv_scheme"] = scheme_col.selectbox(
        "Cross-validation",
        schemes,
        index=schemes.index(spec.evaluation.cv_scheme) if spec.evaluation.cv_scheme in schemes else 0,
        format_func=lambda key: SCHEMES[key].label,
        key=f"cv_scheme.{task}",
        help="Run on the training part only. Group and time-series schemes need a Group or Time order column "
        "(roles on the Data page).",
    )
    evaluation["cv_folds"] = folds.number_input(
        "Folds", *bounds(EvaluationSpec, "cv_folds"), spec.evaluation.cv_folds, key="cv_folds"
    )
    fixed_folds = not SCHEMES[evaluation["cv_scheme"]].repeatable
    evaluation["cv_repeats"] = 1 if fixed_folds else spec.evaluation.cv_repeats
    evaluation["cv_repeats"] = repeats.number_input(
        "Repeats",
        *bounds(EvaluationSpec, "cv_repeats"),
        evaluation["cv_repeats"],
        key="cv_repeats",
        disabled=fixed_folds,
        help="k-fold again with new shuffles: more scores per model, a steadier mean and a fairer significance test.",
    )
    evaluation["learning_curve"] = st.checkbox(
        "Draw learning curves",
        value=spec.evaluation.learning_curve,
        key="learning_curve",
        help="Refit each model on 10–100% of the training rows and score it on the held-out rows: does more data "
        "help? Costs about two more fits per model.",
    )
    evaluation["test_size"] = test.number_input(
        "Held-out test share",
        *bounds(EvaluationSpec, "test_size"),
        spec.evaluation.test_size,
        0.05,
        key="test_size",
        help="Set aside before anything is fitted, scored once at the end.",
    )


st.subheader("Validation")
evaluation = spec.evaluation.model_dump()
if task == "clustering":
    st.caption(
        "Clustering has no target to validate against: each model groups every row once and is scored on how "
        "compact and separate its groups are."
    )
else:
    cross_validation(evaluation)
seed, metric, average = st.columns(3)
evaluation["seed"] = seed.number_input(
    "Random seed",
    *bounds(EvaluationSpec, "seed"),
    spec.evaluation.seed,
    key="seed",
    help="The same seed on the same data gives the same results.",
)
metric_options = [m.key for m in metrics_for(task)]
default_metric = default_primary_metric(task, tune_threshold=spec.evaluation.tune_threshold)
ranked_by = metric.selectbox(
    "Rank models by",
    metric_options,
    index=metric_options.index(spec.ranking_metric),
    format_func=lambda key: METRICS[key].label,
    key=f"metric.{task}.{default_metric}",  # a new default (threshold tuning switched) starts a fresh widget
    help="The best model, the race and the model kept follow this metric. By default ROC AUC (R² for numbers): "
    "it judges how well a model ranks rows, whatever threshold cuts them.",
)
evaluation["primary_metric"] = None if ranked_by == default_metric else ranked_by  # the default stays implicit
if task == "classification":
    evaluation["average"] = average.selectbox(
        "Average precision, recall, F1",
        list(AVERAGES),
        index=list(AVERAGES).index(spec.evaluation.average),
        format_func=AVERAGES.get,
        key="average",
        help="How the per-class scores combine when there are several classes.",
    )
    evaluation["tune_threshold"] = st.checkbox(
        "Tune the decision threshold (two classes)",
        value=spec.evaluation.tune_threshold,
        key="tune_threshold",
        help="Instead of saying 'positive' above a probability of 0.5, each model picks the threshold that is best "
        "for the ranking metric, by cross-validation on its training rows (scikit-learn's TunedThresholdClassifierCV).",
    )
if task != "clustering":
    race, model_budget, run_budget = st.columns([2, 1, 1], vertical_alignment="bottom")
    evaluation["racing"] = race.checkbox(
        "Stop models clearly behind early (racing)",
        value=spec.evaluation.racing,
        key="racing",
        help="After each fold, a model behind the leader by at least 1% of its score, with the corrected t-test "
        "of the Compare page below 0.05 on the folds so far, gets no more folds; the leaderboard says when and "
        "why. Switch it off to cross-validate every model on every fold.",
    )
    for column, field, label in [
        (model_budget, "model_seconds", "Time limit per model"),
        (run_budget, "run_seconds", "Time limit for the run"),
    ]:
        evaluation[field] = time_limit(
            column,
            label,
            bounds(EvaluationSpec, field),
            getattr(spec.evaluation, field),
            key=field,
            help=EVALUATION[field],
        )
try:
    new_spec = spec.replace(models=models, evaluation=evaluation)
except PipelineCoreError as error:
    st.error(as_markdown(str(error)))
    st.stop()
if new_spec != spec:
    state.set_spec(new_spec)


def timing(run) -> str:
    """Its place in the queue while it waits; then the elapsed time, and the time left extrapolated from the share
    of the work done so far."""
    if run.started_at is None:
        return runs.waiting(runs.place(resources.storage(), run.id))
    elapsed, left = runs.elapsed_and_left(run)
    return f"{duration(elapsed)} elapsed" + (f" · about {duration(left)} left" if left is not None else "")


def run_panel(run_id: int) -> None:
    """Progress of the watched run, polled from the database while it is active."""
    run, finished = runs.watch(resources.storage(), run_id)
    if not run.is_active and st.session_state.get("polling"):
        st.session_state["polling"] = False
        st.rerun()  # the run just ended: rerun the whole page, which stops the polling
    st.subheader(f"Run {run.id} · {run.dataset_name} → {run.target}")
    if run.dataset_id != state.dataset().id:
        st.caption(as_markdown(f"This run trained on `{run.dataset_name}`, not on the data loaded now."))
    st.progress(run.progress, text=f"{messages.RUN_STATUS[run.status]} {run.message}")
    if run.is_active:
        st.caption(f"{timing(run)} · on {run.library_versions.get('computed on', 'this machine')}")
        metric = PipelineSpec.from_json(run.spec_json).ranking_metric
        if run.fold_scores:
            st.dataframe(so_far(run.fold_scores, metric), hide_index=True)
            st.caption(
                "Scores so far, fold by fold, as each model finishes one; the final leaderboard, with held-out "
                "scores, is on Compare once a model has gone the whole way."
            )
        if finished:
            st.page_link(
                "pages/4_Compare.py", label="Open the finished models in Compare", icon=":material/leaderboard:"
            )
        if st.button("Cancel run", key="cancel"):
            runs.cancel(resources.storage(), run.id)
            st.toast("Cancelling: finished models are kept." if run.started_at else "Cancelled: it will not start.")
        return
    if run.status in ("failed", "interrupted"):
        st.error(as_markdown(run.error or messages.RUN_STATUS[run.status]))
    elif run.status == "succeeded":
        st.success(f"Run {run.id} on {run.dataset_name} → {run.target} finished.")
        st.page_link("pages/4_Compare.py", label="Compare the models", icon=":material/leaderboard:")
    else:
        st.warning(messages.RUN_STATUS[run.status])


def estimate_caption(estimated, *, polling: bool) -> None:
    """The estimated run time, made in the background: the page never waits for it."""
    if not estimated.done():
        st.caption("Estimating the run time…")
    elif polling:
        st.rerun()  # it has just arrived: the whole page again, which stops this polling
    elif estimated.result():
        text, warnings = estimated.result()
        st.caption(f"Estimated time: {text}.")
        for warning in warnings:
            st.warning(warning)


for warning in preparation_warnings(new_spec, resources.dataset_frame(state.dataset())):
    st.warning(as_markdown(warning))
if chosen:
    estimated = jobs.estimate_text(state.dataset(), new_spec)
    pending = not estimated.done()
    st.fragment(run_every=1.0 if pending else None)(estimate_caption)(estimated, polling=pending)
if st.button("Train", type="primary", key="train", disabled=not chosen):
    try:
        jobs.start_training(state.dataset(), new_spec)
    except (PipelineCoreError, StorageError) as error:
        st.error(as_markdown(str(error)))
if not chosen:
    st.caption("Pick at least one model.")

watched = state.run_id()
if watched is not None:
    active = runs.get(resources.storage(), watched).is_active
    st.session_state["polling"] = active
    st.fragment(run_every=1.0 if active else None)(run_panel)(watched)
