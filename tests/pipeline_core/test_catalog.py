"""Contract tests over every catalog kind: schema, validation and building agree."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import is_classifier, is_regressor

from pipeline_core.catalog import MODELS, STEPS, number_repeats
from pipeline_core.columns import infer_column_types
from pipeline_core.errors import SpecError
from pipeline_core.model_files import dump_model, load_model, own_modules, untrusted_types
from pipeline_core.prepare.build import build_pipeline, preview
from pipeline_core.schema import BRANCH_OF, feature_schema
from pipeline_core.spec import ModelSpec, PipelineSpec, default_spec
from pipeline_core.train.evaluate import predict, score_all


def _kinds(registry):
    return [pytest.param(kind, id=key) for key, kind in registry.items()]


@pytest.mark.parametrize("kind", _kinds(STEPS) + _kinds(MODELS))
def test_each_parameter_accepts_its_valid_example_and_refuses_its_invalid_one(kind):
    for param in kind.params:
        valid, invalid = param.examples()
        assert kind.validate_params({param.name: valid})[param.name] == valid
        with pytest.raises(SpecError, match=re.escape(f"The '{param.name}' parameter of {kind.label} must be")):
            kind.validate_params({param.name: invalid})
    assert kind.label and kind.help


def _mixed(churn) -> pd.DataFrame:
    """The churn table with a date column and a free-text one, and gaps in both."""
    words = np.array(["quick", "reply", "slow", "refund", "great", "service", "price", "app", "crash"])
    rng = np.random.default_rng(0)
    frame = churn.assign(
        signup=pd.date_range("2020-01-01", periods=len(churn), freq="D").strftime("%d/%m/%Y"),
        note=[" ".join(rng.choice(words, 6)) + f" ticket {i}" for i in range(len(churn))],
    )
    frame.loc[::17, ["signup", "note"]] = None
    return frame


def _fitted_with(kind, frame: pd.DataFrame):
    """The default pipeline with this step in its group (in place of the step of its category), fitted."""
    spec = default_spec(target="churn", task="classification", column_types=infer_column_types(frame))
    steps = spec.preprocessing.model_dump()
    branch = steps[kind.applies_to[0]]
    same = [i for i, step in enumerate(branch) if STEPS[step["kind"]].category == kind.category]
    if same:
        branch[same[0]] = {"kind": kind.key}
    else:
        branch.insert(1, {"kind": kind.key})  # after the fill step, before scaling or encoding
    spec = PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": steps})
    return build_pipeline(spec, frame, ModelSpec(kind="logistic_regression")).fit(frame, frame["churn"])


@pytest.mark.parametrize("kind", _kinds(STEPS))
def test_each_step_default_fits_and_transforms_a_mixed_frame_with_missing_values(kind, churn):
    frame = _mixed(churn)
    assert (infer_column_types(frame)["signup"], infer_column_types(frame)["note"]) == ("datetime", "text")
    pipeline = _fitted_with(kind, frame)

    if kind.applies_to[0] == "combined":
        assert kind.key in pipeline.named_steps  # after the column groups, before the model
    else:
        name = "text_note" if kind.applies_to[0] == "text" else kind.applies_to[0]
        built = pipeline.named_steps["preprocess"].named_transformers_[name]
        assert kind.key in built.named_steps  # the step the spec names is the one that was built
    assert set(pipeline.predict(frame.head(20))) <= {"yes", "no"}
    assert set(load_model(dump_model(pipeline)).predict(frame.head(20))) <= {"yes", "no"}  # trusted types only


LOAD_EVERY_MODEL = """
import json, pathlib, sys
import pandas as pd, skops.io as sio
rows = pd.read_parquet("rows.parquet")
for folder in sorted(pathlib.Path(".").glob("step_*")):
    sys.path.insert(0, str(folder))  # the model's own module files, when it came with some
    model = sio.load(folder / "model.skops", trusted=json.loads((folder / "trusted.json").read_text()))
    print(folder.name, ",".join(model.predict(rows)))
    sys.path.pop(0)
    sys.modules.pop("pipeline_core.transformers", None), sys.modules.pop("pipeline_core", None)
"""


def test_every_steps_exported_model_loads_with_scikit_learn_pandas_and_skops_and_the_files_it_came_with(
    churn, tmp_path
):
    frame = _mixed(churn)
    rows = frame.head(8)
    rows.to_parquet(tmp_path / "rows.parquet")
    expected, needs_modules = {}, set()  # the steps whose models need Pipewright's module files
    for key, kind in STEPS.items():
        pipeline = _fitted_with(kind, frame)
        data = dump_model(pipeline)
        folder = tmp_path / f"step_{key}"
        for path, source in {"model.skops": data, **own_modules(data)}.items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(source) if isinstance(source, bytes) else (folder / path).write_text(source)
        (folder / "trusted.json").write_text(json.dumps(untrusted_types(data)))
        expected[folder.name] = ",".join(pipeline.predict(rows))
        needs_modules |= {key} if own_modules(data) else set()

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}  # no PYTHONPATH: Pipewright is not importable
    out = subprocess.run(
        [sys.executable, "-c", LOAD_EVERY_MODEL], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert dict(line.split(" ", 1) for line in out.stdout.splitlines()) == expected  # each predicts as it did
    assert needs_modules  # the date parts, at least, are Pipewright's own: those models came with their files
    plain = _fitted_with(STEPS["numeric_imputer"], churn)  # numbers and categories, with the default steps
    assert own_modules(dump_model(plain)) == {}  # scikit-learn's parts only: the model file alone loads
    words = _fitted_with(STEPS["tfidf"], frame.drop(columns="signup"))  # free text (titanic's names, say)
    assert own_modules(dump_model(words)) == {}  # TF-IDF is scikit-learn's own too


@pytest.mark.parametrize("kind", _kinds(MODELS))
def test_each_model_builds_the_right_estimator_for_each_task_with_its_parameters(kind):
    for task in kind.tasks:
        estimator = kind.build(kind.defaults(), task, 0)
        checks = {"classification": is_classifier, "regression": is_regressor, "clustering": _groups_rows}
        assert checks[task](estimator)
        _assert_arguments_reached(kind, estimator, task)


@pytest.mark.parametrize("kind", _kinds(STEPS))
def test_each_step_builds_its_transformer_with_its_parameters(kind):
    values = pd.DataFrame({"city": ["Paris", "Lyon", "Paris", None]})  # what a step shaped by the data reads
    tasks = ("classification", "regression") + (() if kind.uses_target else ("clustering",))  # which has no target
    for task in tasks:
        step = kind.make(kind.defaults(), task, values)
        assert hasattr(step, "fit") and hasattr(step, "transform")
        _assert_arguments_reached(kind, step, task)


def _assert_arguments_reached(kind, built, task):
    """Each parameter's declared argument holds its default, converted as declared; a parameter that is no argument
    of its own is left to the kind's builder (and to a test of its own below)."""
    params = built.get_params()
    arguments = [param.argument for param in kind.params if param.argument is not None]
    assert not set(kind.fixed) & set(arguments), f"{kind.key}: a fixed argument would hide a parameter's"
    for param in kind.params:
        if param.only_for not in (None, task):
            continue
        if param.argument is None:
            assert kind.builder is not None, f"{kind.key}.{param.name} reaches no argument"
            continue
        name = kind.addressed(param.argument, task)
        assert name in params, f"{kind.key}.{param.name} maps to no parameter of {type(built).__name__}"
        expected = param.as_argument(param.default)
        assert repr(params[name]) == repr(expected), (kind.key, param.name)  # by repr: a KFold has no ==


def _groups_rows(estimator) -> bool:
    return hasattr(estimator, "fit_predict")


@pytest.mark.parametrize(
    "param",
    [
        pytest.param(param, id=f"{key}.{param.name}")
        for key, kind in MODELS.items()
        for param in kind.params
        if param.default in (0, "none")
    ],
)
def test_the_forms_no_limit_and_equal_weights_are_scikit_learns_none(param):
    assert param.as_argument(param.default) is None


def test_the_network_form_asks_for_neurons_and_layers_not_a_tuple():
    network = MODELS["mlp"].build(MODELS["mlp"].validate_params({"units": 30, "layers": 2}), "classification", 0)
    assert network.hidden_layer_sizes == (30, 30)


def test_the_levels_encoder_one_hots_the_columns_with_at_most_the_levels_it_is_told():
    values = pd.DataFrame({"two": list("ab") * 150, "three": list("abc") * 100})
    encoder = STEPS["levels_encoder"].make({"max_onehot_levels": 2}, "classification", values)
    assert [(name, columns) for name, _, columns in encoder.transformers] == [("onehot", [0]), ("target", [1])]


def test_repeated_kinds_get_unique_names():
    assert number_repeats(["scale", "impute", "scale", "scale"]) == ["scale", "impute", "scale_2", "scale_3"]


def test_pca_keeps_a_share_of_variance_or_a_number_of_components():
    share = STEPS["pca"].make(STEPS["pca"].validate_params({"variance": 0.9}), "classification", None)
    count = STEPS["pca"].make(STEPS["pca"].validate_params({"keep": "count", "n_components": 3}), "regression", None)
    assert (share.n_components, count.n_components) == (0.9, 3)


def test_tf_idf_is_scikit_learns_vectorizer_with_its_settings_reading_missing_text_as_empty():
    notes = pd.DataFrame({"note": ["late delivery", None, "late refund", "refund", "delivery late"] * 4})
    params = STEPS["tfidf"].validate_params({"max_features": 10, "max_ngram": 2, "min_df": 2})
    step = STEPS["tfidf"].make(params, "classification", notes)
    settings = step.get_params()
    assert (settings["note__tfidf__max_features"], settings["note__tfidf__ngram_range"]) == (10, (1, 2))
    words = step.fit_transform(notes)
    assert step.get_feature_names_out().tolist() == [
        "note_delivery",
        "note_delivery late",
        "note_late",
        "note_late delivery",
        "note_late refund",
        "note_refund",
    ]
    assert words.shape == (20, 6) and not words[1].any()  # a missing note has no words
    few = STEPS["tfidf"].make(params, "classification", notes.head(3))
    assert few.get_params()["note__tfidf__min_df"] == 1  # three rows: a word seen twice would be too strict a test


def _group_columns(spec, frame, branch):
    return [c for c, kind in feature_schema(spec, frame).items() if BRANCH_OF[kind] == branch]


@pytest.mark.parametrize("kind", [k for k in _kinds(STEPS) if k.values[0].applies_to[0] in ("numeric", "categorical")])
def test_each_step_runs_on_the_one_column_it_names_and_leaves_the_others_as_they_were(kind, churn):
    branch = kind.applies_to[0]
    spec = default_spec(target="churn", task="classification", column_types=infer_column_types(churn))
    columns = _group_columns(spec, churn, branch)
    named = next(c for c in columns if churn[c].isna().any())
    others = [c for c in columns if c != named]
    fill = "numeric_imputer" if branch == "numeric" else "categorical_imputer"
    encode = []
    if branch == "categorical":
        encode = [{"kind": "ordinal_encoder", "columns": others if kind.category == "encode" else columns}]
    steps = spec.preprocessing.model_dump()
    steps[branch] = [{"kind": fill}, {"kind": kind.key, "columns": [named]}, *encode]
    with_step = PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": steps})
    if kind.category == "encode":  # every category still needs encoding
        steps[branch][1] = {"kind": "ordinal_encoder", "columns": [named]}
    else:
        steps[branch].pop(1)
    without_step = PipelineSpec.from_dict(spec.model_dump() | {"preprocessing": steps})

    prepared = preview(with_step, churn)

    pd.testing.assert_frame_equal(prepared[others], preview(without_step, churn)[others])
    fitted = build_pipeline(with_step, churn, ModelSpec(kind="decision_tree")).fit(churn, churn["churn"])
    name = number_repeats([s["kind"] for s in steps[branch][:1]] + [kind.key])[1]
    step = fitted.named_steps["preprocess"].named_transformers_[branch].named_steps[name]
    assert [columns for *_, columns in step.transformers_] == [[named], others]  # the step, then the rest passing by


def test_a_step_naming_a_column_of_another_group_or_one_already_replaced_is_refused(churn):
    spec = default_spec(target="churn", task="classification", column_types=infer_column_types(churn))
    categorical = _group_columns(spec, churn, "categorical")[0]
    wrong_group = spec.model_dump()
    wrong_group["preprocessing"]["numeric"].append({"kind": "log_transform", "columns": [categorical]})
    with pytest.raises(SpecError, match=f"names '{categorical}': not among the numeric columns"):
        preview(PipelineSpec.from_dict(wrong_group), churn)

    after_onehot = spec.model_dump()
    after_onehot["preprocessing"]["categorical"] = [
        {"kind": "categorical_imputer"},
        {"kind": "onehot_encoder"},
        {"kind": "frequency_encoder", "columns": [categorical]},
    ]
    with pytest.raises(SpecError, match="'One-hot encoding' has already turned it into new columns"):
        preview(PipelineSpec.from_dict(after_onehot), churn)


def test_a_step_on_all_features_together_cannot_name_columns():
    with pytest.raises(SpecError, match="runs on all features together and cannot name columns"):
        PipelineSpec.from_dict(
            {
                "data": {"target": "y", "task": "regression"},
                "preprocessing": {"combined": [{"kind": "pca", "columns": ["a"]}]},
            }
        )


@pytest.mark.parametrize("kind", _kinds(MODELS))
def test_each_model_trains_with_its_defaults_and_beats_chance_on_real_data(kind, churn, diabetes):
    for task in kind.tasks - {"clustering"}:  # grouping is checked in test_cluster.py
        frame, target = (churn, "churn") if task == "classification" else (diabetes, "progression")
        spec = default_spec(target=target, task=task, column_types=infer_column_types(frame))
        fitted = build_pipeline(spec, frame, ModelSpec(kind=kind.key)).fit(frame, frame[target])
        scores = score_all(task, predict(load_model(dump_model(fitted)), frame, frame[target]))  # trusted types
        if task == "classification":  # scored by probabilities, or decision scores for the SVMs
            assert scores["roc_auc"] > (0.5 if not kind.is_baseline else 0.49), kind.key
        else:
            assert scores["r2"] > (0.0 if not kind.is_baseline else -0.01), kind.key


@pytest.mark.parametrize(
    "param", [param for kind in MODELS.values() for param in kind.tunable()], ids=lambda param: param.name
)
def test_every_searched_parameter_says_how_each_search_draws_it(param):
    values = list(param.space)
    owner = "the test"
    assert [param.validate(value, owner=owner) for value in param.grid(values)] == param.grid(values)
    draws = param.draws(values)
    drawn = draws if isinstance(draws, list) else draws.rvs(size=20, random_state=0).tolist()
    assert all(param.validate(value, owner=owner) == value for value in drawn)
    searched = param.optuna_distribution(values)
    for value in param.grid(values):
        assert value in searched.choices if hasattr(searched, "choices") else searched.low <= value <= searched.high
