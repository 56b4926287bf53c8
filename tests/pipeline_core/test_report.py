"""Every finding kind, each on a small generated frame that shows the problem, and its fix."""

import numpy as np
import pandas as pd
import pytest

from pipeline_core.columns import infer_column_types
from pipeline_core.data.report import apply_fix, profile
from pipeline_core.spec import default_spec
from pipeline_core.train.supervised import train

N = 200
rng = np.random.default_rng(0)


def _base() -> pd.DataFrame:
    signal = rng.uniform(-1, 1, N)  # uniform: nothing lies beyond 1.5 × IQR
    return pd.DataFrame(
        {
            "signal": signal,
            "noise": rng.uniform(-1, 1, N),
            "colour": rng.choice(["red", "green", "blue"], N),
            "label": np.where(signal + rng.uniform(-1, 1, N) > 0, "yes", "no"),
        }
    )


def _report(frame: pd.DataFrame, target: str = "label", task: str = "classification"):
    spec = default_spec(target=target, task=task, column_types=infer_column_types(frame))
    return spec, profile(frame, spec)


def _kinds(report) -> dict[str, list]:
    kinds: dict[str, list] = {}
    for finding in report.findings:
        kinds.setdefault(finding.kind, []).append(finding)
    return kinds


def test_a_clean_table_has_no_serious_findings():
    _, report = _report(_base())
    assert [f for f in report.findings if f.severity != "low"] == []
    assert report.predictive_power["signal"] > 0.7 > report.predictive_power["noise"]


@pytest.mark.parametrize(
    ("change", "kind", "column"),
    [
        (lambda f: f.assign(empty=np.nan), "empty_column", "empty"),
        (lambda f: f.assign(constant=7), "constant_column", "constant"),
        (lambda f: f.assign(rare=["a"] * (N - 1) + ["b"]), "near_constant", "rare"),
        (lambda f: f.assign(code=[f"K{i % 120}" for i in range(N)]), "high_cardinality", "code"),
        (lambda f: f.assign(ref=[f"R{i:04d}" for i in range(N)]), "id_like", "ref"),
        (lambda f: f.assign(mixed=[str(i % 40) if i % 2 else "n/a" for i in range(N)]), "mixed_types", "mixed"),
        (lambda f: f.assign(price=[f"${v:,.2f}" for v in rng.uniform(900, 9000, N)]), "numbers_as_text", "price"),
        (lambda f: f.assign(spike=np.r_[rng.uniform(size=N - 3), [50, 60, 70]]), "outliers", "spike"),
        (lambda f: f.assign(when=pd.date_range("2024-01-01", periods=N).strftime("%d/%m/%Y")), "dates", "when"),
        (
            lambda f: f.assign(gaps=np.where(np.arange(N) % 10 == 0, np.nan, 1.0 * np.arange(N))),
            "missing_values",
            "gaps",
        ),
    ],
)
def test_each_column_problem_is_found(change, kind, column):
    _, report = _report(change(_base()))
    found = _kinds(report).get(kind, [])
    assert [f.column for f in found] == [column], report.findings


def test_duplicates_and_missing_target_are_found_and_fixed_by_row_steps():
    frame = _base()
    frame.loc[:4, "label"] = None
    frame = pd.concat([frame, frame.iloc[50:60]])
    spec, report = _report(frame)
    kinds = _kinds(report)
    assert "10 rows" in kinds["duplicate_rows"][0].message and kinds["missing_target"][0].severity == "high"
    for finding in (kinds["duplicate_rows"][0], kinds["missing_target"][0]):
        spec = apply_fix(spec, finding.fix)
    assert spec.data.row_steps == ["drop_duplicates", "drop_missing_target"]
    assert {"duplicate_rows", "missing_target"}.isdisjoint(_kinds(profile(frame, spec)))
    assert train(spec.model_copy(update={"models": []}), frame).n_train == (N + 10 - 5 - 10) * 0.8


@pytest.mark.parametrize(
    ("leak", "text"),
    [
        (lambda f: f["label"].map({"yes": "refunded", "no": "kept"}), "alone predicts `label` almost perfectly"),
        (lambda f: f["label"], "is a copy of the target"),
    ],
)
def test_a_column_that_gives_away_the_target_is_a_leakage_suspect_and_can_be_left_out(leak, text):
    frame = _base().assign(after=leak)
    spec, report = _report(frame)
    [finding] = _kinds(report)["leakage"]
    assert finding.column == "after" and finding.severity == "high" and text in finding.message
    assert apply_fix(spec, finding.fix).data.roles == {"after": "ignore"}


def test_an_identifier_that_orders_the_target_is_reported():
    frame = _base().sort_values("label").reset_index(drop=True)
    frame.insert(0, "row_id", np.arange(1000, 1000 + N))
    _, report = _report(frame)
    [finding] = _kinds(report)["leakage"]
    assert finding.column == "row_id" and "ordered by the target" in finding.message and finding.fix is None


def test_a_rare_class_is_reported_as_imbalance():
    frame = _base().assign(label=["rare"] * 10 + ["common"] * (N - 10))
    _, report = _report(frame)
    assert "The class 'rare' is only 5.0% of rows" in _kinds(report)["class_imbalance"][0].message


def test_regression_profiles_use_r2_and_read_a_text_target_as_numbers():
    frame = _base().assign(amount=lambda f: [f"${v:,.2f}" for v in 1000 + 300 * f["signal"] ** 3])
    frame = frame.drop(columns="label")
    spec, report = _report(frame, target="amount", task="regression")
    [finding] = _kinds(report)["numbers_as_text"]
    assert finding.column == "amount"
    spec = apply_fix(spec, finding.fix)
    report = profile(frame, spec)
    assert report.predictive_power["signal"] > 0.9  # R² of the column that made the amount
    result = train(spec.model_copy(update={"models": []}), frame)
    assert result.status == "succeeded"


def test_a_model_trained_after_reading_text_as_numbers_loads_with_pipewrights_trusted_types():
    from pipeline_core.model_files import load_model
    from pipeline_core.spec import PipelineSpec

    frame = _base().assign(price=lambda f: [f"${v:,.2f}" for v in 5000 + 1000 * f["signal"]])
    spec, report = _report(frame)
    spec = apply_fix(spec, next(f for f in report.findings if f.kind == "numbers_as_text").fix)
    spec = PipelineSpec.from_dict(spec.model_dump() | {"models": [{"kind": "logistic_regression"}]})
    result = train(spec, frame)
    model = load_model(next(m for m in result.models if m.key == "logistic_regression").model_file)
    assert list(model.predict(frame.head(3))) == list(model.predict(frame.head(3)))
    assert "text_to_number" in model.named_steps["preprocess"].named_transformers_["numbers_in_text"].named_steps
