"""Pipewright's `train` against the plain scikit-learn way of doing the same work, in one run.

The same models, preprocessing, 5-fold CV on an 80% split, four metrics per fold, a final fit and
a test score, on the generated churn table scaled up. Prints wall time of each and their ratio.
Run: `make bench` (or `python -m benchmarks.train_vs_sklearn --rows 20000`).
"""

import argparse
import time

from sklearn.model_selection import StratifiedKFold, cross_validate, train_test_split

from pipeline_core.build import build_pipeline, feature_schema
from pipeline_core.samples import make_churn
from pipeline_core.spec import default_spec
from pipeline_core.train import train

SCORING = ["balanced_accuracy", "accuracy", "f1", "precision", "recall", "roc_auc"]


def plain_sklearn(spec, frame) -> float:
    X, y = frame[list(feature_schema(spec, frame))], frame[spec.data.target]
    start = time.perf_counter()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42, stratify=y)
    folds = StratifiedKFold(5, shuffle=True, random_state=42)
    for model in [*spec.models, type(spec.models[0])(kind="dummy")]:
        pipeline = build_pipeline(spec, frame, model)
        cross_validate(pipeline, X_train, y_train, cv=folds, scoring=SCORING, n_jobs=-1)
        pipeline.fit(X_train, y_train).score(X_test, y_test)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    rows = parser.parse_args().rows
    frame = make_churn(n_rows=rows)
    spec = default_spec(target="churn", task="classification")
    plain_sklearn(spec, frame.head(500))  # warm the worker pool for both
    start = time.perf_counter()
    train(spec, frame)
    ours = time.perf_counter() - start
    theirs = plain_sklearn(spec, frame)
    print(f"rows={rows} models={[m.kind for m in spec.models]} + dummy, 5-fold CV + test")  # noqa: T201
    print(f"pipewright train: {ours:.2f} s   plain scikit-learn: {theirs:.2f} s   ratio: {ours / theirs:.2f}x")  # noqa: T201


if __name__ == "__main__":
    main()
