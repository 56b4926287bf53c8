"""Pipewright's `train` against a hand-written scikit-learn script doing the same work, alternately, in one run.

Both: the generated churn table (numeric, categorical and missing values), a stratified 80/20 split,
5-fold stratified CV on the 80%, median fill + scaling for numbers, most-frequent fill + one-hot for
categories, the three default models plus the dummy baseline, six metrics per fold, then a final fit
scored on the 20%. The hand-written side is what a data scientist would write: one pipeline per
model, `cross_validate(n_jobs=-1)`. Prints each timing, the ratio of the medians and the largest
difference between the two sides' CV scores (they must be identical).
Run: `make bench` (or `python -m benchmarks.train_vs_sklearn --rows 50000 --rounds 2`).
"""

import argparse
import statistics
import time

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pipeline_core.samples import make_churn
from pipeline_core.spec import default_spec
from pipeline_core.train import train

NUMERIC = ["tenure_months", "monthly_charges", "total_charges", "support_calls"]
CATEGORICAL = ["contract", "internet_service", "payment_method", "senior_citizen"]
SCORING = {
    "balanced_accuracy": "balanced_accuracy",
    "accuracy": "accuracy",
    "f1": "f1_macro",
    "precision": "precision_macro",
    "recall": "recall_macro",
    "roc_auc": "roc_auc",
}


def hand_written(frame) -> tuple[float, dict[str, float]]:
    """The plain scikit-learn script; returns its wall time and each model's mean CV ROC AUC."""
    start = time.perf_counter()
    X, y = frame[NUMERIC + CATEGORICAL], frame["churn"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
    prepare = ColumnTransformer(
        [
            ("numeric", Pipeline([("fill", SimpleImputer(strategy="median")), ("scale", StandardScaler())]), NUMERIC),
            (
                "categorical",
                Pipeline(
                    [
                        ("fill", SimpleImputer(strategy="most_frequent")),
                        (
                            "onehot",
                            OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=20, sparse_output=False),
                        ),
                    ]
                ),
                CATEGORICAL,
            ),
        ],
        sparse_threshold=0,
    )
    models = {
        "dummy": DummyClassifier(strategy="prior"),
        "logistic_regression": LogisticRegression(max_iter=1000, random_state=42),
        "random_forest": RandomForestClassifier(n_estimators=200, random_state=42, n_jobs=1),
        "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=42),
    }
    folds = StratifiedKFold(5, shuffle=True, random_state=42)
    scores = {}
    for key, model in models.items():
        pipeline = Pipeline([("prepare", prepare), ("model", model)])
        found = cross_validate(pipeline, X_train, y_train, cv=folds, scoring=SCORING, n_jobs=-1)
        scores[key] = float(np.mean(found["test_roc_auc"]))
        pipeline.fit(X_train, y_train).score(X_test, y_test)
    return time.perf_counter() - start, scores


def engine(frame) -> tuple[float, dict[str, float]]:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    start = time.perf_counter()
    result = train(spec, frame)
    seconds = time.perf_counter() - start
    return seconds, {m.key: float(np.mean(m.cv_scores["roc_auc"])) for m in result.models}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    frame = make_churn(n_rows=args.rows)
    hand_written(frame.head(2000))  # warm the worker pool and imports for both sides
    engine(frame.head(2000))
    ours, theirs, gap = [], [], 0.0
    for round_ in range(1, args.rounds + 1):
        seconds, engine_scores = engine(frame)
        ours.append(seconds)
        seconds, plain_scores = hand_written(frame)
        theirs.append(seconds)
        gap = max(gap, *(abs(engine_scores[key] - plain_scores[key]) for key in plain_scores))
        print(f"round {round_}: pipewright {ours[-1]:.2f} s, hand-written scikit-learn {theirs[-1]:.2f} s")  # noqa: T201
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(  # noqa: T201
        f"rows={args.rows:,}: pipewright/hand-written = {ratio:.2f}x (medians); "
        f"largest CV ROC AUC difference between the two: {gap:.2e}"
    )


if __name__ == "__main__":
    main()
