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


@dataclass(frozen=True)
class Output:
    """The one number explained per row: a class's probability (its score, for a classifier without
    probabilities), or the prediction."""

    method: str  # "predict_proba", "decision_function" or "predict"
    class_index: int | None
    name: str  # in words: "probability of yes", "predicted price"


def output_of(model, target: str, rows: pd.DataFrame) -> Output:
    """What explains these rows: the second of two classes (the positive one), the one most often predicted
    for these rows of several, or the predicted value."""
    classes = getattr(model, "classes_", None)
    if classes is None:
        return Output("predict", None, f"predicted {target}")
    index = 1 if len(classes) == 2 else int(np.bincount(pd.Index(classes).get_indexer(model.predict(rows))).argmax())
    if hasattr(model, "predict_proba"):
        return Output("predict_proba", index, f"probability of {classes[index]}")
    return Output("decision_function", index, f"score for {classes[index]}")


def outputs(model, rows: pd.DataFrame, output: Output) -> np.ndarray:
    """The explained number for each row."""
    found = np.asarray(getattr(model, output.method)(rows), dtype=float)
    return found if found.ndim == 1 else found[:, output.class_index]  # two classes' scores: one column only


def dependence(model, X: pd.DataFrame, column: str, schema: dict[str, ColumnType], output: Output) -> Dependence:
    """Partial dependence and ICE on one of the analyst's columns (a number or a category), through the whole
    pipeline (scikit-learn's partial_dependence), over the held-out rows `X`, on a grid of its present values."""
    rows = X.sample(min(len(X), DEPENDENCE_ROWS), random_state=0)
    categorical = schema[column] != "numeric"
    if pd.api.types.is_integer_dtype(rows[column]):  # scikit-learn refuses whole numbers: a grid between them
        rows = rows.astype({column: float})
    found = partial_dependence(
        model,
        rows,
        [column],
        kind="both",
        categorical_features=[column] if categorical else None,
        custom_values={column: _grid(rows[column], categorical)},
        response_method="auto" if output.method == "predict" else output.method,
    )
    index = 0 if len(found["average"]) == 1 else output.class_index  # two classes: the positive one only
    return Dependence(
        column=column,
        grid=[v.item() if hasattr(v, "item") else v for v in found["grid_values"][0]],
        average=found["average"][index].tolist(),
        rows=found["individual"][index][:ICE_ROWS].tolist(),
        categorical=categorical,
        output=output.name,
    )


def _grid(values: pd.Series, categorical: bool) -> np.ndarray:
    """The values tried: the most frequent categories, or numbers from the 5th to the 95th percentile (every
    value, when there are few); missing values are not a point on it."""
    present = values.dropna()
    if categorical:
        return np.asarray(present.value_counts().index[:GRID_POINTS].tolist(), dtype=object)
    numbers = present.to_numpy(float)
    if len(np.unique(numbers)) <= GRID_POINTS:
        return np.unique(numbers)
    low, high = np.quantile(numbers, [0.05, 0.95])
    return (
        np.linspace(low, high, GRID_POINTS)
        if high > low
        else np.unique(np.quantile(numbers, np.linspace(0, 1, GRID_POINTS)))
    )


@dataclass(frozen=True)
class Contributions:
    """One row's prediction as the average prediction plus what each of its values adds (SHAP values)."""

    value: float  # the row's prediction (or its class's probability)
    average: float  # over typical rows: where the values' shares start from
    parts: dict[str, float]  # column → its share; they add up to value - average


def contributions(model, row: pd.DataFrame, background: pd.DataFrame, output: Output) -> Contributions:
    """SHAP values of one row on the analyst's columns, through the whole pipeline: shap's permutation
    explainer, which suits any model, against typical rows (`background`) standing in for a missing value.
    shap masks numbers only, so every other column goes through it as codes of its values."""
    import shap  # here: it takes seconds to import, and only this asks for it

    typical = background.sample(min(len(background), BACKGROUND_ROWS), random_state=0)
    codes = _Codes(pd.concat([typical, row]))
    explainer = shap.PermutationExplainer(
        lambda values: outputs(model, codes.decode(values), output),
        shap.maskers.Independent(codes.encode(typical), max_samples=BACKGROUND_ROWS),
        seed=0,
    )
    found = explainer(codes.encode(row), max_evals=PERMUTATIONS * (2 * row.shape[1] + 1), silent=True)
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
