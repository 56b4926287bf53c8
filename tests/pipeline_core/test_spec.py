import json

import pytest
from pydantic import ValidationError

from pipeline_core.errors import SpecError
from pipeline_core.spec import EvaluationSpec, PipelineSpec, TuningSpec, bounds, default_spec


def test_spec_json_round_trip_keeps_content_and_hash():
    spec = default_spec(target="churn", task="classification")
    again = PipelineSpec.from_json(spec.to_json())
    assert again == spec
    assert again.content_hash() == spec.content_hash()


def test_spec_hash_ignores_key_order_but_not_values():
    spec = default_spec(target="y", task="regression")
    shuffled = json.dumps(dict(reversed(list(json.loads(spec.to_json()).items()))))
    assert PipelineSpec.from_json(shuffled).content_hash() == spec.content_hash()
    other = PipelineSpec.from_dict(spec.model_dump() | {"evaluation": {"seed": 7}})
    assert other.content_hash() != spec.content_hash()


def test_default_spec_has_the_default_steps_and_models():
    spec = default_spec(target="y", task="classification")
    assert [s.kind for s in spec.preprocessing.numeric] == ["numeric_imputer", "standard_scaler"]
    assert spec.preprocessing.numeric[0].params == {"strategy": "median", "add_indicator": False}
    assert [s.kind for s in spec.preprocessing.categorical] == ["categorical_imputer", "levels_encoder"]
    assert {m.kind for m in spec.models} == {"logistic_regression", "random_forest", "hist_gradient_boosting"}
    assert {m.kind for m in default_spec(target="y", task="regression").models} == {
        "ridge",
        "random_forest",
        "hist_gradient_boosting",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"models": [{"kind": "ridge"}]}, "Ridge regression does not do classification"),
        ({"models": [{"kind": "svm"}]}, "Unknown model kind 'svm'. Available:"),
        (
            {"models": [{"kind": "random_forest", "params": {"n_estimators": 0}}]},
            "The 'n_estimators' parameter of Random forest must be a whole number from 10 to 1000. Got 0 instead.",
        ),
        ({"models": [{"kind": "random_forest", "params": {"trees": 5}}]}, "Random forest has no parameter 'trees'"),
        ({"preprocessing": {"numeric": [{"kind": "onehot_encoder"}]}}, "does not apply to numeric columns"),
        ({"evaluation": {"cv_folds": 1}}, "evaluation.cv_folds"),
        ({"schema_version": 99}, "schema_version"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_spec_is_refused_with_a_clear_message(change, message):
    data = default_spec(target="y", task="classification").model_dump() | change
    with pytest.raises(SpecError, match="The pipeline spec is invalid") as error:
        PipelineSpec.from_dict(data)
    assert message in str(error.value)


def test_malformed_json_is_a_spec_error():
    with pytest.raises(SpecError):
        PipelineSpec.from_json("{not json")


def test_yaml_anchors_and_aliases_are_refused_before_they_expand():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
    )
    bomb += "data: {target: y, task: classification}\nmodels: [{kind: random_forest, params: {n_estimators: *i}}]\n"
    with pytest.raises(SpecError, match="anchors and aliases") as refused:
        PipelineSpec.from_file(bomb.encode(), "bomb.yaml")  # 10^9 values once expanded
    assert len(str(refused.value)) < 300


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (
            b"data: {target: y, task: classification}\nmodels: [{kind: random_forest, params: {n_estimators: .inf}}]\n",
            "inf.yaml",
        ),
        (
            b'{"data": {"target": "y", "task": "classification"}, '
            b'"models": [{"kind": "random_forest", "params": {"n_estimators": 1e999}}]}',
            "big.json",
        ),
    ],
)
def test_infinite_numbers_are_refused_naming_the_parameter(data, name):
    with pytest.raises(SpecError, match="The 'n_estimators' parameter of Random forest must be a whole number"):
        PipelineSpec.from_file(data, name)


def test_a_rejected_value_is_shown_cut_short_and_many_problems_are_counted_not_listed():
    models = [{"kind": "random_forest", "params": {"n_estimators": "x" * 10_000}} for _ in range(30)]
    with pytest.raises(SpecError) as refused:
        PipelineSpec.from_dict(default_spec(target="y", task="classification").model_dump() | {"models": models})
    assert "… and 18 more" in str(refused.value) and len(str(refused.value)) < 3000


def test_a_spec_file_over_a_megabyte_is_refused():
    with pytest.raises(SpecError, match="a pipeline spec is a few KB"):
        PipelineSpec.from_file(b" " * (2 * 1024**2), "big.json")


def test_a_number_too_long_to_read_is_a_spec_error():
    with pytest.raises(SpecError, match="is not valid YAML"):
        PipelineSpec.from_file(
            b"data: {target: y, task: classification}\nevaluation: {seed: " + b"9" * 5000 + b"}\n", "s.yaml"
        )


NUMBER_FIELDS = [(EvaluationSpec, name) for name in ("cv_folds", "cv_repeats", "test_size", "seed", "model_seconds")]


@pytest.mark.parametrize(("model", "name"), [*NUMBER_FIELDS, (TuningSpec, "trials"), (TuningSpec, "seconds")])
def test_a_fields_bounds_are_exactly_what_validation_accepts(model, name):
    lowest, highest = bounds(model, name)
    step = 0.01 if isinstance(lowest, float) else 1
    assert model.model_validate({name: lowest}) and model.model_validate({name: highest})
    for outside in (lowest - step, highest + step):
        with pytest.raises(ValidationError):
            model.model_validate({name: outside})


def test_a_new_task_brings_its_default_models_and_ranking_a_new_target_does_not():
    spec = default_spec(target="y", task="classification").replace(
        models=[{"kind": "knn"}], evaluation={"primary_metric": "f1"}
    )
    retargeted = spec.with_data(target="z")
    assert retargeted.data.target == "z" and [m.kind for m in retargeted.models] == ["knn"]
    assert retargeted.ranking_metric == "f1"
    regression = spec.with_data(task="regression")
    assert regression.models == default_spec(target="y", task="regression").models
    assert regression.ranking_metric == "r2"
