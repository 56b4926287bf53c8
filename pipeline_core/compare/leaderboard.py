"""The leaderboard: models ranked by the primary metric's CV mean, for the page and the CLI.

Works on anything shaped like a model result (the engine's, or the stored read model):
`label`, `status`, `is_baseline`, `cv_scores`, `test_scores`, `fit_seconds`.
"""

import math

import pandas as pd

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.train.results import SCORED, cv_mean, cv_std, folds_done, folds_planned, ranked
from pipeline_core.words import score


def summary(results: list, metric: str) -> list[dict]:
    """The leaderboard's facts as plain data (ranked best first): each model's status, folds, CV mean and
    standard deviation per metric, held-out scores and fit time; `note` says why a model stopped or failed."""
    return [
        {
            "key": result.key,
            "label": result.label,
            "status": result.status,
            "folds_done": folds_done(result) if result.cv_scores else 0,
            "cv": {
                key: {"mean": _plain(cv_mean(result, key)), "std": _plain(cv_std(result, key))}
                for key in result.cv_scores
            },
            "test": {key: _plain(value) for key, value in result.test_scores.items()},
            "fit_seconds": round(result.fit_seconds, 4),
            "note": result.error,
        }
        for result in ranked(results, metric)
    ]


def _plain(value) -> float | None:
    """JSON has no NaN: an undefined score is null."""
    return None if value is None or math.isnan(value) else round(float(value), 6)


def leaderboard(results: list, metric: str) -> pd.DataFrame:
    """One row per model: CV 'mean ± std' per metric, held-out test scores, fit time, status."""
    task = METRICS[metric].task
    metrics = [metric] + [m.key for m in METRICS.values() if m.task == task and m.key != metric]
    if task == "clustering":
        return _cluster_board(results, metrics)
    rows = []
    n_folds = max(map(folds_planned, results), default=0)
    for rank, result in enumerate(ranked(results, metric), start=1):
        row = {
            "#": str(rank) if result.status in SCORED else "–",
            "Model": result.label,
            "Status": result.status,
            "Folds": f"{folds_done(result)} of {n_folds}",
        }
        for key in metrics:  # the primary metric first, CV then test, so it reads left to right
            mean, std = cv_mean(result, key), cv_std(result, key)
            row[f"CV {METRICS[key].label}"] = "–" if math.isnan(mean) else f"{score(mean)} ± {score(std)}"
            value = result.test_scores.get(key)
            row[f"Test {METRICS[key].label}"] = float("nan") if value is None else value
        row["Fit time (s)"] = result.fit_seconds
        row["Predict time (s)"] = result.predict_seconds
        rows.append(row)
    return pd.DataFrame(rows)


def _cluster_board(results: list, metrics: list[str]) -> pd.DataFrame:
    """Clustering has no folds: each score is one number, on every row (a sample for the silhouette)."""
    rows = []
    for rank, result in enumerate(ranked(results, metrics[0]), start=1):
        row = {"#": str(rank) if result.status == "succeeded" else "–", "Model": result.label, "Status": result.status}
        row |= {METRICS[key].label: cv_mean(result, key) for key in metrics}
        row["Groups"] = result.n_groups
        row["Fit time (s)"] = result.fit_seconds
        rows.append(row)
    return pd.DataFrame(rows)


def so_far(fold_scores: dict[str, list[float | None]], metric: str) -> pd.DataFrame:
    """While a run goes on: each model's ranking metric over the folds it has done, the best mean first."""
    rows = []
    for label, scores in fold_scores.items():
        done = pd.Series([s for s in scores if s is not None], dtype=float)
        rows.append(
            {
                "Model": label,
                "Folds done": len(scores),
                f"CV {METRICS[metric].label} so far": _so_far(done),
                "_mean": done.mean() if not done.empty else math.nan,
            }
        )
    board = pd.DataFrame(rows, columns=["Model", "Folds done", f"CV {METRICS[metric].label} so far", "_mean"])
    ascending = not METRICS[metric].greater_is_better
    return board.sort_values("_mean", ascending=ascending, na_position="last").drop(columns="_mean")


def _so_far(done: pd.Series) -> str:
    """A spread needs two folds: one fold's score reads alone, not as '± 0'."""
    if done.empty:
        return "–"
    return score(done.mean()) if len(done) == 1 else f"{score(done.mean())} ± {score(done.std())}"
