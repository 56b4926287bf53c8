"""The few transformers scikit-learn lacks. Small, scikit-learn API compliant, dependency-light:
a model file that uses one needs this module (and nothing else of Pipewright) to load."""

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from pipeline_core.columns import number_convention, parse_numbers


class TextToNumber(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Reads numbers written as text ('$12,345.67', '12.5%', '1.234,5') as floats.

    The convention (comma or dot decimals) is learned per column in `fit`; values that are no
    number become NaN, for the imputer that follows.
    """

    def fit(self, X, y=None):
        frame = self._frame(X, reset=True)
        self.conventions_ = [number_convention(frame[column]) for column in frame.columns]
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = self._frame(X, reset=False)
        columns = [
            parse_numbers(frame[c], convention) for c, convention in zip(frame.columns, self.conventions_, strict=True)
        ]
        return np.column_stack(columns).astype(float) if columns else np.empty((len(frame), 0))

    def _frame(self, X, *, reset: bool) -> pd.DataFrame:
        return pd.DataFrame(validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags


class OutlierClipper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Clips each column to bounds learned on the training rows: Tukey's fences or percentiles.

    Args:
        method: "iqr" (q1 − factor·IQR, q3 + factor·IQR) or "percentile" (the given percentiles).
        factor: the IQR multiple, for "iqr".
        lower, upper: the percentiles, for "percentile".
    """

    def __init__(self, method: str = "iqr", factor: float = 1.5, lower: float = 1.0, upper: float = 99.0):
        self.method, self.factor, self.lower, self.upper = method, factor, lower, upper

    def fit(self, X, y=None):
        X = validate_data(self, X, reset=True, ensure_all_finite="allow-nan")
        if self.method == "iqr":
            q1, q3 = np.nanpercentile(X, [25, 75], axis=0)
            self.lower_, self.upper_ = q1 - self.factor * (q3 - q1), q3 + self.factor * (q3 - q1)
        else:
            self.lower_, self.upper_ = np.nanpercentile(X, [self.lower, self.upper], axis=0)
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        return np.clip(X, self.lower_, self.upper_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class SignedLog(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """sign(x) · log(1 + |x|): tames long right tails like log1p, and is defined for negatives too."""

    def fit(self, X, y=None):
        validate_data(self, X, reset=True, ensure_all_finite="allow-nan")
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        return np.sign(X) * np.log1p(np.abs(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class FrequencyEncoder(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Replaces each category by its share of the training rows (0 for a category never seen)."""

    def fit(self, X, y=None):
        frame = pd.DataFrame(validate_data(self, X, reset=True, dtype=None, ensure_all_finite=False), dtype=object)
        self.frequencies_ = [frame[c].value_counts(normalize=True, dropna=False).to_dict() for c in frame.columns]
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = pd.DataFrame(validate_data(self, X, reset=False, dtype=None, ensure_all_finite=False), dtype=object)
        columns = [
            frame[c].map(f).fillna(0.0).to_numpy(float) for c, f in zip(frame.columns, self.frequencies_, strict=True)
        ]
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags


class RareLevelGrouper(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Replaces categories rarer than `min_share` of the training rows (and unseen ones) by 'rare'."""

    def __init__(self, min_share: float = 0.01):
        self.min_share = min_share

    def fit(self, X, y=None):
        frame = pd.DataFrame(validate_data(self, X, reset=True, dtype=None, ensure_all_finite=False), dtype=object)
        shares = [frame[c].value_counts(normalize=True) for c in frame.columns]
        self.kept_ = [set(share.index[share >= self.min_share]) for share in shares]
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = pd.DataFrame(validate_data(self, X, reset=False, dtype=None, ensure_all_finite=False), dtype=object)
        for column, kept in zip(frame.columns, self.kept_, strict=True):
            values = frame[column]
            frame[column] = values.where(values.isna() | values.isin(kept), "rare")
        return frame.infer_objects().to_numpy()  # numbers stay numbers unless 'rare' was put among them

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags
