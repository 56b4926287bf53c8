"""Every step kind and model kind, declared once.

An entry holds what the rest of the product needs to know about a kind: its label and help text
for the forms, its parameter schema for validation, the column type or task it applies to, and
how to build the scikit-learn object: its class, the argument each parameter becomes and the fixed
ones. Nothing else in the code base lists a kind's parameters.

Classes are named as "module:Class" and imported when a kind is built: the spec, storage and the
command line's options read the catalog, and importing scikit-learn's estimators takes seconds.
"""

import importlib
import inspect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pandas as pd

from pipeline_core.catalog.params import BoolParam, ChoiceParam, FloatParam, IntParam, Param, no_limit, none_is_none
from pipeline_core.errors import SpecError

# Column groups steps apply to, then "combined": every feature together, after the groups are joined.
Branch = Literal["numeric", "categorical", "datetime", "text", "combined"]
BRANCHES: tuple[Branch, ...] = ("numeric", "categorical", "datetime", "text")
Task = Literal["classification", "regression", "clustering"]
StepCategory = Literal[
    "impute", "outliers", "transform", "scale", "bin", "expand", "group", "encode", "dates", "text", "select", "extract"
]

# The kind of step a branch needs for its columns to reach a model as numbers.
TURNS_INTO_NUMBERS: dict[Branch, StepCategory] = {"categorical": "encode", "datetime": "dates", "text": "text"}

STEP_CATEGORY_LABELS: dict[str, str] = {
    "impute": "Fill missing values",
    "outliers": "Outliers",
    "transform": "Transform",
    "scale": "Scale",
    "bin": "Bin",
    "expand": "New features",
    "group": "Group categories",
    "encode": "Encode categories",
    "dates": "Dates",
    "text": "Text",
    "select": "Select features",
    "extract": "Extract components",
}


@dataclass(frozen=True, kw_only=True)
class Kind:
    """What step and model kinds share: identity, documentation and parameters."""

    key: str
    label: str
    help: str
    params: tuple[Param, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)  # arguments every build passes, beside the parameters'

    def defaults(self) -> dict[str, Any]:
        return {param.name: param.default for param in self.params}

    def arguments(self, values: dict[str, Any], task: Task) -> dict[str, Any]:
        """The scikit-learn keyword arguments that validated parameter values become for `task`, and the fixed ones."""
        declared = {
            param.argument: param.as_argument(values[param.name])
            for param in self.params
            if param.argument is not None and param.only_for in (None, task)
        }
        return declared | self.fixed

    def addressed(self, argument: str, task: Task) -> str:
        """Where an argument lands among the built object's get_params(): under its own name, unless wrapped."""
        return argument

    def validate_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Return the full, normalised parameter dict; raise SpecError on any bad or unknown name."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise SpecError(
                f"{self.label} has no parameter {', '.join(map(repr, unknown))}. "
                f"Available: {', '.join(known) or 'none'}."
            )
        merged = self.defaults() | values
        try:
            return {name: known[name].validate(value, owner=self.label) for name, value in merged.items()}
        except ValueError as error:
            raise SpecError(str(error)) from error

    def tunable(self, task: str | None = None) -> tuple[Param, ...]:
        """The parameters a search may vary (for `task` only, when given)."""
        return tuple(
            param
            for param in self.params
            if param.space is not None and (task is None or param.only_for in (None, task))
        )

    def validate_space(self, space: dict[str, list]) -> dict[str, list]:
        """Every tunable parameter's search range: the catalog's, narrowed where `space` says.

        Raises:
            SpecError: nothing to tune, an unknown or untunable name, a bound outside the parameter's
                limits, low above high, or a choice the parameter does not have.
        """
        tunable = {param.name: param for param in self.tunable()}
        if not tunable:
            raise SpecError(f"{self.label} has no parameters to tune.")
        unknown = sorted(set(space) - set(tunable))
        if unknown:
            raise SpecError(f"{self.label} cannot tune {', '.join(map(repr, unknown))}; it tunes {', '.join(tunable)}.")
        narrowed = {}
        for name, param in tunable.items():
            values = list(space.get(name, param.space))
            try:
                values = [param.validate(value, owner=self.label) for value in values]
            except ValueError as error:
                raise SpecError(f"Search range of '{name}': {error}") from error
            numeric = not isinstance(param, ChoiceParam)
            if not values:
                raise SpecError(f"The search of '{name}' of {self.label} needs at least one value to try.")
            if numeric and (len(values) != 2 or values[0] > values[1]):
                raise SpecError(f"The search range of '{name}' of {self.label} must be [low, high] with low ≤ high.")
            narrowed[name] = values
        return narrowed


@dataclass(frozen=True, kw_only=True)
class StepKind(Kind):
    category: StepCategory
    applies_to: tuple[Branch, ...]  # the first is where the step belongs; dates take numeric steps after date parts
    estimator: str  # its class, as "module:Class"
    # (kind, params, task, values) → the transformer, for what the declarations cannot say; mostly through `construct`.
    builder: Callable[..., Any] | None = None
    takes_task: bool = False  # the task is its `task` argument: what it fits to judge features differs by task
    uses_target: bool = False  # learns from the target, so it cannot serve clustering (which has none)
    renames: bool = False  # replaces its columns with new ones (city → city_Paris, …), so later steps cannot name them
    shaped_by_data: bool = False  # how it treats each column depends on the column (its number of levels)
    missing_as_level: bool = False  # a missing value becomes a level of its own, so nothing is left missing
    # What to tell the user before training, from its parameters, the rows and the columns it will see.
    warnings: Callable[[dict[str, Any], pd.DataFrame, list[str]], list[str]] | None = None

    @property
    def fills_missing(self) -> bool:
        """No missing value comes out of it."""
        return self.category == "impute" or self.missing_as_level

    def make(self, params: dict[str, Any], task: Task, values: pd.DataFrame | None):
        """The scikit-learn object for these parameters. `values` are the columns the step will see (every
        row): a step shaped by the data reads them, say to count each column's levels, never the target."""
        if self.builder is not None:
            return self.builder(self, params, task, values)
        return self.construct(params, task)

    def construct(self, params: dict[str, Any], task: Task, **extra):
        """Its class, given the parameters' arguments, the fixed ones, the task where it takes it, and `extra`."""
        told = {"task": task} if self.takes_task else {}
        return _imported(self.estimator)(**self.arguments(params, task), **told, **extra)


@dataclass(frozen=True, kw_only=True)
class ModelKind(Kind):
    estimators: dict[Task, str]  # its class for each task it serves, as "module:Class"
    # (kind, params, task, seed) → the estimator, for what the declarations cannot say; mostly through `construct`.
    builder: Callable[..., Any] | None = None
    seeded: bool = False  # the run's seed is the random_state of those of its classes that take one
    scales_target: bool = False  # as a regressor, fits on the target standardised (see `_scaled_target`)
    is_baseline: bool = False
    handles_missing: bool = False  # accepts NaN in its input, so it needs no fill step
    # Fit + predict time grows as rows ** this: sorting makes trees' n log n about n ** 1.15 from a thousand rows to
    # a million; kernels and neighbours: 2; histogram boosting bins the rows and stops early past 10,000: 0.8.
    time_exponent: float = 1.0
    default_for: frozenset[Task] = field(default_factory=frozenset)

    @property
    def tasks(self) -> frozenset[Task]:
        return frozenset(self.estimators)

    def build(self, params: dict[str, Any], task: Task, seed: int):
        """The scikit-learn estimator for validated parameters, for `task`, seeded with `seed`."""
        if self.builder is not None:
            return self.builder(self, params, task, seed)
        return self.construct(params, task, seed)

    def construct(self, params: dict[str, Any], task: Task, seed: int, **extra):
        """Its class for `task`, given the parameters' arguments, the fixed ones, `extra` and the seed, inside the
        target scaling where it scales the target."""
        estimator = _imported(self.estimators[task])
        arguments = self.arguments(params, task) | extra
        if self.seeded and "random_state" in inspect.signature(estimator).parameters:
            arguments["random_state"] = seed
        built = estimator(**arguments)
        return _scaled_target(built) if self._scaled(task) else built

    def addressed(self, argument: str, task: Task) -> str:
        """Where an argument lands among the built estimator's get_params(): 'regressor__C' inside target scaling."""
        return f"regressor__{argument}" if self._scaled(task) else argument

    def _scaled(self, task: Task) -> bool:
        return self.scales_target and task == "regression"


def _imported(path: str) -> type:
    """The class a "module:Class" path names, its module imported now if it was not yet."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


ONEHOT_LEVELS = 15  # more levels than this make a column wide and its rare levels noise: target-encode it
POLYNOMIAL_WARN_FEATURES = 500


def _wide_onehot(params: dict[str, Any], frame: pd.DataFrame, columns: list[str]) -> list[str]:
    cap = params["max_categories"]
    wide = {c: frame[c].nunique() for c in columns if frame[c].nunique() > cap}
    return [
        f"One-hot on `{c}` would create {n:,} columns; it keeps the {cap - 1} most frequent and groups the rest. "
        "Target or frequency encoding keeps it to one column."
        for c, n in wide.items()
    ]


def _not_positive(params: dict[str, Any], frame: pd.DataFrame, columns: list[str]) -> list[str]:
    if params["method"] != "box-cox":
        return []
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c])]
    bad = [c for c in numeric if (frame[c] <= 0).any()]
    return [f"Box-Cox needs positive values; `{c}` has zeros or negatives. Use Yeo-Johnson." for c in bad]


def _many_products(params: dict[str, Any], frame: pd.DataFrame, columns: list[str]) -> list[str]:
    n = len(columns)
    count = n * (n + 1) // 2 + n if params["degree"] == 2 else None
    if count and count > POLYNOMIAL_WARN_FEATURES:
        return [f"Polynomial features on {n} numeric columns make {count:,} features: fitting will be slow."]
    return []


# ...when each level has at least this many rows to learn its mean from (cross-fitted on a fifth fewer); with
# fewer, target encoding mostly shrinks levels to the overall mean, and one-hot of the frequent ones does better.
TARGET_ROWS_PER_LEVEL = 50
CAPPED_LEVELS = 50  # one-hot columns kept for such a column, its rarest levels sharing the last


def _encode_by_levels(kind: StepKind, p: dict[str, Any], task: Task, values: pd.DataFrame):
    """One-hot for the columns with at most `max_onehot_levels` levels; for columns with more, target encoding where
    each level has rows enough to learn its mean from, else one-hot of the most frequent levels (the rarest
    share a column). By position, as earlier steps of the branch hand on arrays; anything an earlier step
    added ('was missing' flags) passes through."""
    from sklearn.preprocessing import OneHotEncoder, TargetEncoder

    levels = values.nunique()
    few = [i for i, column in enumerate(values) if levels[column] <= p["max_onehot_levels"]]
    learnable = [
        i for i, column in enumerate(values) if i not in few and len(values) / levels[column] >= TARGET_ROWS_PER_LEVEL
    ]
    capped = [i for i in range(values.shape[1]) if i not in few and i not in learnable]
    if task == "clustering":  # no target to encode by
        capped, learnable = capped + learnable, []
    parts = [
        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), few),
        ("target", TargetEncoder(cv=_shuffled_folds(5)), learnable),
        (
            "onehot_frequent",
            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=CAPPED_LEVELS, sparse_output=False),
            capped,
        ),
    ]
    return kind.construct(p, task, transformers=[part for part in parts if part[2]])


def _shuffled_folds(folds: int):
    """Cross-fitting folds: shuffled, and alike on every run, so that a run can be reproduced."""
    from sklearn.model_selection import KFold

    return KFold(folds, shuffle=True, random_state=0)


def _words(kind: StepKind, p: dict[str, Any], task: Task, values: pd.DataFrame):
    """TF-IDF of one column of free text from scikit-learn's parts alone, so its model files need nothing of
    Pipewright: a missing text counts as empty, the column goes on as the one list of documents TfidfVectorizer
    reads, and each word is named after the column (note_refund, so two text columns never share a name)."""
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    [column] = values.columns
    words = TfidfVectorizer(
        max_features=p["max_features"],
        ngram_range=(1, p["max_ngram"]),
        min_df=p["min_df"] if len(values) >= 2 * p["min_df"] else 1,  # a handful of rows could keep no word
    )
    documents = Pipeline(
        [
            ("fill", SimpleImputer(strategy="constant", fill_value="", keep_empty_features=True)),
            ("one_column", FunctionTransformer(np.ravel, feature_names_out="one-to-one")),
            ("tfidf", words),
        ]
    )
    return ColumnTransformer(
        [(column, documents, [column])],
        verbose_feature_names_out="{transformer_name}_{feature_name}",
        sparse_threshold=0,
    )


def _components(kind: StepKind, p: dict[str, Any], task: Task, values: pd.DataFrame | None):
    """PCA's n_components is a share of the variance (a float) or a number of components (an int)."""
    return kind.construct(p, task, n_components=p["variance"] if p["keep"] == "variance" else p["n_components"])


_CLASS_WEIGHT = ChoiceParam(
    name="class_weight",
    label="Class weights",
    default="none",
    choices={"none": "Equal", "balanced": "Balanced: rare classes weigh more"},
    help="For imbalanced classes: errors on a rare class cost as much in total as on a common one.",
    only_for="classification",  # regressors have no class weights
    space=("none", "balanced"),
    convert=none_is_none,
)

_MAX_DEPTH = IntParam(
    name="max_depth",
    label="Maximum depth",
    default=0,
    low=0,
    high=100,
    help="How deep each tree may grow; 0 means no limit.",
    space=(2, 30),
    convert=no_limit,
)


def _scaled_target(regressor):
    """Fits on the target standardised, predicts on its own scale: an SVR's margin and a network's
    initial weights assume a target of unit scale, not house prices."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler

    return TransformedTargetRegressor(regressor=regressor, transformer=StandardScaler())


def _network(kind: ModelKind, p: dict[str, Any], task: Task, seed: int):
    """The form asks for neurons per layer and layers; scikit-learn for each layer's size."""
    return kind.construct(p, task, seed, hidden_layer_sizes=(p["units"],) * p["layers"])


def _baseline(kind: ModelKind, p: dict[str, Any], task: Task, seed: int):
    """The most frequent class (with the classes' shares as probabilities), or the mean."""
    return kind.construct(p, task, seed, strategy="prior" if task == "classification" else "mean")


_SVM_C = FloatParam(
    name="C",
    label="Inverse regularisation (C)",
    default=1.0,
    low=1e-4,
    high=1e4,
    log=True,
    help="Smaller values allow a wider margin with more training errors.",
    space=(0.01, 1000.0),
)

_ALPHA = FloatParam(
    name="alpha",
    label="Penalty strength (alpha)",
    default=1.0,
    low=1e-4,
    high=1e4,
    log=True,
    help="Larger values shrink coefficients more.",
    space=(0.001, 100.0),
)

_N_CLUSTERS = IntParam(name="n_clusters", label="Number of groups", default=4, low=2, high=50)

_ADD_INDICATOR = BoolParam(
    name="add_indicator",
    label="Add 'was missing' columns",
    default=False,
    help="One 0/1 column per column that had missing values: missingness itself can carry signal.",
)

STEPS: dict[str, StepKind] = {
    step.key: step
    for step in [
        StepKind(
            key="date_parts",
            label="Date parts",
            category="dates",
            applies_to=("datetime",),
            help="Year, month, day, weekday, weekend, days since the earliest training date; the date format is "
            "learned from the training rows.",
            params=(
                BoolParam(
                    name="cyclical",
                    label="Cyclical month and weekday (sin/cos)",
                    default=False,
                    help="December sits next to January, Sunday next to Monday.",
                ),
                BoolParam(name="hour", label="Hour of day", default=False),
            ),
            renames=True,
            estimator="pipeline_core.transformers:DateParts",
        ),
        StepKind(
            key="tfidf",
            label="Words (TF-IDF)",
            category="text",
            applies_to=("text",),
            help="One column per frequent word (or phrase), weighted by how telling it is. Learned on training rows.",
            params=(
                # the builder hands all three to the TfidfVectorizer inside its column's pipeline
                IntParam(name="max_features", label="Most words kept", default=1000, low=10, high=50000, argument=None),
                IntParam(name="max_ngram", label="Longest phrase (words)", default=1, low=1, high=3, argument=None),
                IntParam(name="min_df", label="Seen in at least (rows)", default=2, low=1, high=100, argument=None),
            ),
            renames=True,
            shaped_by_data=True,
            estimator="sklearn.feature_extraction.text:TfidfVectorizer",
            builder=_words,
        ),
        StepKind(
            key="numeric_imputer",
            label="Fill missing numbers",
            category="impute",
            applies_to=("numeric",),
            help="Replaces missing numbers with a statistic learned on the training rows of each fold.",
            params=(
                ChoiceParam(
                    name="strategy",
                    label="Fill with",
                    default="median",
                    choices={
                        "median": "Median",
                        "mean": "Mean",
                        "most_frequent": "Most frequent value",
                        "constant": "Zero",
                    },
                ),
                _ADD_INDICATOR,
            ),
            estimator="sklearn.impute:SimpleImputer",
            fixed={"fill_value": 0},
        ),
        StepKind(
            key="categorical_imputer",
            label="Fill missing categories",
            category="impute",
            applies_to=("categorical",),
            help="Replaces missing categories with the most frequent one, or with a 'missing' level.",
            params=(
                ChoiceParam(
                    name="strategy",
                    label="Fill with",
                    default="most_frequent",
                    choices={"most_frequent": "Most frequent category", "constant": "A 'missing' category"},
                ),
            ),
            estimator="sklearn.impute:SimpleImputer",
            fixed={"fill_value": "missing"},
        ),
        StepKind(
            key="knn_imputer",
            label="Fill from similar rows (KNN)",
            category="impute",
            applies_to=("numeric",),
            help="Fills a missing number with the mean of the k most similar training rows.",
            params=(
                IntParam(name="n_neighbors", label="Similar rows used (k)", default=5, low=1, high=50),
                _ADD_INDICATOR,
            ),
            estimator="sklearn.impute:KNNImputer",
        ),
        StepKind(
            key="iterative_imputer",
            label="Fill by modelling each column",
            category="impute",
            applies_to=("numeric",),
            help="Predicts each column's missing values from the other columns, in rounds (MICE-style).",
            params=(
                IntParam(name="max_iter", label="Rounds", default=10, low=1, high=50),
                _ADD_INDICATOR,
            ),
            estimator="sklearn.experimental.enable_iterative_imputer:IterativeImputer",  # importable once enabled
            fixed={"random_state": 0},
        ),
        StepKind(
            key="clip_outliers",
            label="Clip outliers",
            category="outliers",
            applies_to=("numeric", "datetime"),
            help="Caps extreme values at bounds learned on the training rows of each fold.",
            params=(
                ChoiceParam(
                    name="method",
                    label="Bounds",
                    default="iqr",
                    choices={"iqr": "Tukey's fences (IQR)", "percentile": "Percentiles"},
                ),
                FloatParam(
                    name="factor",
                    label="IQR multiple",
                    default=1.5,
                    low=0.5,
                    high=10.0,
                    help="For Tukey's fences: how many interquartile ranges beyond the quartiles.",
                ),
                FloatParam(name="lower", label="Lower percentile", default=1.0, low=0.0, high=49.0),
                FloatParam(name="upper", label="Upper percentile", default=99.0, low=51.0, high=100.0),
            ),
            estimator="pipeline_core.transformers:OutlierClipper",
        ),
        StepKind(
            key="log_transform",
            label="Log transform",
            category="transform",
            applies_to=("numeric", "datetime"),
            help="sign(x)·log(1 + |x|): compresses long right tails (incomes, counts); defined for negatives too.",
            estimator="pipeline_core.transformers:SignedLog",
        ),
        StepKind(
            key="power_transform",
            label="Power transform",
            category="transform",
            applies_to=("numeric", "datetime"),
            help="Makes each column more bell-shaped. Box-Cox needs strictly positive values.",
            params=(
                ChoiceParam(
                    name="method",
                    label="Method",
                    default="yeo-johnson",
                    choices={"yeo-johnson": "Yeo-Johnson (any values)", "box-cox": "Box-Cox (positive only)"},
                ),
            ),
            estimator="sklearn.preprocessing:PowerTransformer",
            warnings=_not_positive,
        ),
        StepKind(
            key="quantile_transform",
            label="Quantile transform",
            category="transform",
            applies_to=("numeric", "datetime"),
            help="Maps each column onto a uniform or normal shape by rank; robust to outliers.",
            params=(
                ChoiceParam(
                    name="output_distribution",
                    label="Shape",
                    default="uniform",
                    choices={"uniform": "Uniform", "normal": "Normal"},
                ),
            ),
            estimator="sklearn.preprocessing:QuantileTransformer",
            fixed={"n_quantiles": 100, "random_state": 0},
        ),
        StepKind(
            key="standard_scaler",
            label="Standard scaling",
            category="scale",
            applies_to=("numeric", "datetime"),
            help="Centres each column on its mean and divides by its standard deviation.",
            estimator="sklearn.preprocessing:StandardScaler",
        ),
        StepKind(
            key="minmax_scaler",
            label="Min-max scaling",
            category="scale",
            applies_to=("numeric", "datetime"),
            help="Maps each column linearly onto the range 0 to 1.",
            estimator="sklearn.preprocessing:MinMaxScaler",
        ),
        StepKind(
            key="robust_scaler",
            label="Robust scaling",
            category="scale",
            applies_to=("numeric", "datetime"),
            help="Centres on the median and divides by the interquartile range, so outliers weigh less.",
            estimator="sklearn.preprocessing:RobustScaler",
        ),
        StepKind(
            key="maxabs_scaler",
            label="Max-abs scaling",
            category="scale",
            applies_to=("numeric", "datetime"),
            help="Divides each column by its largest absolute value; keeps zeros and signs.",
            estimator="sklearn.preprocessing:MaxAbsScaler",
        ),
        StepKind(
            key="binning",
            label="Binning",
            category="bin",
            applies_to=("numeric", "datetime"),
            help="Cuts each column into intervals, learned on the training rows.",
            params=(
                IntParam(name="n_bins", label="Bins", default=5, low=2, high=50),
                ChoiceParam(
                    name="strategy",
                    label="Bin edges",
                    default="quantile",
                    choices={"quantile": "Equal counts", "uniform": "Equal widths", "kmeans": "k-means"},
                ),
            ),
            estimator="sklearn.preprocessing:KBinsDiscretizer",
            fixed={"encode": "ordinal", "quantile_method": "averaged_inverted_cdf"},
        ),
        StepKind(
            key="polynomial",
            label="Polynomial and interaction features",
            category="expand",
            applies_to=("numeric", "datetime"),
            help="Adds products of columns (and powers). The count grows fast with many columns.",
            params=(
                IntParam(name="degree", label="Degree", default=2, low=2, high=3),
                BoolParam(name="interaction_only", label="Interactions only (no powers)", default=False),
            ),
            renames=True,
            warnings=_many_products,
            estimator="sklearn.preprocessing:PolynomialFeatures",
            fixed={"include_bias": False},
        ),
        StepKind(
            key="rare_levels",
            label="Group rare categories",
            category="group",
            applies_to=("categorical",),
            help="Categories rarer than the share (in the training rows), and unseen ones, become 'rare'.",
            params=(FloatParam(name="min_share", label="Smallest share kept", default=0.01, low=0.0001, high=0.5),),
            estimator="pipeline_core.transformers:RareLevelGrouper",
        ),
        StepKind(
            key="levels_encoder",
            label="One-hot or target encoding, by number of levels",
            category="encode",
            applies_to=("categorical",),
            help="One-hot for columns with few levels; for columns with many, scikit-learn's cross-fitted target "
            "encoding (each level becomes the target's mean for it, never learned from the row's own label), so "
            "no level is thrown away and the table stays narrow. Without a target (clustering), one-hot with the "
            "rarest levels grouped.",
            params=(
                IntParam(
                    name="max_onehot_levels",
                    label="One-hot up to this many levels",
                    default=ONEHOT_LEVELS,
                    low=2,
                    high=200,
                    help="Columns with more levels get target encoding.",
                    argument=None,  # it decides which encoder each column gets
                ),
            ),
            renames=True,
            shaped_by_data=True,
            estimator="sklearn.compose:ColumnTransformer",
            fixed={"remainder": "passthrough", "verbose_feature_names_out": False, "sparse_threshold": 0},
            builder=_encode_by_levels,
        ),
        StepKind(
            key="onehot_encoder",
            label="One-hot encoding",
            category="encode",
            applies_to=("categorical",),
            help="One 0/1 column per category; rarer categories beyond the cap share one 'infrequent' column.",
            params=(
                IntParam(
                    name="max_categories",
                    label="Most columns per feature",
                    default=20,
                    low=2,
                    high=200,
                    help="Caps the columns made from one feature; the rarest levels are grouped together.",
                ),
            ),
            renames=True,
            missing_as_level=True,
            warnings=_wide_onehot,
            estimator="sklearn.preprocessing:OneHotEncoder",
            fixed={"handle_unknown": "infrequent_if_exist", "sparse_output": False},
        ),
        StepKind(
            key="ordinal_encoder",
            label="Ordinal encoding",
            category="encode",
            applies_to=("categorical",),
            help="One integer per category, in sorted order. Compact; suits tree models best.",
            estimator="sklearn.preprocessing:OrdinalEncoder",
            fixed={"handle_unknown": "use_encoded_value", "unknown_value": -1},
        ),
        StepKind(
            key="target_encoder",
            label="Target encoding",
            category="encode",
            applies_to=("categorical",),
            help="Replaces each category by the target's mean for it, cross-fitted so a row never sees its own "
            "label. Good for many categories.",
            params=(
                IntParam(name="cv", label="Cross-fitting folds", default=5, low=2, high=10, convert=_shuffled_folds),
            ),
            uses_target=True,
            estimator="sklearn.preprocessing:TargetEncoder",
        ),
        StepKind(
            key="frequency_encoder",
            label="Frequency encoding",
            category="encode",
            applies_to=("categorical",),
            help="Replaces each category by its share of the training rows.",
            estimator="pipeline_core.transformers:FrequencyEncoder",
        ),
        StepKind(
            key="variance_threshold",
            label="Drop near-constant features",
            category="select",
            applies_to=("combined",),
            help="Removes features whose variance on the training rows is at most the threshold.",
            params=(FloatParam(name="threshold", label="Variance at most", default=0.0, low=0.0, high=10.0),),
            estimator="sklearn.feature_selection:VarianceThreshold",
        ),
        StepKind(
            key="select_k_best",
            label="Keep the k best features (univariate)",
            category="select",
            applies_to=("combined",),
            help="Scores each feature alone against the target (on the training rows) and keeps the best k.",
            params=(
                IntParam(name="k", label="Features kept (k)", default=20, low=1, high=10000),
                ChoiceParam(
                    name="test",
                    label="Test",
                    default="f_test",
                    choices={
                        "f_test": "F-test",
                        "mutual_info": "Mutual information",
                        "chi2": "Chi² (counts, non-negative)",
                    },
                ),
            ),
            uses_target=True,
            estimator="pipeline_core.transformers:UnivariateSelector",
            takes_task=True,
        ),
        StepKind(
            key="select_from_model",
            label="Keep features a model finds useful",
            category="select",
            applies_to=("combined",),
            help="L1: features a sparse linear model keeps. Trees: features above the median importance.",
            params=(
                ChoiceParam(
                    name="method",
                    label="Model",
                    default="tree",
                    choices={"tree": "Tree importance", "l1": "L1 (sparse linear)"},
                ),
            ),
            uses_target=True,
            estimator="pipeline_core.transformers:ModelSelector",
            takes_task=True,
        ),
        StepKind(
            key="rfecv",
            label="Recursive elimination (CV)",
            category="select",
            applies_to=("combined",),
            help="Drops the weakest features in rounds, keeping the count that cross-validates best. Slow.",
            params=(IntParam(name="min_features", label="Keep at least", default=1, low=1, high=1000),),
            uses_target=True,
            estimator="pipeline_core.transformers:RecursiveSelector",
            takes_task=True,
        ),
        StepKind(
            key="pca",
            label="PCA",
            category="extract",
            applies_to=("combined",),
            help="Replaces the features by their principal components, learned on the training rows.",
            params=(
                ChoiceParam(
                    name="keep",
                    label="Keep",
                    default="variance",
                    choices={"variance": "A share of the variance", "count": "A number of components"},
                    argument=None,  # the next two make n_components
                ),
                FloatParam(
                    name="variance",
                    label="Share of variance kept",
                    default=0.95,
                    low=0.5,
                    high=0.999,
                    help="PCA keeps as many components as it needs to explain this share.",
                    argument=None,
                ),
                IntParam(
                    name="n_components",
                    label="Components",
                    default=10,
                    low=1,
                    high=1000,
                    help="Used when keeping a number of components; at most the features it receives.",
                    argument=None,
                ),
            ),
            estimator="sklearn.decomposition:PCA",
            fixed={"svd_solver": "full", "random_state": 0},
            builder=_components,
        ),
        StepKind(
            key="truncated_svd",
            label="Truncated SVD",
            category="extract",
            applies_to=("combined",),
            help="Like PCA without centring: suits many sparse features such as words.",
            params=(
                IntParam(
                    name="n_components",
                    label="Components",
                    default=10,
                    low=1,
                    high=1000,
                    help="Fewer than the features it receives.",
                ),
            ),
            estimator="sklearn.decomposition:TruncatedSVD",
            fixed={"random_state": 0},
        ),
    ]
}

MODELS: dict[str, ModelKind] = {
    model.key: model
    for model in [
        ModelKind(
            key="dummy",
            handles_missing=True,
            label="Baseline (dummy)",
            estimators={
                "classification": "sklearn.dummy:DummyClassifier",
                "regression": "sklearn.dummy:DummyRegressor",
            },
            is_baseline=True,
            help="Predicts the most frequent class or the mean, ignoring the features. Any useful model beats it.",
            builder=_baseline,
        ),
        ModelKind(
            key="logistic_regression",
            label="Logistic regression",
            estimators={"classification": "sklearn.linear_model:LogisticRegression"},
            default_for=frozenset({"classification"}),
            help="A linear model of the log-odds. Fast, interpretable, a strong first choice.",
            params=(
                FloatParam(
                    name="C",
                    label="Inverse regularisation (C)",
                    default=1.0,
                    low=1e-4,
                    high=1e4,
                    log=True,
                    help="Smaller values regularise more strongly.",
                    space=(0.001, 100.0),
                ),
                IntParam(name="max_iter", label="Maximum iterations", default=1000, low=50, high=10000),
                _CLASS_WEIGHT,
            ),
            seeded=True,
        ),
        ModelKind(
            key="ridge",
            label="Ridge regression",
            estimators={"regression": "sklearn.linear_model:Ridge"},
            default_for=frozenset({"regression"}),
            help="Linear regression with an L2 penalty that keeps coefficients small.",
            params=(_ALPHA,),
        ),
        ModelKind(
            key="decision_tree",
            time_exponent=1.15,
            handles_missing=True,
            label="Decision tree",
            estimators={
                "classification": "sklearn.tree:DecisionTreeClassifier",
                "regression": "sklearn.tree:DecisionTreeRegressor",
            },
            help="One tree of if-then splits. Easy to read, prone to overfit.",
            params=(_MAX_DEPTH, _CLASS_WEIGHT),
            seeded=True,
        ),
        ModelKind(
            key="random_forest",
            time_exponent=1.15,
            handles_missing=True,
            label="Random forest",
            estimators={
                "classification": "sklearn.ensemble:RandomForestClassifier",
                "regression": "sklearn.ensemble:RandomForestRegressor",
            },
            default_for=frozenset({"classification", "regression"}),
            help="Many decorrelated trees averaged together. Robust with little tuning.",
            params=(
                IntParam(name="n_estimators", label="Number of trees", default=100, low=10, high=1000, space=(50, 500)),
                _MAX_DEPTH,
                IntParam(
                    name="min_samples_leaf", label="Minimum rows per leaf", default=1, low=1, high=100, space=(1, 20)
                ),
                _CLASS_WEIGHT,
            ),
            seeded=True,
        ),
        ModelKind(
            key="hist_gradient_boosting",
            time_exponent=0.8,
            handles_missing=True,
            label="Histogram gradient boosting",
            estimators={
                "classification": "sklearn.ensemble:HistGradientBoostingClassifier",
                "regression": "sklearn.ensemble:HistGradientBoostingRegressor",
            },
            default_for=frozenset({"classification", "regression"}),
            help="Boosted trees on binned features. Usually the most accurate on tables.",
            params=(
                FloatParam(
                    name="learning_rate",
                    label="Learning rate",
                    default=0.1,
                    low=0.001,
                    high=1.0,
                    log=True,
                    space=(0.01, 0.3),
                ),
                IntParam(name="max_iter", label="Boosting rounds", default=100, low=10, high=2000, space=(50, 500)),
                IntParam(name="max_leaf_nodes", label="Leaves per tree", default=31, low=2, high=256, space=(8, 128)),
                _CLASS_WEIGHT,
            ),
            seeded=True,
        ),
        ModelKind(
            key="extra_trees",
            time_exponent=1.15,
            handles_missing=True,
            label="Extra trees",
            estimators={
                "classification": "sklearn.ensemble:ExtraTreesClassifier",
                "regression": "sklearn.ensemble:ExtraTreesRegressor",
            },
            help="Like a random forest with random split points: faster, often as accurate, smoother.",
            params=(
                IntParam(name="n_estimators", label="Number of trees", default=100, low=10, high=1000, space=(50, 500)),
                _MAX_DEPTH,
                IntParam(
                    name="min_samples_leaf", label="Minimum rows per leaf", default=1, low=1, high=100, space=(1, 20)
                ),
                _CLASS_WEIGHT,
            ),
            seeded=True,
        ),
        ModelKind(
            key="gradient_boosting",
            time_exponent=1.15,
            label="Gradient boosting",
            estimators={
                "classification": "sklearn.ensemble:GradientBoostingClassifier",
                "regression": "sklearn.ensemble:GradientBoostingRegressor",
            },
            help="Shallow trees added one after another, each correcting the last. Slower than the histogram "
            "version on many rows.",
            params=(
                IntParam(name="n_estimators", label="Boosting rounds", default=100, low=10, high=2000, space=(50, 500)),
                FloatParam(
                    name="learning_rate",
                    label="Learning rate",
                    default=0.1,
                    low=0.001,
                    high=1.0,
                    log=True,
                    space=(0.01, 0.3),
                ),
                IntParam(name="max_depth", label="Depth of each tree", default=3, low=1, high=10, space=(2, 6)),
            ),
            seeded=True,
        ),
        ModelKind(
            key="knn",
            label="k-nearest neighbours",
            estimators={
                "classification": "sklearn.neighbors:KNeighborsClassifier",
                "regression": "sklearn.neighbors:KNeighborsRegressor",
            },
            help="Predicts from the k most similar training rows. Needs scaled features; slow to predict on many rows.",
            params=(
                IntParam(name="n_neighbors", label="Neighbours (k)", default=5, low=1, high=200, space=(1, 50)),
                ChoiceParam(
                    name="weights",
                    label="Neighbour weights",
                    default="uniform",
                    space=("uniform", "distance"),
                    choices={"uniform": "Equal", "distance": "Closer counts more"},
                ),
            ),
            time_exponent=2.0,
        ),
        ModelKind(
            key="linear_svm",
            label="Linear SVM",
            estimators={"classification": "sklearn.svm:LinearSVC"},
            help="A linear boundary with the widest margin. Fast on many rows and features; gives scores, "
            "not probabilities.",
            params=(_SVM_C, _CLASS_WEIGHT),
            seeded=True,
        ),
        ModelKind(
            key="rbf_svm",
            label="RBF SVM",
            estimators={"classification": "sklearn.svm:SVC", "regression": "sklearn.svm:SVR"},
            help="A curved boundary from a kernel on distances. Strong on a few thousand scaled rows; its time "
            "grows with the square of the rows.",
            params=(
                _SVM_C,
                ChoiceParam(
                    name="gamma",
                    label="Kernel width (gamma)",
                    default="scale",
                    space=("scale", "auto"),
                    choices={"scale": "From the feature variance", "auto": "1 / number of features"},
                ),
                _CLASS_WEIGHT,
            ),
            time_exponent=2.0,
            seeded=True,
            scales_target=True,
        ),
        ModelKind(
            key="naive_bayes",
            label="Gaussian naive Bayes",
            estimators={"classification": "sklearn.naive_bayes:GaussianNB"},
            help="Treats features as independent bell curves per class. Very fast; a useful second baseline.",
            params=(
                FloatParam(
                    name="var_smoothing",
                    label="Variance smoothing",
                    default=1e-9,
                    low=1e-12,
                    high=1.0,
                    log=True,
                    help="Added to every variance, for stability.",
                    space=(1e-11, 1e-3),
                ),
            ),
        ),
        ModelKind(
            key="mlp",
            label="Neural network (MLP)",
            estimators={
                "classification": "sklearn.neural_network:MLPClassifier",
                "regression": "sklearn.neural_network:MLPRegressor",
            },
            help="Layers of neurons trained by gradient descent. Needs scaled features; stops early when the "
            "score on a held-back tenth of the fold stops improving.",
            params=(
                IntParam(
                    name="units",
                    label="Neurons per layer",
                    default=100,
                    low=2,
                    high=1000,
                    space=(16, 256),
                    argument=None,  # with the layers, hidden_layer_sizes
                ),
                IntParam(name="layers", label="Hidden layers", default=1, low=1, high=5, space=(1, 3), argument=None),
                FloatParam(
                    name="alpha",
                    label="L2 penalty (alpha)",
                    default=1e-4,
                    low=1e-7,
                    high=10.0,
                    log=True,
                    space=(1e-6, 1e-1),
                ),
                IntParam(name="max_iter", label="Maximum epochs", default=200, low=10, high=2000),
            ),
            fixed={"early_stopping": True},
            builder=_network,
            seeded=True,
            scales_target=True,
        ),
        ModelKind(
            key="linear_regression",
            label="Linear regression",
            estimators={"regression": "sklearn.linear_model:LinearRegression"},
            help="Ordinary least squares: no penalty, so it overfits with many features.",
        ),
        ModelKind(
            key="lasso",
            label="Lasso",
            estimators={"regression": "sklearn.linear_model:Lasso"},
            help="Linear regression with an L1 penalty that sets some coefficients to exactly zero.",
            params=(_ALPHA,),
            seeded=True,
        ),
        ModelKind(
            key="elastic_net",
            label="Elastic net",
            estimators={"regression": "sklearn.linear_model:ElasticNet"},
            help="A mix of the lasso and ridge penalties: sparse, yet stable with correlated features.",
            params=(
                _ALPHA,
                FloatParam(
                    name="l1_ratio", label="L1 share of the penalty", default=0.5, low=0.0, high=1.0, space=(0.05, 0.95)
                ),
            ),
            seeded=True,
        ),
        ModelKind(
            key="kmeans",
            label="k-means",
            estimators={"clustering": "sklearn.cluster:KMeans"},
            default_for=frozenset({"clustering"}),
            help="k round groups around centres. Fast; needs the number of groups and scaled features.",
            params=(_N_CLUSTERS,),
            fixed={"n_init": "auto"},
            seeded=True,
        ),
        ModelKind(
            key="gaussian_mixture",
            label="Gaussian mixture",
            estimators={"clustering": "sklearn.mixture:GaussianMixture"},
            default_for=frozenset({"clustering"}),
            help="Groups as overlapping bell curves of any orientation: softer and more flexible than k-means.",
            params=(
                replace(_N_CLUSTERS, argument="n_components"),  # a mixture's groups are its components
                ChoiceParam(
                    name="covariance_type",
                    label="Group shapes",
                    default="full",
                    choices={"full": "Any ellipse", "diag": "Axis-aligned ellipses", "spherical": "Spheres"},
                ),
            ),
            seeded=True,
        ),
        ModelKind(
            key="agglomerative",
            label="Agglomerative (hierarchical)",
            estimators={"clustering": "sklearn.cluster:AgglomerativeClustering"},
            help="Merges the closest rows and groups step by step. Cannot place new rows; memory grows with "
            "the square of the rows.",
            params=(
                _N_CLUSTERS,
                ChoiceParam(
                    name="linkage",
                    label="Distance between groups",
                    default="ward",
                    choices={"ward": "Ward (least added variance)", "average": "Average", "complete": "Farthest"},
                ),
            ),
            time_exponent=2.0,
        ),
        ModelKind(
            key="dbscan",
            label="DBSCAN",
            estimators={"clustering": "sklearn.cluster:DBSCAN"},
            help="Dense regions become groups, of any shape and number; isolated rows are noise (-1). Cannot "
            "place new rows.",
            params=(
                FloatParam(
                    name="eps",
                    label="Neighbourhood radius",
                    default=0.5,
                    low=0.001,
                    high=100.0,
                    log=True,
                    help="In the units of the prepared (usually scaled) features.",
                ),
                IntParam(name="min_samples", label="Rows to make a dense region", default=5, low=2, high=500),
            ),
            time_exponent=2.0,
        ),
    ]
}


def number_repeats(names: list[str]) -> list[str]:
    """The names, with _2, _3, … added to a name's later occurrences, so each is unique."""
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def unnumbered(key: str, kinds: dict) -> tuple[str, str | None]:
    """Undo `number_repeats`: ('standard_scaler', '2') for 'standard_scaler_2'; (key, None) for a kind's own key."""
    if key in kinds:
        return key, None
    kind, _, number = key.rpartition("_")
    return kind, number


def numbered_label(kind_key: str, key: str) -> str:
    """A model's label, with the number `number_repeats` gave a repeated kind: 'Random forest (2)'."""
    label = get_model(kind_key).label
    _, number = unnumbered(key, {kind_key: None})
    return label if number is None else f"{label} ({number})"


def get_step(key: str) -> StepKind:
    """Look up a step kind; raise SpecError listing the known kinds."""
    try:
        return STEPS[key]
    except KeyError:
        raise SpecError(f"Unknown step kind {key!r}. Available: {', '.join(STEPS)}.") from None


BASELINE = next(key for key, model in MODELS.items() if model.is_baseline)  # the floor every run is scored against


def get_model(key: str) -> ModelKind:
    """Look up a model kind; raise SpecError listing the known kinds."""
    try:
        return MODELS[key]
    except KeyError:
        raise SpecError(f"Unknown model kind {key!r}. Available: {', '.join(MODELS)}.") from None


def steps_for(branch: Branch) -> list[StepKind]:
    return [step for step in STEPS.values() if branch in step.applies_to]


def models_for(task: Task) -> list[ModelKind]:
    return [model for model in MODELS.values() if task in model.tasks]
