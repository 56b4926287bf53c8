"""What the Compare charts draw for one model, as typed parts: each chart reads the part it needs, and a part
a model has none of (no probabilities, no search, another task) is None.

Kept apart from the model's scores (in storage too) since they are far larger and only the charts read them.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Roc(_Part):
    """On the held-out test rows; micro-averaged one-vs-rest for several classes."""

    fpr: list[float]
    tpr: list[float]


class PrecisionRecall(_Part):
    precision: list[float]
    recall: list[float]


class Gain(_Part):
    """Of the rows ranked by score, the share of positives found in the top share of rows."""

    share: list[float]
    found: list[float]


class Calibration(_Part):
    """Per bin of predicted probability, the share of rows that were positive."""

    predicted: list[float]
    observed: list[float]


class ThresholdTradeOff(_Part):
    """Precision and recall at each decision threshold (real probabilities, two classes)."""

    threshold: list[float]
    precision: list[float]
    recall: list[float]


class Confusion(_Part):
    labels: list[str]
    counts: list[list[int]]  # rows: true label, columns: predicted, in the order of `labels`


class ActualPredicted(_Part):
    """A sample of the held-out rows of a regression."""

    actual: list[float]
    predicted: list[float]


class LearningCurve(_Part):
    """The model refitted on growing shares of its training rows, scored by the run's ranking metric."""

    rows: list[int]
    train: list[float]
    test: list[float]


class Importance(_Part):
    """Permutation importance on the held-out rows, per original column."""

    metric: str
    features: list[str]
    mean: list[float]
    std: list[float]


class TuningSummary(_Part):
    """What the search on the whole training part tried and chose."""

    method: str
    metric: str
    trials: list[dict[str, Any]]
    best_params: dict[str, Any]
    importance: dict[str, float]  # how much each parameter moved the score


class Groups(_Part):
    """A clustering model's groups: their sizes, a 2-D map of some rows, what sets each apart."""

    names: list[str]
    sizes: list[int]
    map_x: list[float]
    map_y: list[float]
    map_group: list[str]
    profile_columns: list[str]  # the numeric columns whose group means differ most
    profile_means: list[list[float | None]]  # per group, per profile column
    described_as: str  # what `described` is, e.g. "share churn = yes"
    described: list[float | None]


class Curves(_Part):
    roc: Roc | None = None
    precision_recall: PrecisionRecall | None = None
    gain: Gain | None = None
    calibration: Calibration | None = None
    thresholds: ThresholdTradeOff | None = None
    tuned_threshold: float | None = None
    confusion: Confusion | None = None
    actual_predicted: ActualPredicted | None = None
    learning: LearningCurve | None = None
    importance: Importance | None = None
    tuning: TuningSummary | None = None
    groups: Groups | None = None
