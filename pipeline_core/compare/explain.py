"""Why a trained model says what it says, worked out when someone asks (it costs many predictions): which of
the analyst's columns its score depends on, how its prediction moves with each, and what one row's values add
to its prediction (SHAP values)."""

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.inspection import partial_dependence, permutation_importance

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.columns import ColumnType
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


ICE_ROWS = 50  # rows drawn one line each: enough to see whether they move alike
DEPENDENCE_ROWS = 300  # rows averaged for the partial dependence
GRID_POINTS = 20
BACKGROUND_ROWS = 100  # typical rows that stand in for a value, to see what it adds
PERMUTATIONS = 5  # antithetic orders of the columns shap tries per row: exact for a model without interactions


@dataclass(frozen=True)
class Dependence:
    """How the prediction moves with one column, the others held as they are: partial dependence (the average
    line) and individual conditional expectation (one line per row)."""

    column: str
    grid: list  # the column's values tried: numbers, or categories
    average: list[float]
    rows: list[list[float]]
    categorical: bool
    output: str  # what is predicted, in words: "probability of yes", "predicted price"


def output_name(model, target: str, rows: pd.DataFrame) -> str:
    """What the explanations of these rows measure, in words."""
    explained = _explained_class(model, rows)
    return f"predicted {target}" if explained is None else f"probability of {model.classes_[explained]}"


def _explained_class(model, rows: pd.DataFrame) -> int | None:
    """The class whose probability is explained: the second of two (the positive one), the one most often
    predicted for these rows of several; None for a regressor."""
    classes = getattr(model, "classes_", None)
    if classes is None or not hasattr(model, "predict_proba"):
        return None
    if len(classes) == 2:
        return 1
    return int(np.bincount(pd.Index(classes).get_indexer(model.predict(rows)), minlength=len(classes)).argmax())


def dependence(model, X: pd.DataFrame, column: str, schema: dict[str, ColumnType], target: str) -> Dependence:
    """Partial dependence and ICE on one of the analyst's columns, through the whole pipeline (scikit-learn's
    partial_dependence), over the held-out rows `X`."""
    rows = X.sample(min(len(X), DEPENDENCE_ROWS), random_state=0)
    categorical = schema[column] != "numeric" or not pd.api.types.is_numeric_dtype(rows[column])
    if pd.api.types.is_integer_dtype(rows[column]):  # scikit-learn refuses whole numbers: a grid between them
        rows = rows.astype({column: float})
    found = partial_dependence(
        model,
        rows,
        [column],
        kind="both",
        categorical_features=[column] if categorical else None,
        grid_resolution=GRID_POINTS,
        percentiles=(0.05, 0.95),
    )
    explained = _explained_class(model, rows)
    output = 0 if explained is None or len(found["average"]) == 1 else explained  # two classes: one output only
    return Dependence(
        column=column,
        grid=[v.item() if hasattr(v, "item") else v for v in found["grid_values"][0]],
        average=found["average"][output].tolist(),
        rows=found["individual"][output][:ICE_ROWS].tolist(),
        categorical=categorical,
        output=output_name(model, target, rows),
    )


@dataclass(frozen=True)
class Contributions:
    """One row's prediction as the average prediction plus what each of its values adds (SHAP values)."""

    value: float  # the row's prediction (or its class's probability)
    average: float  # over typical rows: where the values' shares start from
    parts: dict[str, float]  # column → its share; they add up to value - average


def contributions(model, row: pd.DataFrame, background: pd.DataFrame) -> Contributions:
    """SHAP values of one row on the analyst's columns, through the whole pipeline: shap's permutation
    explainer, which suits any model, against typical rows (`background`) standing in for a missing value.
    shap masks numbers only, so every other column goes through it as codes of its values."""
    import shap  # here: it takes seconds to import, and only this asks for it

    typical = background.sample(min(len(background), BACKGROUND_ROWS), random_state=0)
    codes = _Codes(pd.concat([typical, row]))
    explained = _explained_class(model, row)
    explainer = shap.PermutationExplainer(
        lambda values: _outputs(model, codes.decode(values), explained),
        shap.maskers.Independent(codes.encode(typical), max_samples=BACKGROUND_ROWS),
        seed=0,
    )
    found = explainer(codes.encode(row), max_evals=PERMUTATIONS * 2 * row.shape[1] + 1, silent=True)
    parts = {str(column): float(v) for column, v in zip(row.columns, found.values[0], strict=True)}
    average = float(found.base_values[0])
    return Contributions(value=average + sum(parts.values()), average=average, parts=parts)


class _Codes:
    """Columns as numbers for shap: numbers as they are, every other column as the index of its value."""

    def __init__(self, rows: pd.DataFrame):
        self.dtypes = rows.dtypes
        self.levels = {
            column: pd.Index(rows[column].dropna().unique())
            for column in rows
            if not pd.api.types.is_numeric_dtype(rows[column]) or pd.api.types.is_bool_dtype(rows[column])
        }

    def encode(self, rows: pd.DataFrame) -> np.ndarray:
        return np.column_stack(
            [
                self.levels[c].get_indexer(rows[c]).astype(float) if c in self.levels else rows[c].to_numpy(float)
                for c in self.dtypes.index
            ]
        )

    def decode(self, values: np.ndarray) -> pd.DataFrame:
        columns = {}
        for j, column in enumerate(self.dtypes.index):
            if column in self.levels:  # -1: a missing value
                index = values[:, j].astype(int)
                found = self.levels[column].to_numpy()[np.clip(index, 0, None)]
                columns[column] = pd.Series(np.where(index >= 0, found, None)).astype(self.dtypes[column])
            else:
                columns[column] = pd.Series(values[:, j]).astype(self.dtypes[column])
        return pd.DataFrame(columns)


def predicted(model, row: pd.DataFrame) -> float:
    """The one number the explanations speak of, for one row."""
    return float(_outputs(model, row, _explained_class(model, row))[0])


def _outputs(model, rows: pd.DataFrame, explained: int | None) -> np.ndarray:
    """Per row, the probability of the explained class, or the prediction."""
    if explained is None:
        return np.asarray(model.predict(rows), dtype=float)
    return model.predict_proba(rows)[:, explained]
