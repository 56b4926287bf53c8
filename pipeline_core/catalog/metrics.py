"""The metrics, declared once: what each computes from one set of predictions."""

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pipeline_core.catalog import Task


@dataclass(frozen=True)
class Predictions:
    """What a fitted model said about some rows: labels or values, and class probabilities."""

    y_true: np.ndarray
    y_pred: np.ndarray
    proba: np.ndarray | None = None
    classes: tuple = ()
    calibrated: bool = True  # proba are probabilities, not merely scores that rank rows


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    task: Task
    # From predictions and how several classes are averaged; None for clustering's metrics, which score
    # rows and their group labels (see cluster.py).
    compute: Callable[[Predictions, str], float] | None
    greater_is_better: bool = True
    # Its name as a scikit-learn scorer ({average}: the spec's averaging; errors are negated by scikit-learn),
    # for the standalone script; None where scikit-learn has none (clustering's).
    scorer: str | None = None
    bounds: tuple[float | None, float | None] = (0.0, 1.0)  # the least and most it can score (None: unbounded)

    def clipped(self, value: float) -> float:
        """The value within the metric's bounds: a band around a mean may reach past what can be scored."""
        low, high = self.bounds
        return min(max(value, -math.inf if low is None else low), math.inf if high is None else high)

    @property
    def sign(self) -> int:
        """+1 or -1: a score times this is greater when better, as searches and rankings want."""
        return 1 if self.greater_is_better else -1


def _sklearn(name: str) -> Callable:
    """scikit-learn's metric function of that name, imported when a score is computed: the spec and the forms
    read the metrics' names only."""
    from sklearn import metrics

    return getattr(metrics, name)


def _of_predicted(name: str) -> Callable[[Predictions, str], float]:
    """A score of the predicted labels or values against the true ones."""
    return lambda p, _: _sklearn(name)(p.y_true, p.y_pred)


def _roc_auc(p: Predictions, average: str) -> float:
    if p.proba is None:
        return float("nan")
    score = _sklearn("roc_auc_score")
    if len(p.classes) == 2:
        return score(p.y_true == p.classes[1], p.proba[:, 1])
    return score(p.y_true, p.proba, multi_class="ovr", labels=list(p.classes))


def _per_class(name: str) -> Callable[[Predictions, str], float]:
    """Precision, recall or F1, averaged over the classes as the spec says."""
    return lambda p, average: _sklearn(name)(p.y_true, p.y_pred, average=average, zero_division=0)


METRICS: dict[str, Metric] = {
    metric.key: metric
    for metric in [
        Metric(
            "balanced_accuracy",
            "Balanced accuracy",
            "classification",
            _of_predicted("balanced_accuracy_score"),
            scorer="balanced_accuracy",
        ),
        Metric("accuracy", "Accuracy", "classification", _of_predicted("accuracy_score"), scorer="accuracy"),
        Metric("f1", "F1", "classification", _per_class("f1_score"), scorer="f1_{average}"),
        Metric("precision", "Precision", "classification", _per_class("precision_score"), scorer="precision_{average}"),
        Metric("recall", "Recall", "classification", _per_class("recall_score"), scorer="recall_{average}"),
        Metric("roc_auc", "ROC AUC", "classification", _roc_auc, scorer="roc_auc"),
        Metric("r2", "R²", "regression", _of_predicted("r2_score"), scorer="r2", bounds=(None, 1.0)),
        Metric(
            "rmse",
            "RMSE",
            "regression",
            _of_predicted("root_mean_squared_error"),
            greater_is_better=False,
            scorer="neg_root_mean_squared_error",
            bounds=(0.0, None),
        ),
        Metric("silhouette", "Silhouette", "clustering", None, bounds=(-1.0, 1.0)),
        Metric("calinski_harabasz", "Calinski–Harabasz", "clustering", None, bounds=(0.0, None)),
        Metric("davies_bouldin", "Davies–Bouldin", "clustering", None, greater_is_better=False, bounds=(0.0, None)),
        Metric(
            "mae",
            "MAE",
            "regression",
            _of_predicted("mean_absolute_error"),
            greater_is_better=False,
            scorer="neg_mean_absolute_error",
            bounds=(0.0, None),
        ),
    ]
}


def metrics_for(task: Task) -> list[Metric]:
    return [metric for metric in METRICS.values() if metric.task == task]


# Threshold-free by default, so a model that ranks rows well is not judged by where 0.5 happens to cut them;
# ROC AUC covers several classes one-vs-rest.
DEFAULT_METRICS: dict[Task, str] = {"classification": "roc_auc", "regression": "r2", "clustering": "silhouette"}


THRESHOLD_METRIC = "balanced_accuracy"  # what a tuned decision threshold is chosen for, unless told otherwise


def default_primary_metric(task: Task, *, tune_threshold: bool = False) -> str:
    """The metric models are ranked by when the spec names none."""
    return THRESHOLD_METRIC if tune_threshold else DEFAULT_METRICS[task]
