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
