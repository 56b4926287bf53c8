"""Comparing a run with its re-run, score by score."""

from dataclasses import dataclass, field

from pipeline_core.compare.reproduce import compare


@dataclass
class _Result:
    key: str
    label: str
    cv_scores: dict = field(default_factory=dict)
    test_scores: dict = field(default_factory=dict)


def test_identical_scores_are_reported_as_reproduced():
    first = [_Result("ridge", "Ridge", {"r2": [0.4, 0.5]}, {"r2": 0.45})]
    result = compare(first, first, {"scikit-learn": "1.9.1"}, {"scikit-learn": "1.9.1"})
    assert result.identical and result.verdict().startswith("Reproduced exactly")


def test_a_difference_is_shown_with_the_library_that_changed():
    first = [_Result("ridge", "Ridge", {"r2": [0.4, 0.5]}, {"r2": 0.45})]
    again = [_Result("ridge", "Ridge", {"r2": [0.4, 0.51]}, {"r2": 0.45})]
    result = compare(first, again, {"scikit-learn": "1.9.1"}, {"scikit-learn": "1.10.0"})
    assert not result.identical
    assert [row["identical"] for row in result.rows] == [False, True]
    assert (
        result.verdict()
        == "Not identical: 1 of 2 scores differ. Library versions changed: scikit-learn 1.9.1 → 1.10.0."
    )


def test_a_model_missing_from_the_rerun_is_a_difference():
    first = [_Result("ridge", "Ridge", {"r2": [0.4]}, {"r2": 0.4})]
    assert not compare(first, [], {}, {}).identical


def test_another_machine_is_named_as_the_likely_cause_not_as_a_library_change():
    first = [_Result("ridge", "Ridge", {"r2": [0.4]}, {"r2": 0.4})]
    again = [_Result("ridge", "Ridge", {"r2": [0.41]}, {"r2": 0.4})]
    result = compare(first, again, {"scikit-learn": "1.9.1", "machine": "a"}, {"scikit-learn": "1.9.1", "machine": "b"})
    assert result.version_changes == []
    assert result.verdict().endswith("comes from the data or the machine (it ran on b, the original on a).")
