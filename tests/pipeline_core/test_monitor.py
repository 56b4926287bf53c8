"""Monitoring new rows: drift tests as scipy computes them, no alarm on rows like the training ones, alarms that
name the shifted column, the data contract, performance as scored by hand, champion against challenger."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import roc_auc_score

from pipeline_core.catalog.drift import DRIFT_TESTS, default_test
from pipeline_core.data.samples import make_churn
from pipeline_core.errors import DataError
from pipeline_core.model_files import load_model
from pipeline_core.monitor.challenge import duel
from pipeline_core.monitor.check import check_batch
from pipeline_core.monitor.contract import check_contract
from pipeline_core.monitor.drift import column_drift, domain_classifier
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.supervised import train

RNG = np.random.default_rng(0)
NORMAL = pd.Series(RNG.normal(0, 1, 800))
SHIFTED = pd.Series(RNG.normal(0.5, 1, 600))
LEVELS = pd.Series(RNG.choice(["a", "b", "c"], 800, p=[0.5, 0.3, 0.2]))
MIXED = pd.Series(RNG.choice(["a", "b", "c", "d"], 600, p=[0.2, 0.3, 0.4, 0.1]))


def test_each_drift_test_gives_what_scipy_gives_on_known_distributions():
    ks = stats.ks_2samp(NORMAL, SHIFTED)
    assert DRIFT_TESTS["ks"].compute(NORMAL, SHIFTED) == pytest.approx((ks.statistic, ks.pvalue))
    table = pd.crosstab(np.repeat([0, 1], [800, 600]), pd.concat([LEVELS, MIXED], ignore_index=True))
    chi = stats.chi2_contingency(table, correction=False)
    assert DRIFT_TESTS["chi_squared"].compute(LEVELS, MIXED) == pytest.approx((chi.statistic, chi.pvalue))
    distance, _ = DRIFT_TESTS["wasserstein"].compute(NORMAL, SHIFTED)
    assert distance == pytest.approx(stats.wasserstein_distance(NORMAL, SHIFTED) / NORMAL.std())
    shares = table.to_numpy() / table.to_numpy().sum(axis=1, keepdims=True)
    assert DRIFT_TESTS["jensen_shannon"].compute(LEVELS, MIXED)[0] == pytest.approx(jensenshannon(*shares, base=2))
    smoothed = np.clip(shares, 1e-4, None)  # 'd' never occurs in training: an empty bin counts as 0.01 %
    psi = ((smoothed[1] - smoothed[0]) * np.log(smoothed[1] / smoothed[0])).sum()
    assert DRIFT_TESTS["psi"].compute(LEVELS, MIXED)[0] == pytest.approx(psi)
    assert DRIFT_TESTS["psi"].compute(NORMAL, NORMAL)[0] == pytest.approx(0)
    assert DRIFT_TESTS["ks"].compute(NORMAL, NORMAL)[1] == 1.0


def test_the_test_is_chosen_by_column_kind_reference_size_and_number_of_values():
    assert default_test("numeric", 1000, 50).key == "ks"
    assert default_test("numeric", 1001, 50).key == "wasserstein"
    assert default_test("numeric", 500, 4).key == "chi_squared"  # few values: compared as categories
    assert default_test("categorical", 500, 30).key == "chi_squared"
    assert default_test("categorical", 5000, 3).key == "jensen_shannon"


def _split(frame: pd.DataFrame, seed: int, n_batch: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(frame))
    return frame.iloc[order[n_batch:]], frame.iloc[order[:n_batch]]


CHURN = make_churn(5000, seed=11)
SIZES = [(900, 400), (3800, 1200)]  # reference and batch rows: tests with p-values, then distances
SCHEMA = {c: t for c, t in feature_schema(default_spec(target="churn", task="classification"), CHURN).items()}


@pytest.mark.parametrize(("n_reference", "n_batch"), SIZES)
def test_random_splits_of_one_table_rarely_raise_a_false_alarm(n_reference, n_batch):
    alarms = 0
    seeds = range(40)
    for seed in seeds:
        reference, batch = _split(CHURN, seed, n_batch)
        drifted = [c for c in column_drift(reference.head(n_reference), batch, SCHEMA)[0] if c.drifted]
        alarms += bool(drifted)
    assert alarms / len(seeds) <= 0.1  # Benjamini–Hochberg at 5 %: under no drift, about one split in twenty


SHIFTS = {
    "monthly_charges": lambda f: f.assign(monthly_charges=f["monthly_charges"] * 1.3),
    "contract": lambda f: f.assign(contract=np.where(np.arange(len(f)) % 10 < 8, "month-to-month", f["contract"])),
    "tenure_months": lambda f: f.assign(tenure_months=f["tenure_months"] // 2),
}


@pytest.mark.parametrize(("n_reference", "n_batch"), SIZES)
@pytest.mark.parametrize("column", list(SHIFTS))
def test_an_injected_shift_is_caught_and_names_only_the_shifted_column(column, n_reference, n_batch):
    reference, batch = _split(CHURN, 1, n_batch)
    found, skipped = column_drift(reference.head(n_reference), SHIFTS[column](batch), SCHEMA)
    assert [c.column for c in found if c.drifted] == [column]
    assert {c.test for c in found} <= ({"ks", "chi_squared"} if n_batch < 1000 else {"wasserstein", "jensen_shannon"})
    assert skipped == {}


def test_the_domain_classifier_cannot_tell_a_random_split_but_tells_a_shifted_batch_and_names_its_column():
    reference, batch = _split(CHURN.head(2400), 2, 600)
    alike = domain_classifier(reference, batch, SCHEMA, seed=0)
    assert abs(alike.roc_auc - 0.5) < 0.06 and not alike.drifted
    shifted = domain_classifier(reference, SHIFTS["monthly_charges"](batch), SCHEMA, seed=0)
    assert shifted.roc_auc > 0.8 and shifted.drifted and next(iter(shifted.top_columns)) == "monthly_charges"


def test_the_contract_lists_missing_renamed_and_extra_columns_and_every_row_that_breaks_it():
    reference, batch = _split(CHURN.head(2400), 3, 300)
    batch = batch.rename(columns={"tenure_months": "Tenure Months"}).assign(
        monthly_charges=lambda f: f["monthly_charges"].where(np.arange(len(f)) != 4, 999.0),
        contract=lambda f: f["contract"].where(np.arange(len(f)) != 7, "ten-year"),
        payment_method=lambda f: f["payment_method"].where(np.arange(len(f)) % 2 == 0),
    )
    contract, rows = check_contract(SCHEMA, reference, batch, known=set(CHURN.columns))
    assert contract.missing == ["tenure_months"] and contract.extra == ["Tenure Months"]
    assert contract.likely_renamed == {"tenure_months": "Tenure Months"}
    problems = {(b.column, b.problem.split(" (")[0]): b.rows for b in contract.breaches}
    assert problems[("monthly_charges", "above the training range")] == 1
    assert problems[("contract", "a category never seen in training")] == 1
    assert problems[("payment_method", "missing in 50% of rows")] == 150
    assert set(rows.loc[rows["column"] == "monthly_charges", "row"]) == {5}  # counted from 1, as a user reads
    assert rows.loc[rows["column"] == "contract", "value"].tolist() == ["ten-year"]


@pytest.fixture(scope="module")
def trained():
    frame = make_churn(1500, seed=5)
    spec = PipelineSpec.from_dict(
        default_spec(target="churn", task="classification").model_dump() | {"models": [{"kind": "logistic_regression"}]}
    )
    result = train(spec, frame, n_jobs=1)
    model = next(m for m in result.models if m.key == "logistic_regression")
    return spec, frame, load_model(model.model_file), model.cv_scores["roc_auc"]


def test_performance_on_a_labelled_batch_is_the_model_scored_by_hand(trained):
    spec, frame, model, folds = trained
    batch = make_churn(500, seed=21)
    report, _ = check_batch(spec, frame, model, "logistic_regression", folds, batch)
    X = batch[list(feature_schema(spec, frame))]
    by_hand = roc_auc_score(batch["churn"] == "yes", model.predict_proba(X)[:, 1])
    assert report.performance.scores["roc_auc"] == pytest.approx(by_hand)
    assert report.performance.expected_low < np.mean(folds) < report.performance.expected_high
    assert not report.performance.fell and not report.alarm and report.estimated is None


def test_a_batch_whose_labels_no_longer_follow_the_columns_is_flagged_and_one_without_labels_is_estimated(trained):
    spec, frame, model, folds = trained
    flipped = make_churn(500, seed=22)
    flipped["churn"] = np.where(flipped["churn"] == "yes", "no", "yes")
    report, _ = check_batch(spec, frame, model, "logistic_regression", folds, flipped)
    assert report.performance.fell and report.alarm and not report.drift  # the columns did not move; the link did
    unlabelled, _ = check_batch(spec, frame, model, "logistic_regression", folds, flipped.drop(columns="churn"))
    assert unlabelled.performance is None and 0.5 < unlabelled.estimated.on_batch < 1
    assert abs(unlabelled.estimated.on_reference - unlabelled.estimated.actual_on_reference) < 0.1


def test_a_batch_with_no_rows_or_none_of_the_models_columns_is_refused(trained):
    spec, frame, model, folds = trained
    with pytest.raises(DataError, match="no rows"):
        check_batch(spec, frame, model, "logistic_regression", folds, frame.head(0))
    with pytest.raises(DataError, match="none of the model's columns"):
        check_batch(spec, frame, model, "logistic_regression", folds, pd.DataFrame({"x": [1, 2]}))


def test_a_batch_missing_a_column_is_checked_for_drift_but_not_scored(trained):
    spec, frame, model, folds = trained
    report, _ = check_batch(
        spec, frame, model, "logistic_regression", folds, make_churn(300, 9).drop(columns="contract")
    )
    assert report.contract.missing == ["contract"] and report.performance is None and report.columns
    assert any("cannot score" in note for note in report.notes)


def test_the_challenger_retrained_with_rows_whose_labels_changed_beats_the_champion_on_them(trained):
    spec, frame, model, _ = trained
    changed = make_churn(600, seed=23)
    changed["churn"] = np.where(changed["contract"] == "two-year", "yes", "no")  # a new link from column to target
    found = duel(spec, frame, model, "logistic_regression", changed)
    assert found.challenger_wins and np.mean(found.challenger) > np.mean(found.champion) + 0.1
    assert "does better" in found.sentence()
    alike = duel(spec, frame, model, "logistic_regression", make_churn(600, seed=24))
    assert not alike.challenger_wins and len(alike.champion) == len(alike.challenger) == 5


def test_a_large_batch_like_the_training_rows_is_within_what_cross_validation_promised(trained):
    spec, frame, model, folds = trained
    report, _ = check_batch(spec, frame, model, "logistic_regression", folds, make_churn(20_000, seed=31))
    assert not report.performance.fell and not report.alarm  # the folds' mean is less sure than k scores would say


def test_a_column_of_many_rare_levels_raises_no_false_alarm():
    rng = np.random.default_rng(4)
    levels = [f"level {i}" for i in range(300)]
    reference, batch = (pd.DataFrame({"code": rng.choice(levels, n)}) for n in (4000, 1500))
    (found,), _ = column_drift(reference, batch, {"code": "categorical"})
    assert found.test == "chi_squared" and not found.drifted  # a distance needs more rows per level


def test_one_test_can_be_asked_for_on_every_column_it_takes():
    reference, batch = _split(CHURN.head(2400), 5, 600)
    found, _ = column_drift(reference, batch, SCHEMA, test="psi")
    assert {c.test for c in found} == {"psi"} and not [c for c in found if c.drifted]


def test_labels_the_model_never_learned_and_rows_outside_the_filters_are_left_out_and_said(trained):
    spec, frame, model, folds = trained
    filtered = spec.replace(data={"filters": [{"column": "tenure_months", "operator": "gt", "value": 3}]})
    batch = make_churn(400, seed=41)
    batch.loc[:9, "churn"] = "maybe"
    report, _ = check_batch(filtered, frame, model, "logistic_regression", folds, batch)
    kept = batch[batch["tenure_months"] > 3]
    assert report.rows == len(kept) and any("outside the pipeline's row filters" in n for n in report.notes)
    unknown = (kept["churn"] == "maybe").sum()
    assert any(f"{unknown:,} labelled rows have a class the model never learned" in n for n in report.notes)
    assert report.performance.rows == len(kept) - unknown
    assert ("churn", "a category never seen in training") in {(b.column, b.problem) for b in report.contract.breaches}


def test_the_accuracy_expected_without_labels_is_the_probability_of_the_predicted_class(trained):
    spec, frame, model, folds = trained
    batch = make_churn(300, seed=42).drop(columns="churn")
    report, _ = check_batch(spec, frame, model, "logistic_regression", folds, batch)
    X = batch[list(feature_schema(spec, frame))]
    proba, predicted = model.predict_proba(X), model.predict(X)
    by_hand = proba[np.arange(len(X)), np.searchsorted(model.classes_, predicted)].mean()
    assert report.estimated.on_batch == pytest.approx(by_hand) and report.estimated.trustworthy


def test_with_a_tuned_threshold_the_challenger_is_tuned_as_training_tunes_it(trained):
    spec, frame, _, _ = trained
    tuned = spec.replace(evaluation={"tune_threshold": True, "primary_metric": "balanced_accuracy"})
    model = next(m for m in train(tuned, frame, n_jobs=1).models if m.key == "logistic_regression")
    found = duel(tuned, frame, load_model(model.model_file), "logistic_regression", make_churn(600, seed=43))
    assert found.p_value > 0.05  # like rows: neither is better, where an untuned challenger lost (p = 0.011)


def test_a_few_labelled_rows_are_not_judged_and_the_band_stays_within_what_the_metric_can_score(trained):
    spec, frame, model, folds = trained
    report, _ = check_batch(spec, frame, model, "logistic_regression", folds, make_churn(15, seed=44))
    found = report.performance
    assert found.rows == 15 and not found.judged and not found.fell
    assert 0 <= found.expected_low <= found.expected_high <= 1  # ROC AUC cannot pass 1, whatever the band's width
    enough, _ = check_batch(spec, frame, model, "logistic_regression", folds, make_churn(400, seed=44))
    assert enough.performance.judged


def test_values_just_past_the_training_range_pass_and_examples_read_as_numbers():
    reference = pd.DataFrame({"x": np.linspace(0.0, 100.0, 500)})
    batch = pd.DataFrame({"x": [50.0, 101.0, 104.9, 1 / 3 + 120]})  # 5 % of the range past its end is chance
    contract, _ = check_contract({"x": "numeric"}, reference, batch, known=set())
    (breach,) = contract.breaches
    assert breach.rows == 1 and breach.examples == ["120.333"]


def test_numbers_of_a_few_values_rounded_are_not_drift_but_a_new_value_is():
    levels = pd.DataFrame({"share": RNG.choice([0.0, 1 / 3, 2 / 3, 1.0], 800)})
    rounded = pd.DataFrame({"share": RNG.choice([0.0, 0.33, 0.67, 1.0], 400)})  # as a spreadsheet wrote them
    (found,), _ = column_drift(levels, rounded, {"share": "numeric"})
    assert found.test == "chi_squared" and not found.drifted
    moved = pd.DataFrame({"share": RNG.choice([0.0, 1 / 3, 2 / 3, 1.1], 400)})
    (found,), _ = column_drift(levels, moved, {"share": "numeric"})
    assert found.drifted
