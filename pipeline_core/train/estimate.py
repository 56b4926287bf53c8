"""How long a run will take and how much memory it needs, said before it starts: each model timed and
weighed on two small samples of the data, scaled to the rows and fits the run will do."""

import math
import os
import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
from joblib import parallel_config
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from pipeline_core.catalog import get_model, number_repeats, numbered_label
from pipeline_core.errors import SpecError
from pipeline_core.prepare.build import build_preparation
from pipeline_core.prepare.rows import check_trainable
from pipeline_core.spec import ModelSpec, PipelineSpec
from pipeline_core.train.parallel import cores, threads_per_task, workers_for
from pipeline_core.train.race import RACE_MIN_FOLDS
from pipeline_core.train.supervised import LEARNING_SHARES
from pipeline_core.train.tuning import candidates_for
from pipeline_core.words import counted

PROBE_ROWS = 400
START_SECONDS = 3.0  # imports, the worker processes, the folds written and the results stored, before any fit
# Fitting a model takes as much memory again as the fitted model (the tree builder's growing arrays), and the
# best model's file is one more copy.
MODEL_COPIES = 3
FREE_SHARE = 0.8  # of the memory free now, what a run may plan to use: the rest is for everyone else
GUARD_ROWS = 10_000  # below this no catalog model can outgrow a machine's memory: the guard does not probe
GUARD_PROBE_ROWS = 100
SLOW_SECONDS = 30 * 60  # a model that alone takes this long, most of its run, is worth a warning


@dataclass(frozen=True)
class Estimate:
    seconds: float  # every model on every fold
    rows_per_fit: int
    fits: int  # per model: every fold of every repeat, plus the final fit
    per_model: dict[str, float]  # model key → estimated seconds of all its fits, before sharing the cores
    memory: "Memory"
    fastest: float | None = None  # with racing: every model but the cheapest stopped as soon as it can be

    @property
    def likely(self) -> float:
        """The one figure to expect: with racing, the middle of the range (on a log scale, as the range spans
        a factor), since how many models the race stops is known only once they have run."""
        return math.sqrt(self.fastest * self.seconds) if self.fastest else self.seconds

    def describe(self) -> str:
        longest, shortest = duration(self.seconds), duration(self.fastest or self.seconds)
        span = f" ({shortest} to {longest}: the more models the race stops, the sooner)" if shortest != longest else ""
        return (
            f"about {duration(self.likely)}{span}, using about {size(self.memory.peak)} of memory (rough: each "
            f"model timed on samples of {PROBE_ROWS} and {PROBE_ROWS * 4:,} rows, scaled to "
            f"{self.rows_per_fit:,} rows × {self.fits} fits on {counted(cores(), 'core')})"
        )

    def slow_model(self, spec: PipelineSpec) -> str | None:
        """A warning about the model that takes most of a long run (SLOW_SECONDS or more on its own)."""
        key = max(self.per_model, key=self.per_model.get)
        alone = self.per_model[key] / self.memory.workers
        if alone < SLOW_SECONDS or alone < self.seconds / 2:
            return None
        kind, label = _kind_and_label(spec, key)
        grows = "the square of the rows" if get_model(kind).time_exponent >= 2 else "the rows"
        return (
            f"{label} alone would take about {duration(alone)} on these rows (its time "
            f"grows with {grows}). Leave it out, give it a time budget (Validation), or train on fewer rows."
        )


@dataclass(frozen=True)
class Memory:
    peak: int  # bytes the run needs at once: its data in every process, and the largest models fitting together
    per_model: dict[str, int]  # model key → bytes its fitted model takes on all the training rows
    workers: int
    rows: int

    def check(self, spec: PipelineSpec, available: int | None) -> None:
        """Refuse a run that will not fit in `available` bytes (None: unknown, so allowed), naming the model
        that needs the most."""
        if available is None or self.peak <= available * FREE_SHARE:
            return
        key = max(self.per_model, key=self.per_model.get)
        _, label = _kind_and_label(spec, key)
        raise SpecError(
            f"This run would need about {size(self.peak)} of memory, and {size(available)} is free. The largest "
            f"model is {label}: about {size(self.per_model[key] * MODEL_COPIES)} while it is fitted on "
            f"{self.rows:,} rows, as its fitted model grows with the rows. Leave it out, limit it (a maximum "
            "depth, more rows per leaf, fewer trees), or train on fewer rows."
        )


def estimate(spec: PipelineSpec, frame: pd.DataFrame, *, probe_rows: int = PROBE_ROWS) -> Estimate:
    """Time the preparation and each model on two probe samples, and weigh each fitted model; extrapolate to the
    rows of the run as a fixed cost plus one that grows with the rows (linearly for most, with their square for
    kernels and neighbours), and the model's size by the power seen between the probes.

    Raises:
        DataError, SpecError: as training would, before anything is timed.
    """
    frame, schema = check_trainable(spec, frame)
    evaluation = spec.evaluation
    clustering = spec.data.task == "clustering"  # one fit per model on every row
    n_train = len(frame) if clustering else int(len(frame) * (1 - evaluation.test_size))
    rows = n_train if clustering else int(n_train * (evaluation.cv_folds - 1) / evaluation.cv_folds)
    folds = 0 if clustering else evaluation.cv_folds * evaluation.cv_repeats
    sample = frame.sample(min(probe_rows * 4, len(frame)), random_state=0)
    probes = [sample.iloc[: min(probe_rows, len(sample))], sample]
    preparation, prepared = Probe(), []
    for probe in probes:
        X, y = probe[list(schema)], probe[spec.data.target]
        start = time.perf_counter()
        prepared.append((build_preparation(spec, frame).fit_transform(X, y), y))
        preparation.add(len(probe), time.perf_counter() - start)
    per_model, raced, weights = {}, {}, {}
    workers = workers_for(n_train, len(spec.models) + 1)
    for key, model in zip(number_repeats(_kinds(spec)), spec.models, strict=True):
        kind, found = get_model(model.kind), Probe()
        for X, y in prepared:
            threads = threads_per_task(workers)
            with threadpool_limits(limits=threads), parallel_config("threading", n_jobs=threads):  # as in the run
                start = time.perf_counter()
                fitted = _fit(kind.build(model.params, spec.data.task, evaluation.seed), X, y, clustering)
                found.add(len(X), time.perf_counter() - start, len(pickle.dumps(fitted)))
        searches = _fits_per_search(model, spec)
        fold, final = (found.seconds_at(n, kind.time_exponent) for n in (rows, n_train))
        per_model[key] = searches * (folds * fold + final) + _extra_final_fits(spec) * final
        raced[key] = searches * RACE_MIN_FOLDS * fold  # the least a model fits before the race may stop it
        weights[key] = found.bytes_at(n_train)
    fixed = START_SECONDS + (folds + 1) * preparation.seconds_at(rows, 1.0) / workers
    memory = _memory(frame, prepared[-1][0], n_train, weights, workers)
    found = Estimate(fixed + sum(per_model.values()) / workers, rows, folds + 1, per_model, memory)
    if evaluation.racing and folds > RACE_MIN_FOLDS and len(per_model) > 1:
        winner = min(per_model, key=lambda key: per_model[key] - raced[key])
        fastest = sum(raced.values()) + per_model[winner] - raced[winner]
        found = replace(found, fastest=fixed + fastest / workers)
    return found


@dataclass
class Probe:
    """One model (or the preparation) timed and weighed on the probe samples, smaller first."""

    rows: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    def add(self, rows: int, seconds: float, size: int = 0) -> None:
        self.rows.append(rows)
        self.seconds.append(seconds)
        self.sizes.append(size)

    def seconds_at(self, rows: int, exponent: float) -> float:
        """A fixed cost (starting up, per-tree overheads) and one growing as rows ** exponent, through the two
        probes; the larger probe scaled alone when the table had rows for one only."""
        (small, large), (fast, slow) = self.rows, self.seconds
        if large <= small:
            return slow * (rows / large) ** exponent
        growing = max(slow - fast, 0.0) / (large**exponent - small**exponent)
        return max(slow - growing * large**exponent, 0.0) + growing * rows**exponent

    def bytes_at(self, rows: int) -> int:
        """The fitted model's size, grown from the larger probe by the power seen between the two (0 for a
        model whose size does not depend on the rows, 1 for trees grown until their leaves are pure)."""
        (small, large), (lighter, heavier) = self.rows, self.sizes
        power = 1.0 if large <= small else math.log(heavier / lighter) / math.log(large / small)
        return int(heavier * (rows / large) ** min(max(power, 0.0), 1.0))


def check_memory(spec: PipelineSpec, frame: pd.DataFrame) -> None:
    """Refuse, before anything is stored, a run that will not fit in the memory free now (a table too small
    to matter is not probed).

    Raises:
        DataError, SpecError: the spec cannot train on the rows, or will not fit in memory.
    """
    if len(frame) > GUARD_ROWS:  # sizes need smaller probes than times: a fitted model's size varies less
        estimate(spec, frame, probe_rows=GUARD_PROBE_ROWS).memory.check(spec, available_memory())


def available_memory() -> int | None:
    """Bytes the machine can give without swapping (the kernel's own figure), or None where it does not say."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return None


def _kinds(spec: PipelineSpec) -> list[str]:
    return [model.kind for model in spec.models]


def _kind_and_label(spec: PipelineSpec, key: str) -> tuple[str, str]:
    """The kind and label of the spec's model that the run keys `key` (a repeated kind is numbered)."""
    kind = dict(zip(number_repeats(_kinds(spec)), _kinds(spec), strict=True))[key]
    return kind, numbered_label(kind, key)


def _fit(estimator, X, y, clustering: bool):
    estimator = clone(estimator)
    if clustering:
        estimator.fit_predict(X)
    else:
        estimator.fit(X, y).predict(X)
    return estimator


def _memory(frame: pd.DataFrame, prepared, n_train: int, weights: dict[str, int], workers: int) -> Memory:
    """The table in this process, twice (the rows and their split); a prepared fold in each worker, twice (read
    from its file, and the copy a model makes); and the largest model fitting in every worker at once (a
    model's folds may run side by side)."""
    table = int(frame.memory_usage(deep=True).sum()) * 2
    width = prepared.shape[1] if prepared.ndim == 2 else 1
    folds = n_train * width * 8 * 2 * workers
    return Memory(table + folds + MODEL_COPIES * max(weights.values()) * workers, weights, workers, n_train)


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


def size(n_bytes: float) -> str:
    """Bytes in the unit a person would say."""
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes:.0f} bytes"
