"""Drift tests: each compares one column of new rows with the same column of the rows a model was trained on.

Chosen per column much as Evidently's registry chooses them: with at most 1,000 rows, a test with a p-value
(Kolmogorov–Smirnov for numbers with more than five values, chi-squared otherwise); with more, a distance
with a fixed threshold (normed Wasserstein for numbers, Jensen–Shannon otherwise), since with many rows a
test calls the smallest harmless difference significant. Evidently counts the reference's rows only; here the
smaller sample decides, since a distance measured on a few hundred new rows is mostly noise (on random splits
of one table, batches of 400 rows against 3,800 raised a false alarm in about a quarter of the splits by the
reference's rule: `python -m benchmarks.drift_alarms`), and a distance between categories needs rows enough
per category as well. Levels too rare to count on are pooled before any test of categories. PSI is offered.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

ColumnKind = Literal["numeric", "categorical"]
SMALL_SAMPLE = 1000  # rows (of the smaller sample) up to which a test with a p-value is used
FEW_VALUES = 5  # numbers with at most this many values are compared as categories
ROWS_PER_LEVEL = 100  # a distance between categories is noise below this many rows per level: then a test
LEVEL_TOLERANCE = 0.05  # of the gap between a few-valued number's levels: closer than this is rounding
MIN_EXPECTED = 5  # levels expected fewer times than this in the smaller sample are pooled (chi-squared's rule)
PSI_BINS = 10


@dataclass(frozen=True, kw_only=True)
class DriftTest:
    key: str
    label: str
    kinds: frozenset[ColumnKind]
    # (reference, new) → (statistic, p-value or None); both without missing values
    compute: Callable[[pd.Series, pd.Series], tuple[float, float | None]]
    has_p_value: bool
    threshold: float  # on the p-value when the test gives one (drift below it), else on the statistic (above)
    meaning: str  # the threshold in plain words


def _ks(reference: pd.Series, new: pd.Series) -> tuple[float, float | None]:
    result = stats.ks_2samp(reference.to_numpy(float), new.to_numpy(float))
    return float(result.statistic), float(result.pvalue)


def _counts(reference: pd.Series, new: pd.Series) -> np.ndarray:
    """Two rows of counts, one per sample, over every value either has; the values too rare to count on (expected
    fewer than MIN_EXPECTED times in the smaller sample, were both alike) pooled in one column."""
    if pd.api.types.is_numeric_dtype(reference) and pd.api.types.is_numeric_dtype(new):
        new = _as_levels(reference, new)
    table = pd.concat([reference.astype(str).value_counts(), new.astype(str).value_counts()], axis=1)
    counts = table.fillna(0).to_numpy(float).T
    expected = counts.sum(axis=0) / counts.sum() * counts.sum(axis=1).min()
    rare = expected < MIN_EXPECTED
    return np.column_stack([counts[:, ~rare], counts[:, rare].sum(axis=1)]) if rare.sum() > 1 else counts


def _as_levels(reference: pd.Series, new: pd.Series) -> pd.Series:
    """New numbers within LEVEL_TOLERANCE of a gap between the reference's values counted as the value they are
    close to: 0.33 where training had 0.333 is rounding, not a new level; 1.1 where it had 0 and 1 is not."""
    levels = np.unique(reference.to_numpy(float))
    values = new.to_numpy(float)
    if len(levels) == 1:
        gap, nearest = abs(levels[0]) or 1.0, np.full_like(values, levels[0])
    else:
        gap = np.diff(levels).min()
        above = np.clip(np.searchsorted(levels, values), 1, len(levels) - 1)
        left, right = levels[above - 1], levels[above]
        nearest = np.where(values - left <= right - values, left, right)
    return pd.Series(np.where(np.abs(values - nearest) <= LEVEL_TOLERANCE * gap, nearest, values), index=new.index)


def _chi_squared(reference: pd.Series, new: pd.Series) -> tuple[float, float | None]:
    """Homogeneity of the two samples' counts (both are samples; for two values it is the two-proportion z-test
    squared)."""
    counts = _counts(reference, new)
    if counts.shape[1] < 2:
        return 0.0, 1.0
    result = stats.chi2_contingency(counts, correction=False)
    return float(result.statistic), float(result.pvalue)


def _wasserstein(reference: pd.Series, new: pd.Series) -> tuple[float, float | None]:
    """The earth mover's distance in units of the reference's standard deviation: 0.1 moves every value a
    tenth of a standard deviation."""
    scale = float(reference.std()) or 1.0
    return float(stats.wasserstein_distance(reference.to_numpy(float), new.to_numpy(float)) / scale), None


def _jensen_shannon(reference: pd.Series, new: pd.Series) -> tuple[float, float | None]:
    counts = _counts(reference, new)
    return float(jensenshannon(counts[0], counts[1], base=2)), None


def _psi(reference: pd.Series, new: pd.Series) -> tuple[float, float | None]:
    """Population stability index over the reference's deciles (numbers) or its values (categories)."""
    if pd.api.types.is_numeric_dtype(reference) and reference.nunique() > FEW_VALUES:
        edges = np.unique(np.quantile(reference.to_numpy(float), np.linspace(0, 1, PSI_BINS + 1)))
        edges[0], edges[-1] = -np.inf, np.inf
        counts = np.vstack([np.histogram(values.to_numpy(float), edges)[0] for values in (reference, new)])
    else:
        counts = _counts(reference, new)
    shares = np.clip(counts / counts.sum(axis=1, keepdims=True), 1e-4, None)  # an empty bin would be infinite
    return float(((shares[1] - shares[0]) * np.log(shares[1] / shares[0])).sum()), None


BOTH: frozenset[ColumnKind] = frozenset({"numeric", "categorical"})
DRIFT_TESTS: dict[str, DriftTest] = {
    test.key: test
    for test in (
        DriftTest(
            key="ks",
            label="Kolmogorov–Smirnov",
            kinds=frozenset({"numeric"}),
            compute=_ks,
            has_p_value=True,
            threshold=0.05,
            meaning="p-value below 0.05 (after the correction for many columns): so large a difference between the two "
            "distributions would rarely arise by chance",
        ),
        DriftTest(
            key="chi_squared",
            label="Chi-squared",
            kinds=BOTH,
            compute=_chi_squared,
            has_p_value=True,
            threshold=0.05,
            meaning="p-value below 0.05 (after the correction for many columns): so large a change in how often "
            "each value occurs would rarely arise by chance",
        ),
        DriftTest(
            key="wasserstein",
            label="Wasserstein distance (normed)",
            kinds=frozenset({"numeric"}),
            compute=_wasserstein,
            has_p_value=False,
            threshold=0.1,
            meaning="values moved by more than a tenth of the training standard deviation on average",
        ),
        DriftTest(
            key="jensen_shannon",
            label="Jensen–Shannon distance",
            kinds=BOTH,
            compute=_jensen_shannon,
            has_p_value=False,
            threshold=0.1,
            meaning="distance above 0.1 (0: the same mix of values, 1: no value in common)",
        ),
        DriftTest(
            key="psi",
            label="Population stability index",
            kinds=BOTH,
            compute=_psi,
            has_p_value=False,
            threshold=0.1,
            meaning="PSI above 0.1 (below 0.1 is usually read as stable, above 0.25 as a major shift)",
        ),
    )
}


def default_test(kind: ColumnKind, n_rows: int, n_values: int) -> DriftTest:
    """The test for a column of this kind, by the smaller sample's rows and the column's number of values."""
    if kind == "numeric" and n_values > FEW_VALUES:
        return DRIFT_TESTS["ks" if n_rows <= SMALL_SAMPLE else "wasserstein"]
    distance = n_rows > SMALL_SAMPLE and n_rows / n_values >= ROWS_PER_LEVEL
    return DRIFT_TESTS["jensen_shannon" if distance else "chi_squared"]
