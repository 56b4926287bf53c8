"""Checking a batch of new rows against a trained model and the rows it was trained on: the data contract,
drift per column and overall, drift of the model's predictions, and performance when the batch is labelled."""

import numpy as np
import pandas as pd

from pipeline_core.catalog.metrics import Predictions
from pipeline_core.columns import read_as
from pipeline_core.errors import DataError
from pipeline_core.export.predict import model_input
from pipeline_core.monitor import performance
from pipeline_core.monitor.contract import check_contract
from pipeline_core.monitor.drift import column_drift, domain_classifier, drift_of
from pipeline_core.monitor.report import BatchReport, ColumnDrift
from pipeline_core.prepare.rows import prepare_rows
from pipeline_core.schema import feature_schema, numbers_as_text
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import splits
from pipeline_core.train.evaluate import predict

MAX_BATCH_ROWS = 2_000_000
TESTED_ROWS = 100_000  # of a larger batch, a random sample is tested: more rows would not change the verdicts
REFERENCE_PREDICTIONS = 20_000  # held-out rows the model's predictions on the batch are compared with


def check_batch(
    spec: PipelineSpec, frame: pd.DataFrame, model, model_key: str, fold_scores: list[float], batch: pd.DataFrame
) -> tuple[BatchReport, pd.DataFrame]:
    """The report on `batch`, and its row-level contract breaches.

    Args:
        spec, frame: the run's spec and the table it trained on (the reference is its training part).
        model, model_key, fold_scores: the fitted pipeline checked, its key, and its cross-validation scores
            in the run's ranking metric.

    Raises:
        DataError: a batch with no rows, none of the model's columns, or too many rows; a spec or table the
            run's rows can no longer be made from.
    """
    if batch.empty:
        raise DataError("The batch has no rows.")
    if len(batch) > MAX_BATCH_ROWS:
        raise DataError(f"The batch has {len(batch):,} rows; split it into batches of at most {MAX_BATCH_ROWS:,}.")
    prepared = prepare_rows(spec, frame)
    schema = feature_schema(spec, prepared)
    if not set(schema) & set(batch.columns):
        raise DataError(
            "The batch has none of the model's columns. It needs: "
            f"{', '.join(map(str, schema))}; the batch has: {', '.join(map(str, batch.columns))}."
        )
    train_rows, test_rows, _ = splits.split(spec, prepared)
    reference, held_out = prepared.iloc[train_rows], prepared.iloc[test_rows[:REFERENCE_PREDICTIONS]]
    batch = batch.reset_index(drop=True)
    contract, breaches = check_contract(schema, reference, batch, known=set(frame.columns))
    notes = []
    tested = batch
    if len(batch) > TESTED_ROWS:
        tested = batch.sample(TESTED_ROWS, random_state=spec.evaluation.seed)
        notes.append(f"Drift was tested on a random {TESTED_ROWS:,} of the batch's {len(batch):,} rows.")
    if contract.missing:
        notes.append("The model cannot score a batch without its columns: predictions and performance are not checked.")
    columns, not_tested = column_drift(reference, tested, schema)
    report = BatchReport(
        rows=len(batch),
        reference_rows=len(reference),
        model_key=model_key,
        contract=contract,
        columns=columns,
        not_tested=not_tested,
        overall=domain_classifier(reference, tested, schema, spec.evaluation.seed),
        predictions=None,
        performance=None,
        estimated=None,
        notes=notes,
    )
    if contract.missing:
        return report, breaches
    return _scored(report, spec, prepared, held_out, model, fold_scores, batch), breaches


def _scored(report: BatchReport, spec, prepared, held_out, model, fold_scores, batch) -> BatchReport:
    """The report with the model's predictions on the batch compared, and its performance where labels allow."""
    data, evaluation = spec.data, spec.evaluation
    schema = feature_schema(spec, prepared)
    as_text = numbers_as_text(schema, prepared)
    labels = _labels(batch, data.target, data.column_types.get(data.target))
    try:
        on_batch = predict(model, model_input(batch, schema, as_text=as_text), labels)
        on_reference = predict(model, model_input(held_out, schema, as_text=as_text), held_out[data.target])
    except ValueError as error:  # values the model cannot take: say so, in its words
        return report.model_copy(update={"notes": [*report.notes, f"The model could not score the batch: {error}"]})
    update = {"predictions": _prediction_drift(data.task, on_batch, on_reference)}
    known = labels.notna().to_numpy()
    if known.any():
        scored = Predictions(
            on_batch.y_true[known],
            on_batch.y_pred[known],
            None if on_batch.proba is None else on_batch.proba[known],
            on_batch.classes,
            on_batch.calibrated,
        )
        metric = spec.ranking_metric
        update["performance"] = performance.labelled(data.task, scored, evaluation.average, metric, fold_scores)
    elif data.task == "classification":
        update["estimated"] = performance.estimated(on_batch, on_reference)
    return report.model_copy(update=update)


def _labels(batch: pd.DataFrame, target: str, target_type) -> pd.Series:
    if target not in batch.columns:
        return pd.Series([np.nan] * len(batch), dtype=object)
    return read_as(batch[target], target_type)


def _prediction_drift(task: str, on_batch: Predictions, on_reference: Predictions) -> ColumnDrift:
    """The model's output on the batch against the held-out rows: the positive class's probability for two
    classes, the predicted class for more, the predicted value for a regression."""
    if task == "classification" and on_batch.proba is not None and len(on_batch.classes) == 2:
        name = f"probability of {on_batch.classes[1]}"
        return drift_of(name, pd.Series(on_reference.proba[:, 1]), pd.Series(on_batch.proba[:, 1]), "numeric")
    if task == "classification":
        return drift_of(
            "predicted class",
            pd.Series(on_reference.y_pred).astype(str),
            pd.Series(on_batch.y_pred).astype(str),
            "categorical",
        )
    return drift_of(
        "prediction", pd.Series(on_reference.y_pred, dtype=float), pd.Series(on_batch.y_pred, dtype=float), "numeric"
    )
