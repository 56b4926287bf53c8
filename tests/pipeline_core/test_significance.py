"""The corrected resampled t-test (Nadeau and Bengio) and the sentences built on it."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from pipeline_core.compare.significance import compare_to_best
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.race import corrected_t_test, fold_size_ratio
from pipeline_core.train.supervised import train


def test_the_corrected_t_test_matches_a_hand_computed_example():
    # differences 0.02, 0.03, 0.01, 0.04, 0.00: mean 0.02, sample variance 0.001 / 4 = 0.00025;
    # 5-fold, so a validation fold is 1/4 of its training rows: corrected variance 0.00025 * (1/5 + 1/4)
    # = 0.0001125; t = 0.02 / sqrt(0.0001125) = 1.8856; two-sided p with 4 degrees of freedom = 0.1324
    mean, t, p = corrected_t_test([0.82, 0.83, 0.81, 0.84, 0.80], [0.80] * 5, fold_size_ratio("kfold", 5))
    assert (mean, t, p) == pytest.approx((0.02, 1.8856, 0.1324), abs=1e-4)
    # the uncorrected paired t-test would claim this gap with p = 0.047
    plain_t = 0.02 / np.sqrt(0.00025 / 5)
    assert plain_t == pytest.approx(2.828, abs=1e-3)


def test_identical_scores_are_indistinguishable_and_a_constant_gap_is_certain():
    assert corrected_t_test([0.5, 0.6], [0.5, 0.6], 0.25)[2] == 1.0
    assert corrected_t_test([1.0, 2.0], [0.5, 1.5], 0.25)[2] == 0.0


def test_time_series_folds_correct_by_their_growing_training_part():
    assert fold_size_ratio("time_series", 3) == pytest.approx((1 + 1 / 2 + 1 / 3) / 3)
    assert fold_size_ratio("stratified", 10) == pytest.approx(1 / 9)


@dataclass
class _Result:
    label: str
    cv_scores: dict
    status: str = "succeeded"
    is_baseline: bool = False
    test_scores: dict = field(default_factory=dict)


def test_for_an_error_metric_lower_is_better_and_the_gap_is_reported_as_a_gain():
    good = _Result("Good", {"rmse": [1.0, 1.1, 0.9, 1.0, 1.05]})
    bad = _Result("Bad", {"rmse": [2.0, 2.1, 1.9, 2.0, 2.2]})
    [difference] = compare_to_best([bad, good], "rmse", 0.25)
    assert difference.other == "Bad" and difference.mean_difference == pytest.approx(1.03)
    assert difference.sentence.startswith("Good is better than Bad by 1.030 RMSE")


def test_two_copies_of_one_model_are_never_called_different_but_signal_beats_the_baseline(churn):
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    models = [{"kind": "logistic_regression"}, {"kind": "logistic_regression", "params": {"C": 0.9}}]
    result = train(PipelineSpec.from_dict(spec.model_dump() | {"models": models}), churn)
    verdicts = {d.other: d for d in compare_to_best(result.models, "roc_auc", fold_size_ratio("stratified", 5))}
    twin = next(d for name, d in verdicts.items() if name.startswith("Logistic"))
    assert twin.p_value > 0.05 and "not distinguishable" in twin.sentence
    assert verdicts["Baseline (dummy)"].p_value < 0.01
