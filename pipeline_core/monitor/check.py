"""Checking a batch of new rows against a trained model and the rows it was trained on: the data contract,
drift per column and overall, drift of the model's predictions, and performance when the batch is labelled."""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline_core.catalog.metrics import METRICS, Predictions
from pipeline_core.columns import ColumnType, read_as
from pipeline_core.errors import DataError
from pipeline_core.export.predict import model_input
from pipeline_core.monitor import performance
from pipeline_core.monitor.contract import check_contract
from pipeline_core.monitor.drift import column_drift, domain_classifier, drift_of
from pipeline_core.monitor.report import BatchReport, ColumnDrift
from pipeline_core.prepare.rows import keep_rows, prepare_rows
from pipeline_core.schema import feature_schema, numbers_as_text
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import splits
from pipeline_core.train.evaluate import predict
from pipeline_core.train.race import fold_size_ratio

MAX_BATCH_ROWS = 2_000_000
TESTED_ROWS = 100_000  # of a larger batch, a random sample is tested: more rows would not change the verdicts
REFERENCE_PREDICTIONS = 20_000  # held-out rows the model's predictions on the batch are compared with


@dataclass(frozen=True)
class Reference:
    """What a batch is compared with: the run's rows as its spec prepared and split them."""

    spec: PipelineSpec
    schema: dict[str, ColumnType]  # the model's columns
    as_text: frozenset[str]  # numeric columns the model reads from text itself
    training: pd.DataFrame  # the rows the model learned from: what drift is measured against
    held_out: pd.DataFrame  # rows it never saw: its honest predictions

    @classmethod
    def of(cls, spec: PipelineSpec, frame: pd.DataFrame) -> "Reference":
        prepared = prepare_rows(spec, frame)
        schema = feature_schema(spec, prepared)
        train_rows, test_rows, _ = splits.split(spec, prepared)
        held_out = prepared.iloc[test_rows[:REFERENCE_PREDICTIONS]]
        return cls(spec, schema, numbers_as_text(schema, prepared), prepared.iloc[train_rows], held_out)

    def model_input(self, rows: pd.DataFrame) -> pd.DataFrame:
        return model_input(rows, self.schema, as_text=self.as_text)


def check_batch(
    spec: PipelineSpec,
    frame: pd.DataFrame,
    model,
    model_key: str,
    fold_scores: list[float],
    batch: pd.DataFrame,
    *,
    test: str | None = None,
) -> tuple[BatchReport, pd.DataFrame]:
    """The report on `batch`, and its row-level contract breaches.

    Args:
        spec, frame: the run's spec and the table it trained on (the reference is its training part).
        model, model_key, fold_scores: the fitted pipeline checked, its key, and its cross-validation scores
            in the run's ranking metric.
        test: one drift test for every column it takes (a key of the catalog's DRIFT_TESTS), or each column's
            default.

    Raises:
        DataError: a batch with no rows, none of the model's columns, or too many rows; a spec or table the
            run's rows can no longer be made from.
    """
    if batch.empty:
        raise DataError("The batch has no rows.")
    if len(batch) > MAX_BATCH_ROWS:
        raise DataError(f"The batch has {len(batch):,} rows; split it into batches of at most {MAX_BATCH_ROWS:,}.")
    reference = Reference.of(spec, frame)
    if not set(reference.schema) & set(batch.columns):
        raise DataError(
            "The batch has none of the model's columns. It needs: "
            f"{', '.join(map(str, reference.schema))}; the batch has: {', '.join(map(str, batch.columns))}."
        )
    batch, notes = _in_population(spec, batch.reset_index(drop=True))
    contract, breaches = check_contract(
        _with_target(reference, batch), reference.training, batch, known=set(frame.columns)
    )
    tested = batch
    if len(batch) > TESTED_ROWS:
        tested = batch.sample(TESTED_ROWS, random_state=spec.evaluation.seed)
        notes.append(f"Drift was tested on a random {TESTED_ROWS:,} of the batch's {len(batch):,} rows.")
    if contract.missing:
        notes.append("The model cannot score a batch without its columns: predictions and performance are not checked.")
    columns, not_tested = column_drift(reference.training, tested, reference.schema, test)
    report = BatchReport(
        rows=len(batch),
        reference_rows=len(reference.training),
        model_key=model_key,
        contract=contract,
        columns=columns,
        not_tested=not_tested,
        overall=domain_classifier(reference.training, tested, reference.schema, spec.evaluation.seed),
        predictions=None,
        performance=None,
        estimated=None,
        notes=notes,
    )
    return (report if contract.missing else _scored(report, reference, model, fold_scores, batch)), breaches


def batch_labels(spec: PipelineSpec, batch: pd.DataFrame) -> pd.Series:
    """The batch's target as the training rows read it ('$1,200' → 1200); missing where unlabelled."""
    target = spec.data.target
    if target not in batch.columns:
        return pd.Series(np.nan, index=batch.index, dtype=object)
    return read_as(batch[target], spec.data.column_types.get(target))


def _in_population(spec: PipelineSpec, batch: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The batch's rows the pipeline's row filters keep: the others are not the model's to answer for."""
    kept = pd.Series(True, index=batch.index)
    for row_filter in spec.data.filters:
        if row_filter.column in batch.columns:
            kept &= keep_rows(batch, row_filter)
    if kept.all():
        return batch, []
    if not kept.any():
        raise DataError("The pipeline's row filters keep none of the batch's rows.")
    note = f"{(~kept).sum():,} rows outside the pipeline's row filters were left out, as training left them out."
    return batch[kept].reset_index(drop=True), [note]


def _with_target(reference: Reference, batch: pd.DataFrame) -> dict[str, ColumnType]:
    """The columns the contract checks: the model's, and the target when the batch carries it."""
    data = reference.spec.data
    if data.target not in batch.columns:
        return reference.schema
    return reference.schema | {data.target: "numeric" if data.task == "regression" else "categorical"}


def _scored(report: BatchReport, reference: Reference, model, fold_scores: list[float], batch) -> BatchReport:
    """The report with the model's predictions on the batch compared, and its performance where labels allow."""
    spec, notes = reference.spec, list(report.notes)
    labels = batch_labels(spec, batch)
    try:
        on_batch = predict(model, reference.model_input(batch), labels)
        on_reference = predict(model, reference.model_input(reference.held_out), reference.held_out[spec.data.target])
    except ValueError as error:  # values the model cannot take: say so, in its words
        return report.model_copy(update={"notes": [*notes, f"The model could not score the batch: {error}"]})
    update = {"predictions": _prediction_drift(spec.data.task, on_batch, on_reference)}
    scored = labels.notna().to_numpy()
    if spec.data.task == "classification" and scored.any():
        known = labels.isin(list(on_batch.classes)).to_numpy()
        if (scored & ~known).any():
            notes.append(
                f"{(scored & ~known).sum():,} labelled rows have a class the model never learned: they are left "
                "out of its scores."
            )
        scored = scored & known
    if scored.any():
        update["performance"] = _performance(spec, on_batch, scored, fold_scores, notes)
    elif spec.data.task == "classification":
        update["estimated"] = performance.estimated(on_batch, on_reference)
    return report.model_copy(update=update | {"notes": notes})


def _performance(spec: PipelineSpec, on_batch: Predictions, rows: np.ndarray, fold_scores, notes: list[str]):
    proba = None if on_batch.proba is None else on_batch.proba[rows]
    scored = Predictions(on_batch.y_true[rows], on_batch.y_pred[rows], proba, on_batch.classes, on_batch.calibrated)
    evaluation, metric = spec.evaluation, spec.ranking_metric
    ratio = fold_size_ratio(splits.scheme(spec), evaluation.cv_folds)
    found = performance.labelled(spec.data.task, scored, evaluation.average, metric, fold_scores, ratio)
    if found.scores[metric] is None:
        notes.append(
            f"{METRICS[metric].label} is undefined on these labelled rows (a single class, say), so performance "
            "could not be judged."
        )
    return found


def _prediction_drift(task: str, on_batch: Predictions, on_reference: Predictions) -> ColumnDrift:
    """The model's output on the batch against the held-out rows: the positive class's probability for two
    classes, the predicted class for more, the predicted value for a regression."""
    if task == "classification" and on_batch.proba is not None and len(on_batch.classes) == 2:
        name = f"probability of {on_batch.classes[1]}"
        return drift_of(name, pd.Series(on_reference.proba[:, 1]), pd.Series(on_batch.proba[:, 1]), "numeric")
    if task == "classification":
        predicted = [pd.Series(p.y_pred).astype(str) for p in (on_reference, on_batch)]
        return drift_of("predicted class", *predicted, "categorical")
    predicted = [pd.Series(p.y_pred, dtype=float) for p in (on_reference, on_batch)]
    return drift_of("prediction", *predicted, "numeric")
