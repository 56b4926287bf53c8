"""The time estimate shown before a run starts."""

import pytest

from pipeline_core.catalog import get_model
from pipeline_core.data.samples import make_churn
from pipeline_core.errors import DataError, SpecError
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.estimate import PROBE_ROWS, START_SECONDS, Estimate, Memory, Probe, duration, estimate
from services import datasets, runs
from storage import repo
from storage.db import Storage, session_scope


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
    assert f"timed on samples of {PROBE_ROWS} and 1,600 rows, scaled to 1,280 rows × 11 fits" in found.describe()


def test_time_is_a_fixed_cost_and_one_that_grows_with_the_rows_or_their_square():
    probe = Probe(rows=[400, 1600], seconds=[1.0, 2.5])  # 0.5 s fixed, 1.5 s more for 1,200 rows
    assert probe.seconds_at(16_000, 1.0) == pytest.approx(0.5 + 16_000 / 800)
    kernel = Probe(rows=[400, 1600], seconds=[0.1, 1.6])  # no fixed cost: 0.1 s × (rows / 400)²
    assert kernel.seconds_at(4000, 2.0) == pytest.approx(0.1 * 10**2)
    assert Probe(rows=[300, 300], seconds=[2.0, 2.0]).seconds_at(600, 1.0) == pytest.approx(4.0)  # one probe only


def test_every_model_is_timed_at_the_rows_of_its_folds_and_of_its_final_fit():
    found = estimate(_spec(), make_churn(n_rows=8000))
    assert found.rows_per_fit == 5120 and set(found.per_model) == {"logistic_regression", "rbf_svm"}
    assert found.per_model["rbf_svm"] > found.per_model["logistic_regression"]  # a kernel grows with rows²
    assert found.seconds > START_SECONDS


def test_untrainable_data_is_refused_as_training_would():
    with pytest.raises(DataError, match="only one class"):
        estimate(_spec(), make_churn(n_rows=300).assign(churn="no"))


def test_durations_read_as_a_person_would_say_them():
    assert [duration(s) for s in (0.2, 42, 150, 7200)] == ["1 s", "42 s", "2 min", "2.0 h"]


def _forest_spec(**forest) -> PipelineSpec:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    models = [{"kind": "logistic_regression"}, {"kind": "random_forest", "params": forest}]
    return PipelineSpec.from_dict(spec.model_dump() | {"models": models})


def test_a_forest_is_expected_to_grow_with_the_rows_and_a_linear_model_not():
    small, large = (estimate(_forest_spec(), make_churn(n_rows=n)).memory for n in (2000, 20_000))
    assert large.rows == 16_000 and small.rows == 1600
    assert 5 < large.per_model["random_forest"] / small.per_model["random_forest"] <= 10  # leaves grow with rows
    assert large.per_model["logistic_regression"] == small.per_model["logistic_regression"] < 10_000
    limited = estimate(_forest_spec(max_depth=3), make_churn(n_rows=20_000)).memory
    assert limited.per_model["random_forest"] < large.per_model["random_forest"] / 5  # a depth limit shows


def test_a_run_that_will_not_fit_in_memory_is_refused_naming_the_model_that_needs_it(monkeypatch, data_dir):

    storage = Storage.open()
    dataset, table = datasets.store_upload(storage, make_churn(n_rows=12_000).to_csv(index=False).encode(), "c.csv")
    frame = table.frame
    needed = estimate(_forest_spec(), frame).memory.peak
    monkeypatch.setattr("pipeline_core.train.estimate.available_memory", lambda: needed // 2)
    with pytest.raises(SpecError) as refused:
        runs.create(storage, dataset, frame, _forest_spec())
    message = str(refused.value)
    assert message.startswith("This run would need about ") and " of memory, and " in message
    assert "The largest model is Random forest: about " in message and "fitted on 9,600 rows" in message
    assert "Leave it out, limit it" in message
    with session_scope(storage.engine) as session:
        assert repo.list_runs(session) == []  # refused before anything of the run was stored
    monkeypatch.setattr("pipeline_core.train.estimate.available_memory", lambda: needed * 2)
    assert runs.create(storage, dataset, frame, _forest_spec()).status == "queued"


def test_with_racing_the_estimate_spans_from_every_model_but_one_stopped_early_to_every_fold_and_expects_the_middle():
    frame = make_churn(n_rows=4000)
    raced, full = estimate(_spec(racing=True), frame), estimate(_spec(racing=False), frame)
    assert full.fastest is None and "the race" not in full.describe()
    assert START_SECONDS < raced.fastest < raced.likely < raced.seconds and full.likely == full.seconds
    memory = Memory(peak=0, per_model={}, workers=2, rows=8000)
    spread = Estimate(600, 6400, 6, {}, memory, fastest=150)  # a range wide enough to say in minutes
    assert spread.describe().startswith("about 5 min (2 min to 10 min: the more models the race stops, the sooner)")


def test_a_model_that_takes_most_of_a_long_run_is_named_with_why():
    memory = Memory(peak=0, per_model={"logistic_regression": 0, "rbf_svm": 0}, workers=2, rows=400_000)
    slow = Estimate(3700, 320_000, 6, {"logistic_regression": 30.0, "rbf_svm": 7200.0}, memory)
    warning = slow.slow_model(_spec())
    assert warning.startswith(f"{get_model('rbf_svm').label} alone would take about 1.0 h on these rows")
    assert "grows with the square of the rows" in warning and "time budget" in warning
    quick = Estimate(60, 320_000, 6, {"logistic_regression": 30.0, "rbf_svm": 90.0}, memory)
    assert quick.slow_model(_spec()) is None
