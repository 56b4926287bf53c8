"""What checking a batch of new rows against a trained model found, as typed parts: stored with the batch,
drawn by the Monitor page and written by the command line as JSON."""

import math

from pydantic import BaseModel, ConfigDict

TRUSTED_ERROR = 0.05  # of accuracy: an estimate further off than this on the held-out rows is not to be trusted


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Breach(_Part):
    """Rows of one column that do not look like the training rows."""

    column: str
    problem: str  # in plain words, e.g. "values above the training range (at most 72)"
    rows: int
    examples: list[str]


class Contract(_Part):
    """The batch's columns and values against what the model was trained on."""

    missing: list[str]  # columns the model needs that the batch lacks: it cannot be scored
    extra: list[str]  # columns the model does not use
    likely_renamed: dict[str, str]  # a missing column → the extra column that looks like it
    breaches: list[Breach]
    rows_breaking: int = 0  # rows that break it in any way (not recorded by the first batches)


class ColumnDrift(_Part):
    column: str
    test: str  # a key of pipeline_core.catalog.drift.DRIFT_TESTS
    statistic: float
    p_value: float | None  # as the test gave it; tests of distances give none
    p_adjusted: float | None  # Benjamini–Hochberg over every column tested with a p-value
    threshold: float
    drifted: bool

    @property
    def severity(self) -> float:
        """How far past its alert threshold, alike for every test: 1 at the threshold, above 1 past it (for a
        p-value, on a log scale: 2 is a p-value of 0.05² = 0.0025)."""
        if self.p_adjusted is not None:
            return math.log(max(self.p_adjusted, 1e-300)) / math.log(self.threshold)
        return self.statistic / self.threshold


class DomainClassifier(_Part):
    """A model trained to tell the training rows from the batch's: ROC AUC near 0.5 means it cannot."""

    roc_auc: float
    p_value: float  # that an AUC this high would arise were the rows alike (Mann–Whitney on held-out scores)
    drifted: bool
    top_columns: dict[str, float]  # when drifted: the columns that give it away, with the AUC each costs shuffled


class Performance(_Part):
    """The model's scores on the labelled rows of the batch, against what cross-validation promised."""

    rows: int
    scores: dict[str, float | None]
    metric: str  # the run's ranking metric, which the verdict reads
    cv_mean: float
    expected_low: float  # the worst a batch of this size should score, had nothing changed (within the metric's range)
    expected_high: float
    judged: bool = True  # rows enough, and a score defined on them (not recorded by the first batches)
    fell: bool


class EstimatedPerformance(_Part):
    """Without labels: accuracy expected from the model's own probabilities, which holds while they are
    calibrated and the link from columns to target has not changed (only the columns' mix)."""

    metric: str
    on_batch: float
    on_reference: float  # the same estimate on the held-out training rows...
    actual_on_reference: float  # ...and the accuracy they really had: far apart, the estimate is not to be trusted

    @property
    def trustworthy(self) -> bool:
        """Right within TRUSTED_ERROR on the held-out rows, where the truth is known."""
        return abs(self.on_reference - self.actual_on_reference) <= TRUSTED_ERROR


class BatchReport(_Part):
    rows: int
    reference_rows: int
    model_key: str
    contract: Contract
    columns: list[ColumnDrift]
    not_tested: dict[str, str]  # column → why it was not tested (dates move by nature, free text)
    overall: DomainClassifier | None
    predictions: ColumnDrift | None  # the model's scores or classes on the batch against the held-out rows
    performance: Performance | None  # when the batch carries the target
    estimated: EstimatedPerformance | None
    notes: list[str]

    @property
    def drifted_columns(self) -> list[str]:
        return [column.column for column in self.columns if column.drifted]

    @property
    def drift(self) -> bool:
        moved = [self.overall, self.predictions]
        return bool(self.drifted_columns) or any(part is not None and part.drifted for part in moved)

    @property
    def alarm(self) -> bool:
        """Something a user should act on: drift, a batch the model cannot score (a column missing), or
        performance outside what cross-validation promised."""
        return self.drift or bool(self.contract.missing) or bool(self.performance and self.performance.fell)
