"""A fitted model's predictions on some rows, read once, and every metric and curve computed from them."""

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.special import softmax
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.ensemble._forest import ForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import label_binarize
from sklearn.tree import DecisionTreeClassifier

from pipeline_core.catalog import Task
from pipeline_core.catalog.metrics import Predictions, metrics_for
from pipeline_core.train.curves import (
    ActualPredicted,
    Calibration,
    Confusion,
    Curves,
    Gain,
    PrecisionRecall,
    Roc,
    ThresholdTradeOff,
)

# Enough points to draw a smooth predicted-vs-actual cloud without bloating the database.
MAX_SCATTER_POINTS = 2000
# Classifiers whose own `predict` is the class of largest probability: their labels are read off the
# probabilities rather than predicted twice (a second neighbours search, a second pass through every tree).
LABELS_FROM_PROBA = (ForestClassifier, KNeighborsClassifier, DecisionTreeClassifier, HistGradientBoostingClassifier)


def predict(pipeline, X, y_true) -> Predictions:
    """Predict once, so every metric reads the same predictions.

    A classifier without probabilities (an SVM) gives its decision scores squashed into [0, 1]: they rank
    rows as well as probabilities do (ROC, precision-recall) but are not calibrated.
    """
    classes = tuple(pipeline.classes_) if hasattr(pipeline, "classes_") else ()
    if hasattr(pipeline, "predict_proba"):
        proba, calibrated = pipeline.predict_proba(X), True
    elif classes and hasattr(pipeline, "decision_function"):
        scores = pipeline.decision_function(X)
        proba = softmax(np.column_stack([-scores, scores]) if scores.ndim == 1 else scores, axis=1)
        calibrated = False
    else:
        proba, calibrated = None, False
    if isinstance(pipeline, LABELS_FROM_PROBA):
        labels = pipeline.classes_[np.argmax(proba, axis=1)]
    else:
        labels = pipeline.predict(X)
    return Predictions(np.asarray(y_true), np.asarray(labels), proba, classes, calibrated)


def score_all(task: Task, predictions: Predictions, average: str = "macro") -> dict[str, float]:
    """Every metric of the task; a metric that is undefined on these rows is NaN, not an error."""
    scores, predictions = {}, _as_codes(predictions)
    for metric in metrics_for(task):
        try:
            scores[metric.key] = float(metric.compute(predictions, average))
        except ValueError:
            scores[metric.key] = float("nan")
    return scores


def _as_codes(p: Predictions) -> Predictions:
    """The labels as their positions among the model's classes, which no metric can tell from the labels
    themselves: scikit-learn checks text labels slowly (six metrics of 10,000 rows: 80 ms, against 12 ms).
    Kept as they are when some true label is not among the classes."""
    if not p.classes:
        return p
    classes = pd.Index(list(p.classes))
    y_true, y_pred = classes.get_indexer(p.y_true), classes.get_indexer(p.y_pred)
    if (y_true < 0).any() or (y_pred < 0).any():
        return p
    return replace(p, y_true=y_true, y_pred=y_pred, classes=tuple(range(len(p.classes))))


def curve_data(task: Task, predictions: Predictions) -> Curves:
    """What the Compare charts draw from the held-out test predictions, small enough to store.

    Regression: a sample of predicted and actual values. Classification: ROC and precision-recall
    points (micro-averaged one-vs-rest for several classes), the confusion matrix, and for two
    classes the cumulative gain and (for real probabilities) the calibration curve.
    """
    p = predictions
    if task == "regression":
        keep = np.random.default_rng(0).permutation(len(p.y_true))[:MAX_SCATTER_POINTS]
        return Curves(
            actual_predicted=ActualPredicted(actual=p.y_true[keep].tolist(), predicted=p.y_pred[keep].tolist())
        )
    labels = list(p.classes) or sorted(set(p.y_true) | set(p.y_pred))
    counts = skm.confusion_matrix(p.y_true, p.y_pred, labels=labels).tolist()
    curves = Curves(confusion=Confusion(labels=[str(label) for label in labels], counts=counts))
    if p.proba is None:
        return curves
    if len(p.classes) == 2:
        truth, score = p.y_true == p.classes[1], p.proba[:, 1]
    else:
        truth, score = label_binarize(p.y_true, classes=labels).ravel(), p.proba.ravel()
    fpr, tpr, _ = skm.roc_curve(truth, score)
    precision, recall, thresholds = skm.precision_recall_curve(truth, score)
    curves.roc = Roc(fpr=fpr.tolist(), tpr=tpr.tolist())
    curves.precision_recall = PrecisionRecall(**_thin(precision=precision, recall=recall))
    if len(p.classes) == 2:
        curves.gain = _gain(truth, score)
        if p.calibrated:
            observed, predicted = calibration_curve(truth, score, n_bins=10, strategy="quantile")
            curves.calibration = Calibration(predicted=predicted.tolist(), observed=observed.tolist())
            curves.thresholds = ThresholdTradeOff(
                **_thin(threshold=thresholds, precision=precision[:-1], recall=recall[:-1])
            )
    return curves


def _thin(max_points: int = 500, **columns: np.ndarray) -> dict[str, list[float]]:
    """Every n-th point of equally long curves, so thousands of thresholds do not bloat the database."""
    step = max(1, len(next(iter(columns.values()))) // max_points)
    return {name: values[::step].tolist() for name, values in columns.items()}


def _gain(truth: np.ndarray, score: np.ndarray) -> Gain:
    """Cumulative gain: of the rows ranked by score, the share of positives found in the top x%."""
    found = np.cumsum(truth[np.argsort(-score, kind="stable")]) / max(truth.sum(), 1)
    shares = np.linspace(0, 1, 101)
    positions = np.clip((shares * len(truth)).astype(int) - 1, 0, len(truth) - 1)
    return Gain(share=shares.tolist(), found=np.where(shares == 0, 0.0, found[positions]).tolist())
