"""The leaderboard: models ranked by the primary metric's CV mean, for the page and the CLI.

Works on anything shaped like a model result (the engine's, or the stored read model):
`label`, `status`, `is_baseline`, `cv_scores`, `test_scores`, `fit_seconds`.
"""

import math

import numpy as np
import pandas as pd

from pipeline_core.evaluate import METRICS


def cv_mean(result, metric: str) -> float:
    values = [v for v in result.cv_scores.get(metric, []) if v is not None and not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def cv_std(result, metric: str) -> float:
    values = [v for v in result.cv_scores.get(metric, []) if v is not None and not math.isnan(v)]
    return float(np.std(values)) if values else float("nan")


def ranked(results: list, metric: str) -> list:
    """Succeeded models best first by CV mean of `metric`; the rest after, in their order."""
    sign = METRICS[metric].sign
    scored = [r for r in results if r.status == "succeeded" and not math.isnan(cv_mean(r, metric))]
    scored.sort(key=lambda r: -sign * cv_mean(r, metric))
    return scored + [r for r in results if r not in scored]


def best(results: list, metric: str):
    """The best succeeded model by CV mean of `metric`, or None."""
    top = ranked(results, metric)
    return top[0] if top and top[0].status == "succeeded" else None


def leaderboard(results: list, metric: str) -> pd.DataFrame:
    """One row per model: CV 'mean ± std' per metric, held-out test scores, fit time, status."""
    task = METRICS[metric].task
    metrics = [metric] + [m.key for m in METRICS.values() if m.task == task and m.key != metric]
    if task == "clustering":
        return _cluster_board(results, metrics)
    rows = []
    for rank, result in enumerate(ranked(results, metric), start=1):
        row = {
            "#": str(rank) if result.status == "succeeded" else "–",
            "Model": result.label,
            "Status": result.status,
        }
        for key in metrics:  # the primary metric first, CV then test, so it reads left to right
            mean, std = cv_mean(result, key), cv_std(result, key)
            row[f"CV {METRICS[key].label}"] = "–" if math.isnan(mean) else f"{mean:.3f} ± {std:.3f}"
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
        row["Groups"] = len(result.curves.get("groups", []))
        row["Fit time (s)"] = result.fit_seconds
        rows.append(row)
    return pd.DataFrame(rows)
