"""The step-by-step difference between two versions of a pipeline."""

from pipeline_core.compare.diff import spec_diff
from pipeline_core.spec import PipelineSpec, default_spec


def _edit(spec: PipelineSpec, **changes) -> PipelineSpec:
    return PipelineSpec.from_dict(spec.model_dump() | changes)


def test_an_unchanged_spec_has_no_differences():
    spec = default_spec(target="churn", task="classification")
    assert spec_diff(spec, spec) == []


def test_steps_added_removed_moved_switched_and_reparametrised_read_as_sentences():
    old = default_spec(target="churn", task="classification")
    old = old.replace(preprocessing={"categorical": [{"kind": "categorical_imputer"}, {"kind": "onehot_encoder"}]})
    steps = old.preprocessing.model_dump()
    steps["numeric"] = [
        {"kind": "standard_scaler"},
        {"kind": "numeric_imputer", "params": {"strategy": "mean"}},
        {"kind": "log_transform", "enabled": False},
    ]
    steps["categorical"] = [{"kind": "categorical_imputer"}, {"kind": "onehot_encoder", "columns": ["city"]}]
    new = _edit(old, preprocessing=steps, evaluation=old.evaluation.model_dump() | {"cv_folds": 10})
    assert spec_diff(old, new) == [
        "Numeric: added step 'Log transform'",
        "Numeric: moved 'Standard scaling' from position 2 to 1",
        "Numeric: moved 'Fill missing numbers' from position 1 to 2",
        "Numeric: 'Fill missing numbers': strategy median → mean",
        "Categorical: 'One-hot encoding' runs on all columns of its group → city",
        "Validation: cv folds 5 → 10",
    ]


def test_models_and_their_settings_and_tuning():
    old = default_spec(target="churn", task="classification")
    models = [
        {"kind": "logistic_regression", "params": {"C": 0.5}},
        {"kind": "random_forest", "tuning": {"method": "random", "trials": 10}},
        {"kind": "knn"},
    ]
    new = _edit(old, models=models)
    assert spec_diff(old, new) == [
        "Models: added k-nearest neighbours",
        "Models: removed Histogram gradient boosting",
        "Models: Logistic regression: C 1.0 → 0.5",
        "Models: Random forest tuning off → random, 10 candidates",
    ]


def test_mappings_and_tuning_settings_differ_key_by_key():
    old = default_spec(target="churn", task="classification", column_types={"age": "numeric", "city": "categorical"})
    tuned = [{"kind": "random_forest", "tuning": {"method": "optuna", "trials": 20}}]
    old = _edit(old, models=tuned)
    data = old.data.model_dump() | {"column_types": {"age": "categorical", "city": "categorical"}}
    new = _edit(old, data=data, models=[tuned[0] | {"tuning": {"method": "optuna", "trials": 20, "seconds": 60}}])
    assert spec_diff(old, new) == [
        "Data: column types: age numeric → categorical",
        "Models: Random forest tuning: seconds (none) → 60",
    ]
