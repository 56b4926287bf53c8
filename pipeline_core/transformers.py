"""The few transformers scikit-learn lacks. Small, scikit-learn API compliant, dependency-light:
a model file that uses one needs this module (and nothing else of Pipewright) to load."""

from functools import partial

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import (
    RFECV,
    SelectFromModel,
    SelectKBest,
    SelectorMixin,
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
    mutual_info_regression,
)
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted, validate_data

from pipeline_core.columns import datetime_format, number_convention, parse_dates, parse_numbers


class _TextColumns:
    """For transformers that read text (and missing values) column by column."""

    def _frame(self, X, *, reset: bool) -> pd.DataFrame:
        return pd.DataFrame(validate_data(self, X, reset=reset, dtype=None, ensure_all_finite=False), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags


class _NumbersWithGaps:
    """For numeric transformers that pass missing values through, for a later fill step."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class TextToNumber(_TextColumns, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
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


class OutlierClipper(_NumbersWithGaps, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
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


class SignedLog(_NumbersWithGaps, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """sign(x) · log(1 + |x|): tames long right tails like log1p, and is defined for negatives too."""

    def fit(self, X, y=None):
        validate_data(self, X, reset=True, ensure_all_finite="allow-nan")
        return self

    def transform(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
        return np.sign(X) * np.log1p(np.abs(X))


class FrequencyEncoder(_TextColumns, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Replaces each category by its share of the training rows (0 for a category never seen)."""

    def fit(self, X, y=None):
        frame = self._frame(X, reset=True)
        self.frequencies_ = [frame[c].value_counts(normalize=True, dropna=False).to_dict() for c in frame.columns]
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = self._frame(X, reset=False)
        columns = [
            frame[c].map(f).fillna(0.0).to_numpy(float) for c, f in zip(frame.columns, self.frequencies_, strict=True)
        ]
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))


class RareLevelGrouper(_TextColumns, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Replaces categories rarer than `min_share` of the training rows (and unseen ones) by 'rare'."""

    def __init__(self, min_share: float = 0.01):
        self.min_share = min_share

    def fit(self, X, y=None):
        frame = self._frame(X, reset=True)
        shares = [frame[c].value_counts(normalize=True) for c in frame.columns]
        self.kept_ = [set(share.index[share >= self.min_share]) for share in shares]
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = self._frame(X, reset=False)
        for column, kept in zip(frame.columns, self.kept_, strict=True):
            values = frame[column]
            frame[column] = values.where(values.isna() | values.isin(kept), "rare")
        return frame.infer_objects().to_numpy()  # numbers stay numbers unless 'rare' was put among them


class DateParts(_TextColumns, TransformerMixin, BaseEstimator):
    """Dates (as text or datetime) into numbers a model can use: year, month, day, weekday, is-weekend,
    days since the earliest training date, optionally the hour and cyclical (sin/cos) month and weekday.

    Each column's date format is learned in `fit` (day-first when ambiguous); a missing or unreadable
    date gets the training median of each part.
    """

    def __init__(self, cyclical: bool = False, hour: bool = False):
        self.cyclical, self.hour = cyclical, hour

    def fit(self, X, y=None):
        frame = self._frame(X, reset=True)
        self.formats_ = [datetime_format(frame[c], min_share=0.5) for c in frame.columns]  # unreadable ones: NaN
        self.origins_ = [  # in days since 1970: a plain float, which a model file can hold
            float(np.nanmin(_days(self._dates(frame[c], f)), initial=np.inf))
            for c, f in zip(frame.columns, self.formats_, strict=True)
        ]
        parts = self._parts(frame)
        self.medians_ = np.nanmedian(parts, axis=0) if len(parts) else np.zeros(parts.shape[1])
        return self

    def transform(self, X):
        check_is_fitted(self)
        parts = self._parts(self._frame(X, reset=False))
        return np.where(np.isnan(parts), self.medians_, parts)

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        names = input_features if input_features is not None else getattr(self, "feature_names_in_", None)
        names = names if names is not None else [f"x{i}" for i in range(self.n_features_in_)]
        return np.array([f"{column}_{part}" for column in names for part in self._part_names()], dtype=object)

    def _part_names(self) -> list[str]:
        names = ["year", "month", "day", "weekday", "is_weekend", "days_since_start"]
        names += ["hour"] if self.hour else []
        names += ["month_sin", "month_cos", "weekday_sin", "weekday_cos"] if self.cyclical else []
        return names

    @staticmethod
    def _dates(values: pd.Series, date_format: str | None) -> pd.Series:
        return (
            parse_dates(values, date_format) if date_format else pd.to_datetime(values, errors="coerce", format="mixed")
        )

    def _parts(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for column, date_format, origin in zip(frame.columns, self.formats_, self.origins_, strict=True):
            dates = self._dates(frame[column], date_format)
            weekday = dates.dt.day_of_week
            parts = [
                dates.dt.year,
                dates.dt.month,
                dates.dt.day,
                weekday,
                (weekday >= 5).where(dates.notna()),
                _days(dates) - origin,
            ]
            parts += [dates.dt.hour] if self.hour else []
            if self.cyclical:
                parts += [
                    np.sin(2 * np.pi * dates.dt.month / 12),
                    np.cos(2 * np.pi * dates.dt.month / 12),
                    np.sin(2 * np.pi * weekday / 7),
                    np.cos(2 * np.pi * weekday / 7),
                ]
            columns += [pd.Series(part, dtype=float).to_numpy() for part in parts]
        return np.column_stack(columns) if columns else np.empty((len(frame), 0))


def _days(dates: pd.Series) -> np.ndarray:
    return ((dates - pd.Timestamp("1970-01-01")).dt.total_seconds() / 86400).to_numpy(dtype=float)


class TextFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of one column of free text (a missing text counts as empty), with a vocabulary cap.

    Kept so that model files saved before the catalog built TF-IDF from scikit-learn's parts alone still load."""

    def __init__(self, max_features: int = 1000, max_ngram: int = 1, min_df: int = 2):
        self.max_features, self.max_ngram, self.min_df = max_features, max_ngram, min_df

    def fit(self, X, y=None):
        self.column_ = X.name if isinstance(X, pd.Series) else "text"
        texts = self._texts(X)
        min_df = self.min_df if len(texts) >= 2 * self.min_df else 1
        self.vectorizer_ = TfidfVectorizer(
            max_features=self.max_features, ngram_range=(1, self.max_ngram), min_df=min_df
        )
        self.vectorizer_.fit(texts)
        return self

    def transform(self, X):
        check_is_fitted(self)
        return self.vectorizer_.transform(self._texts(X)).toarray()

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        return np.array([f"{self.column_}_{word}" for word in self.vectorizer_.get_feature_names_out()], dtype=object)

    @staticmethod
    def _texts(X) -> list[str]:
        values = pd.Series(np.asarray(X, dtype=object).ravel())
        return values.where(values.notna(), "").astype(str).tolist()


class UnivariateSelector(SelectorMixin, BaseEstimator):
    """Keeps the k features that best predict the target one at a time (F-test, mutual information or
    chi²), in the version of the test for the task."""

    def __init__(self, k: int = 20, test: str = "f_test", task: str = "classification"):
        self.k, self.test, self.task = k, test, task

    def fit(self, X, y):
        X, y = validate_data(self, X, y, reset=True)
        classification = self.task == "classification"
        tests = {
            "f_test": f_classif if classification else f_regression,
            "mutual_info": partial(mutual_info_classif if classification else mutual_info_regression, random_state=0),
            "chi2": chi2,
        }
        data = np.clip(X, 0, None) if self.test == "chi2" else X  # chi² needs counts: negatives count as zero
        selector = SelectKBest(tests[self.test], k=min(self.k, X.shape[1])).fit(data, y)
        self.support_ = selector.get_support()  # the mask only: a model file then holds no score function
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_


class ModelSelector(SelectorMixin, BaseEstimator):
    """Keeps the features a model finds useful: non-zero L1 coefficients, or above-median tree importance."""

    def __init__(self, method: str = "tree", task: str = "classification"):
        self.method, self.task = method, task

    def fit(self, X, y):
        X, y = validate_data(self, X, y, reset=True)
        classification = self.task == "classification"
        if self.method == "l1":
            model = LinearSVC(C=0.1, penalty="l1", dual=False) if classification else Lasso(alpha=0.01, max_iter=5000)
            threshold = 1e-5
        else:
            trees = ExtraTreesClassifier if classification else ExtraTreesRegressor
            model, threshold = trees(n_estimators=100, random_state=0, n_jobs=1), "median"
        self.support_ = SelectFromModel(model, threshold=threshold).fit(X, y).get_support()
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_


class RecursiveSelector(SelectorMixin, BaseEstimator):
    """Recursive feature elimination with cross-validation, with a linear model for the task."""

    def __init__(self, min_features: int = 1, folds: int = 3, task: str = "classification"):
        self.min_features, self.folds, self.task = min_features, folds, task

    def fit(self, X, y):
        X, y = validate_data(self, X, y, reset=True)
        model = LogisticRegression(max_iter=1000) if self.task == "classification" else Ridge()
        selector = RFECV(
            model,
            min_features_to_select=min(self.min_features, X.shape[1]),
            cv=self.folds,
            step=max(1, X.shape[1] // 20),
        ).fit(X, y)
        self.support_ = selector.get_support()
        return self

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_
