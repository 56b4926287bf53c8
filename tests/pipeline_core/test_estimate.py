"""The time estimate shown before a run starts."""

import pytest

from pipeline_core.errors import DataError
from pipeline_core.estimate import PROBE_ROWS, duration, estimate
from pipeline_core.samples import make_churn
from pipeline_core.spec import PipelineSpec, default_spec


def _spec(**evaluation) -> PipelineSpec:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    models = [{"kind": "logistic_regression"}, {"kind": "rbf_svm"}]
    return PipelineSpec.from_dict(
        spec.model_dump() | {"models": models, "evaluation": spec.evaluation.model_dump() | evaluation}
    )


def test_the_estimate_counts_every_fit_at_the_rows_each_fit_will_see():
    found = estimate(_spec(cv_repeats=2), make_churn(n_rows=2000))
    assert (found.rows_per_fit, found.fits) == (1280, 11)  # 2000 × 0.8 × 4/5 rows; 5 folds × 2 repeats + 1
    assert set(found.per_model) == {"logistic_regression", "rbf_svm"} and found.seconds > 0
    assert f"timed on {PROBE_ROWS} rows, scaled to 1,280 rows × 11 fits" in found.describe()


def test_a_kernel_model_is_expected_to_grow_with_the_square_of_the_rows(monkeypatch):
    ticks = iter(range(1000))
    monkeypatch.setattr("pipeline_core.estimate.time.perf_counter", lambda: float(next(ticks)))  # every probe: 1 s
    found = estimate(_spec(), make_churn(n_rows=8000))
    growth = found.rows_per_fit / PROBE_ROWS
    assert found.per_model["logistic_regression"] == pytest.approx(growth * found.fits)
    assert found.per_model["rbf_svm"] == pytest.approx(growth**2 * found.fits)


def test_untrainable_data_is_refused_as_training_would():
    with pytest.raises(DataError, match="only one class"):
        estimate(_spec(), make_churn(n_rows=300).assign(churn="no"))


def test_durations_read_as_a_person_would_say_them():
    assert [duration(s) for s in (0.2, 42, 150, 7200)] == ["1 s", "42 s", "2 min", "2.0 h"]
