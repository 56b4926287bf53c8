"""Pipewright's `train` against a hand-written scikit-learn script doing the same work, alternately, in one run.

Both: the generated churn table (numeric, categorical and missing values), a stratified 80/20 split,
5-fold stratified CV on the 80%, median fill + scaling for numbers, most-frequent fill + one-hot for
categories, the three default models (or those named with --models) plus the dummy baseline, every fold
of each (racing off), six metrics per fold, then a final fit scored on the 20%. The hand-written side is
what a data scientist would write: one pipeline per model, `cross_validate(n_jobs=-1)`. Prints each
timing, the ratio of the medians and the largest difference between the two sides' CV scores (they must
be identical).
Run: `make bench` (or `python -m benchmarks.train_vs_sklearn --rows 50000 --rounds 2
[--models hist_gradient_boosting]`).
"""

import argparse
import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pipeline_core.data.samples import make_churn
from pipeline_core.spec import default_spec
from pipeline_core.train.supervised import train

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


def hand_written(frame, keys: list[str]) -> tuple[float, dict[str, float]]:
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
        "random_forest": RandomForestClassifier(n_estimators=100, random_state=42, n_jobs=1),
        "hist_gradient_boosting": HistGradientBoostingClassifier(random_state=42),
    }
    models = {key: model for key, model in models.items() if key in ["dummy", *keys]}
    folds = StratifiedKFold(5, shuffle=True, random_state=42)
    scores = {}
    for key, model in models.items():
        pipeline = Pipeline([("prepare", prepare), ("model", model)])
        found = cross_validate(pipeline, X_train, y_train, cv=folds, scoring=SCORING, n_jobs=-1)
        scores[key] = float(np.mean(found["test_roc_auc"]))
        pipeline.fit(X_train, y_train).score(X_test, y_test)
    return time.perf_counter() - start, scores


def engine(frame, keys: list[str]) -> tuple[float, dict[str, float]]:
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    onehot = {"kind": "onehot_encoder", "params": {"max_categories": 20}}
    spec = spec.replace(
        models=[{"kind": key} for key in keys],
        preprocessing={"categorical": [{"kind": "categorical_imputer"}, onehot]},
        evaluation={"racing": False},
    )
    start = time.perf_counter()
    result = train(spec, frame)
    seconds = time.perf_counter() - start
    return seconds, {m.key: float(np.mean(m.cv_scores["roc_auc"])) for m in result.models}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--models", default="logistic_regression,random_forest,hist_gradient_boosting")
    args = parser.parse_args()
    keys = args.models.split(",")
    frame = make_churn(n_rows=args.rows)
    # The hand-written side in a process of its own (timed inside it): its joblib workers and the engine's
    # would otherwise share loky's one reusable executor.
    plain = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    plain.submit(hand_written, frame.head(2000), keys).result()  # warm the worker pool and imports for both sides
    engine(frame.head(2000), keys)
    ours, theirs, gap = [], [], 0.0
    for round_ in range(1, args.rounds + 1):
        seconds, engine_scores = engine(frame, keys)
        ours.append(seconds)
        seconds, plain_scores = plain.submit(hand_written, frame, keys).result()
        theirs.append(seconds)
        gap = max(gap, *(abs(engine_scores[key] - plain_scores[key]) for key in plain_scores))
        print(f"round {round_}: pipewright {ours[-1]:.2f} s, hand-written scikit-learn {theirs[-1]:.2f} s")  # noqa: T201
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(  # noqa: T201
        f"rows={args.rows:,}: pipewright/hand-written = {ratio:.2f}x (medians); "
        f"largest CV ROC AUC difference between the two: {gap:.2e}"
    )
    plain.shutdown()


if __name__ == "__main__":
    main()
