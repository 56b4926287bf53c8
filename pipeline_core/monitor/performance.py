"""Does the model still perform? On a labelled batch, its scores against the cross-validation estimate; without
labels, the accuracy its own probabilities expect, and how far that estimate can be trusted."""

import math

import numpy as np
import pandas as pd

from pipeline_core.catalog import Task
from pipeline_core.catalog.metrics import METRICS, Predictions
from pipeline_core.monitor.report import EstimatedPerformance, Performance
from pipeline_core.train.evaluate import score_all

Z = 2.58  # a batch outside mean ± Z standard errors would arise by chance about once in a hundred
BOOTSTRAP = 200  # resamples of the batch's rows for the standard error of its score
BOOTSTRAP_ROWS = 20_000  # rows resampled at most: the error of a larger batch is scaled down from these
MIN_JUDGED_ROWS = 30  # labelled rows below which a score says too little to judge the model by


def labelled(
    task: Task, predictions: Predictions, average: str, metric: str, fold_scores: list[float], size_ratio: float
) -> Performance:
    """The batch's scores, and whether the ranking metric fell outside what cross-validation promises: its mean,
    give or take the uncertainty of both that mean and the batch's own score (by bootstrap over its rows), so a
    small batch needs a larger drop to raise the alarm. The folds share most of their training rows, so their
    mean is less sure than k independent scores would make it: its variance is corrected as Nadeau and Bengio's
    t-test corrects it (`size_ratio`: a fold's validation rows over its training rows). Under MIN_JUDGED_ROWS
    labelled rows, or where the score is undefined, nothing is judged."""
    scores = score_all(task, predictions, average)
    folds = np.asarray([s for s in fold_scores if s is not None and not math.isnan(s)], dtype=float)
    mean = float(folds.mean())
    corrected = math.sqrt(1 / len(folds) + size_ratio) if len(folds) > 1 else 0.0
    of_mean = float(folds.std(ddof=1)) * corrected if len(folds) > 1 else 0.0
    spread = Z * math.hypot(of_mean, _bootstrap_error(predictions, METRICS[metric], average))
    value, scored = scores[metric], METRICS[metric]
    worse = value < mean - spread if scored.greater_is_better else value > mean + spread
    judged = len(predictions.y_true) >= MIN_JUDGED_ROWS and not math.isnan(value)
    return Performance(
        rows=len(predictions.y_true),
        scores={key: None if math.isnan(score) else score for key, score in scores.items()},
        metric=metric,
        cv_mean=mean,
        expected_low=scored.clipped(mean - spread),
        expected_high=scored.clipped(mean + spread),
        judged=judged,
        fell=bool(judged and worse),
    )


def _bootstrap_error(p: Predictions, metric, average: str) -> float:
    """The standard error of the metric on rows like these, from resampling them."""
    rng = np.random.default_rng(0)
    n = min(len(p.y_true), BOOTSTRAP_ROWS)
    values = []
    for _ in range(BOOTSTRAP):
        rows = rng.integers(0, len(p.y_true), n)
        sample = Predictions(
            p.y_true[rows], p.y_pred[rows], None if p.proba is None else p.proba[rows], p.classes, p.calibrated
        )
        try:
            values.append(metric.compute(sample, average))
        except ValueError:  # a resample with one class only
            continue
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(values.std(ddof=1)) * math.sqrt(n / len(p.y_true)) if len(values) > 1 else 0.0


def estimated(batch: Predictions, reference: Predictions) -> EstimatedPerformance | None:
    """Expected accuracy: the mean probability the model gives the class it predicts (NannyML's
    confidence-based estimate, for accuracy), which is right while those probabilities are calibrated: how far
    it was from the truth on the held-out rows says whether they are. None without probabilities, which a
    margin squashed into [0, 1] is not."""
    if batch.proba is None or not batch.calibrated:
        return None
    return EstimatedPerformance(
        metric="accuracy",
        on_batch=_expected_accuracy(batch),
        on_reference=_expected_accuracy(reference),
        actual_on_reference=float(np.mean(reference.y_true == reference.y_pred)),
    )


def _expected_accuracy(p: Predictions) -> float:
    predicted = pd.Index(list(p.classes)).get_indexer(p.y_pred)
    return float(p.proba[np.arange(len(predicted)), predicted].mean())
