"""How long a run will take, said before it starts: each model timed on a small probe of the data,
scaled to the rows and fits the run will do."""

import os
import time
from dataclasses import dataclass

from sklearn.base import clone

from pipeline_core.build import build_preparation
from pipeline_core.catalog import get_model, number_repeats
from pipeline_core.spec import ModelSpec, PipelineSpec
from pipeline_core.train import LEARNING_SHARES, check_trainable
from pipeline_core.tuning import candidates_for

PROBE_ROWS = 400


@dataclass(frozen=True)
class Estimate:
    seconds: float
    rows_per_fit: int
    fits: int  # per model: every fold of every repeat, plus the final fit
    per_model: dict[str, float]  # model key → estimated seconds of all its fits, before sharing the cores

    def describe(self) -> str:
        cores = os.cpu_count() or 1
        return (
            f"about {duration(self.seconds)} (rough: each model timed on {PROBE_ROWS} rows, scaled to "
            f"{self.rows_per_fit:,} rows × {self.fits} fits on {cores} core{'s' if cores > 1 else ''})"
        )


def estimate(spec: PipelineSpec, frame) -> Estimate:
    """Time the preparation and each model once on a probe sample; extrapolate by each model's growth
    with rows (linear for most, quadratic for kernels and neighbours).

    Raises:
        DataError, SpecError: as training would, before anything is timed.
    """
    frame, schema = check_trainable(spec, frame)
    evaluation = spec.evaluation
    probe = frame.sample(min(PROBE_ROWS, len(frame)), random_state=0)
    X, y = probe[list(schema)], probe[spec.data.target]
    folds = evaluation.cv_folds
    clustering = spec.data.task == "clustering"  # one fit per model on every row
    rows = len(frame) if clustering else int(len(frame) * (1 - evaluation.test_size) * (folds - 1) / folds)
    fits = 1 if clustering else folds * evaluation.cv_repeats + 1
    growth = rows / len(probe)

    start = time.perf_counter()
    prepared = build_preparation(spec, frame).fit_transform(X, y)
    preparation = (time.perf_counter() - start) * growth * fits
    per_model = {}
    for key, model in zip(number_repeats([m.kind for m in spec.models]), spec.models, strict=True):
        kind = get_model(model.kind)
        estimator = clone(kind.build(model.params, spec.data.task, evaluation.seed))
        start = time.perf_counter()
        if clustering:
            estimator.fit_predict(prepared)
        else:
            estimator.fit(prepared, y).predict(prepared)
        per_fit = (time.perf_counter() - start) * growth**kind.time_exponent
        per_model[key] = per_fit * (fits * _fits_per_search(model, spec) + _extra_final_fits(spec))
    total = (preparation + sum(per_model.values())) / (os.cpu_count() or 1)
    return Estimate(total, rows, fits, per_model)


def _fits_per_search(model: ModelSpec, spec: PipelineSpec) -> int:
    """The fits behind one of a model's fits: a tuned model fits every candidate on every inner fold and
    the best once more; threshold tuning fits the model on 5 inner folds and once more."""
    fits = 1
    if model.tuning is not None:
        tuning = model.tuning.model_dump()
        grid = tuning["method"] == "grid"
        candidates = len(candidates_for(model.kind, tuning, 0, spec.data.task)) if grid else tuning["trials"]
        fits = candidates * tuning["inner_folds"] + 1
    return fits * 6 if spec.evaluation.tune_threshold else fits


def _extra_final_fits(spec: PipelineSpec) -> float:
    """Learning curves refit the final model on growing shares of its rows."""
    return sum(LEARNING_SHARES) if spec.evaluation.learning_curve else 0.0


def duration(seconds: float) -> str:
    """Seconds in the unit a person would say."""
    if seconds < 60:
        return f"{max(seconds, 1):.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 3600 else f"{seconds / 3600:.1f} h"
