"""Why a trained model says what it says, worked out when someone asks (it costs many predictions): which of
the analyst's columns its score depends on."""

import pandas as pd
from sklearn.inspection import permutation_importance

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.prepare.rows import prepare_rows
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import splits
from pipeline_core.train.curves import Importance
from pipeline_core.train.evaluate import predict

MAX_IMPORTANCE_ROWS = 1000  # enough held-out rows to rank columns; more only costs predictions


def held_out_rows(spec: PipelineSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The run's held-out test rows (as the split made them), the feature columns and the target."""
    frame = prepare_rows(spec, frame)
    _, test_rows, _ = splits.split(spec, frame)
    test = frame.iloc[test_rows[:MAX_IMPORTANCE_ROWS]]
    return test[list(feature_schema(spec, frame))], test[spec.data.target]


def importance(model, X: pd.DataFrame, y: pd.Series, metric: str, average: str) -> Importance:
    """Permutation importance: how much the metric drops when one column is shuffled.

    Measured on the columns as given, through the whole pipeline, so it speaks of the analyst's columns
    rather than of one-hot levels; scored by the run's ranking metric (a drop in error counts as positive).
    """
    sign = METRICS[metric].sign

    def score(estimator, X, y) -> float:
        return sign * METRICS[metric].compute(predict(estimator, X, y), average)

    found = permutation_importance(model, X, y.to_numpy(), scoring=score, n_repeats=3, random_state=0)
    return Importance(
        metric=metric,
        features=[str(column) for column in X.columns],
        mean=found.importances_mean.tolist(),
        std=found.importances_std.tolist(),
    )
