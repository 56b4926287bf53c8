"""What a training run produced, as every later stage reads it: typed results and their ranking."""

import getpass
import math
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.train.curves import Curves
from pipeline_core.train.parallel import computed_on

ModelStatus = Literal["succeeded", "failed", "cancelled", "stopped"]


@dataclass
class TrainedModel:
    """One model's outcome: per-fold CV scores, held-out test scores and the fitted pipeline."""

    key: str
    kind: str
    label: str
    is_baseline: bool
    status: ModelStatus = "succeeded"
    error: str | None = None
    cv_scores: dict[str, list[float | None]] = field(default_factory=dict)
    test_scores: dict[str, float] = field(default_factory=dict)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    curves: Curves = field(default_factory=Curves)
    n_groups: int | None = None  # clustering: the groups it formed (noise, if any, as one)
    model_file: bytes | None = None  # the pipeline fitted on the whole training part, as skops bytes


@dataclass
class TrainResult:
    status: Literal["succeeded", "cancelled", "failed"]
    primary_metric: str
    models: list[TrainedModel]
    n_train: int
    n_test: int
    error: str | None = None  # why the run failed


def finished(status: str, primary_metric: str, models: list[TrainedModel], n_train: int, n_test: int) -> TrainResult:
    """The result of a run that went to its end (or was cancelled). One in which no model it was asked for
    succeeded (each failed, or was stopped) has failed, the baseline alone being only a reference; its error
    gives the first reason."""
    wanted = [m for m in models if not m.is_baseline] or models
    error = None
    if status == "succeeded" and not any(m.status == "succeeded" for m in wanted):
        first = next((m for m in wanted if m.error), None)
        what = "Every model failed" if all(m.status == "failed" for m in wanted) else "No model went the whole way"
        status, error = "failed", what + (f". {first.label}: {first.error}" if first else ".")
    return TrainResult(status, primary_metric, models, n_train, n_test, error)


class TrainObserver(Protocol):
    """What a caller hears while training runs (the UI and CLI record it in the database)."""

    def on_start(self, n_train: int, n_test: int) -> None: ...

    def on_progress(self, done: float, total: float, message: str) -> None:
        """`done` of `total` work, in one unit (seconds of fitting, or groupings formed), and what just ended."""

    def should_stop(self) -> bool: ...

    def on_model_finished(self, result: TrainedModel) -> None: ...

    def on_model_file(self, result: TrainedModel) -> None:
        """The file of a model already finished, made last: the run's best (the lead changed after its fit)."""

    def on_fold_scores(self, scores: dict[str, list[float | None]]) -> None:
        """Each model's cross-validation scores so far (by label, in the ranking metric, folds in the order
        done), after every fold: what a page shows while the run goes on."""


class SilentObserver:
    def on_start(self, n_train: int, n_test: int) -> None:
        pass

    def on_progress(self, done: float, total: float, message: str) -> None:
        pass

    def should_stop(self) -> bool:
        return False

    def on_model_finished(self, result: TrainedModel) -> None:
        pass

    def on_model_file(self, result: TrainedModel) -> None:
        pass

    def on_fold_scores(self, scores: dict[str, list[float | None]]) -> None:
        pass


# Recorded with the versions, but where a run happened rather than what it ran with.
WHERE = ("machine", "computed on", "started by")


def library_versions() -> dict[str, Any]:
    """The versions that decide whether a run can be reproduced exactly, and the machine and user it ran as."""
    return {
        "python": platform.python_version(),
        "scikit-learn": metadata.version("scikit-learn"),  # read, not imported: storage imports this module
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "joblib": metadata.version("joblib"),
        "skops": metadata.version("skops"),  # read, not imported: neither is needed to train
        "optuna": metadata.version("optuna"),
        "machine": f"{platform.node()} ({platform.platform()}, {os.cpu_count()} cores)",
        "computed on": computed_on(),
        "started by": getpass.getuser(),
    }


def cv_mean(result, metric: str) -> float:
    values = [v for v in result.cv_scores.get(metric, []) if v is not None and not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def cv_std(result, metric: str) -> float:
    values = [v for v in result.cv_scores.get(metric, []) if v is not None and not math.isnan(v)]
    return float(np.std(values)) if values else float("nan")


# Models with cross-validation scores: those that went the whole way, and those the race stopped on the way.
SCORED = ("succeeded", "stopped")


def ranked(results: list, metric: str) -> list:
    """Scored models best first by CV mean of `metric`; the rest after, in their order."""
    sign = METRICS[metric].sign
    scored = [r for r in results if r.status in SCORED and not math.isnan(cv_mean(r, metric))]
    scored.sort(key=lambda r: -sign * cv_mean(r, metric))
    return scored + [r for r in results if r not in scored]


def best(results: list, metric: str):
    """The best model by CV mean of `metric` among those that went the whole way (tested, with a file), or None."""
    return next((r for r in ranked(results, metric) if r.status == "succeeded"), None)


def folds_done(result) -> int:
    """How many folds the model was scored on (fewer than the run's when the race stopped it)."""
    return sum(value is not None for value in next(iter(result.cv_scores.values()), []))


def folds_planned(result) -> int:
    """How many folds the run had for the model (none for a model stopped or failed before its first)."""
    return len(next(iter(result.cv_scores.values()), []))
