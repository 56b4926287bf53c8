"""Every custom transformer passes scikit-learn's estimator checks and does what it says on small data.

TextFeatures reads one column of documents (1-D), as TfidfVectorizer does, so the checks, which feed 2-D
numeric arrays, do not apply to it; its own test below covers it.
"""

import numpy as np
import pandas as pd
from sklearn.utils.estimator_checks import parametrize_with_checks

from pipeline_core.transformers import (
    DateParts,
    FrequencyEncoder,
    ModelSelector,
    OutlierClipper,
    RareLevelGrouper,
    RecursiveSelector,
    SignedLog,
    TextFeatures,
    TextToNumber,
    UnivariateSelector,
)


def _expected_failures(estimator) -> dict[str, str]:
    if isinstance(estimator, RareLevelGrouper):  # its output is labels ('rare'), which this check subtracts
        return {"check_fit_idempotent": "outputs category labels, not numbers"}
    return {}


@parametrize_with_checks(
    [
        TextToNumber(),
        OutlierClipper(),
        OutlierClipper(method="percentile"),
        SignedLog(),
        FrequencyEncoder(),
        RareLevelGrouper(),
        UnivariateSelector(k=2),
        ModelSelector(),
        RecursiveSelector(),
        DateParts(),
    ],
    expected_failed_checks=_expected_failures,
)
def test_custom_transformers_follow_the_scikit_learn_api(estimator, check):
    check(estimator)


def test_outlier_clipper_learns_fences_on_the_training_rows():
    clipper = OutlierClipper(factor=1.5).fit(np.array([[1.0], [2.0], [3.0], [4.0], [100.0]]))
    assert clipper.upper_[0] == 4 + 1.5 * 2 and clipper.transform(np.array([[1000.0]]))[0, 0] == 7.0


def test_signed_log_keeps_the_sign():
    np.testing.assert_allclose(SignedLog().fit_transform(np.array([[-np.e + 1], [0.0], [np.e - 1]])), [[-1], [0], [1]])


def test_frequency_encoder_maps_categories_to_their_training_share():
    encoder = FrequencyEncoder().fit(pd.DataFrame({"c": ["a", "a", "b", "a"]}))
    np.testing.assert_allclose(encoder.transform(pd.DataFrame({"c": ["a", "b", "z"]})).ravel(), [0.75, 0.25, 0.0])


def test_rare_level_grouper_groups_rare_and_unseen_levels():
    grouper = RareLevelGrouper(min_share=0.2).fit(pd.DataFrame({"c": ["a"] * 9 + ["b"]}))
    assert grouper.transform(pd.DataFrame({"c": ["a", "b", "new"]})).ravel().tolist() == ["a", "rare", "rare"]


def test_date_parts_learn_the_format_and_fill_unreadable_dates():
    frame = pd.DataFrame({"opened": ["31/01/2015", "01/02/2015", None, "not a date"]})
    parts = DateParts().fit(frame)
    assert parts.formats_ == ["%d/%m/%Y"]
    out = parts.transform(frame)
    assert out[0, :3].tolist() == [2015, 1, 31] and out[1, 5] == 1.0  # one day after the first date
    assert not np.isnan(out).any()
    assert parts.get_feature_names_out()[0] == "opened_year"


def test_text_features_count_words_and_accept_missing_text():
    texts = pd.Series(["fast reply", "slow reply", None, "fast fix"], name="note")
    features = TextFeatures(min_df=1).fit(texts)
    assert features.transform(texts).shape == (4, 4)
    assert list(features.get_feature_names_out()) == ["note_fast", "note_fix", "note_reply", "note_slow"]
