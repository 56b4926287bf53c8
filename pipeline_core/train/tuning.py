"""Hyperparameter search as one estimator: fitting it searches on the rows it is given, then refits the best.

Because the search is the model, training runs it inside each outer cross-validation fold on that
fold's training rows: the outer scores are nested cross-validation, never seen by the search. The
candidates are the catalog's form parameters (a tree's "0 = no limit", a network's neurons and
layers), built through the catalog exactly as an untuned model is.
"""

import math
from typing import Any

import numpy as np
import optuna
from sklearn.base import BaseEstimator, clone
from sklearn.experimental import enable_halving_search_cv  # noqa: F401 - makes HalvingGridSearchCV importable
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, ParameterGrid, ParameterSampler
from sklearn.utils import ClassifierTags, RegressorTags
from sklearn.utils.metaestimators import available_if

from pipeline_core.catalog import BASELINE, Task, get_model
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.catalog.schemes import SCHEMES
from pipeline_core.train.evaluate import predict


class _CatalogWrapper(BaseEstimator):
    """What both wrappers share: they are a classifier or a regressor as their task says, so that
    scikit-learn (threshold tuning, scorers) treats them as the model they wrap, and they predict with
    the plain fitted model they hold in `model_`."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.task == "classification":
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        elif self.task == "regression":
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        return tags

    def predict(self, X):
        return self.model_.predict(X)

    @available_if(lambda self: _offers(self, "predict_proba"))
    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    @available_if(lambda self: _offers(self, "decision_function"))
    def decision_function(self, X):
        return self.model_.decision_function(X)


def _offers(wrapper, method: str) -> bool:
    """Whether the catalog model behind a wrapper has `method`, asked of an unfitted build so that a
    wrapper can answer before it is fitted (scikit-learn's threshold tuning asks then)."""
    kind = get_model(wrapper.kind)
    return hasattr(kind.build(kind.validate_params(wrapper.params or {}), wrapper.task, wrapper.seed), method)


class CatalogModel(_CatalogWrapper):
    """A catalog model kind as an estimator whose parameters are the form's, so a search can set them."""

    def __init__(self, kind: str = BASELINE, task: Task = "classification", seed: int = 0, params: dict | None = None):
        self.kind, self.task, self.seed, self.params = kind, task, seed, params

    def fit(self, X, y):
        kind = get_model(self.kind)
        self.model_ = kind.build(kind.validate_params(self.params or {}), self.task, self.seed).fit(X, y)
        if hasattr(self.model_, "classes_"):
            self.classes_ = self.model_.classes_
        return self


class TunedModel(_CatalogWrapper):
    """Search a catalog model's parameters by inner cross-validation, then refit the best on all rows.

    After fitting: `best_params_`, `model_` (the plain scikit-learn estimator, for export) and
    `trials_`: each candidate's parameters and inner-CV score in the metric's own units.
    """

    def __init__(
        self,
        kind: str = BASELINE,
        task: Task = "classification",
        seed: int = 0,
        params: dict | None = None,
        tuning: dict | None = None,
        metric: str = "balanced_accuracy",
        average: str = "macro",
        scheme: str = "stratified",
    ):
        self.kind, self.task, self.seed, self.params = kind, task, seed, params
        self.tuning, self.metric, self.average, self.scheme = tuning, metric, average, scheme

    def fit(self, X, y):
        tuning, base = self.tuning or {}, CatalogModel(self.kind, self.task, self.seed)
        inner = inner_folds(self.task, self.scheme, tuning.get("inner_folds", 3), self.seed)
        if tuning.get("method", "optuna") == "optuna":
            self.trials_, self.best_params_ = self._optuna(X, y, base, inner)
        else:
            self.trials_, self.best_params_ = self._scikit_learn_search(X, y, base, inner)
        fitted = clone(base).set_params(params=self._full(self.best_params_)).fit(X, y)
        self.model_ = fitted.model_
        if hasattr(fitted, "classes_"):
            self.classes_ = fitted.classes_
        return self

    def _full(self, tried: dict) -> dict:
        return (self.params or {}) | tried

    def _score(self, estimator, X, y) -> float:
        """The ranking metric, signed so that greater is better, as scikit-learn's searches expect."""
        sign = METRICS[self.metric].sign
        return sign * METRICS[self.metric].compute(predict(estimator, X, y), self.average)

    def _scikit_learn_search(self, X, y, base, inner) -> tuple[list[dict], dict]:
        tuning = self.tuning or {}
        candidates = candidates_for(self.kind, tuning, self.seed, self.task)
        search_class = HalvingGridSearchCV if tuning.get("method") == "halving" else GridSearchCV
        options = (
            {"random_state": self.seed, "min_resources": "smallest"} if search_class is HalvingGridSearchCV else {}
        )
        search = search_class(
            base,
            {"params": [self._full(candidate) for candidate in candidates]},
            scoring=self._score,
            cv=inner,
            refit=False,
            error_score=np.nan,
            **options,
        )
        search.fit(X, y)
        sign = METRICS[self.metric].sign
        results = search.cv_results_
        first_round = np.asarray(results.get("iter", np.zeros(len(results["params"])))) == 0
        trials = []  # every candidate once, as scored on the first round's rows (halving adds rows later)
        for index in np.flatnonzero(first_round):
            score = results["mean_test_score"][index]
            tried = {name: results["params"][index]["params"][name] for name in candidates[0]}
            trials.append({"params": tried, "score": None if math.isnan(score) else sign * float(score)})
        best = {name: search.best_params_["params"][name] for name in candidates[0]}
        return trials, best

    def _optuna(self, X, y, base, inner) -> tuple[list[dict], dict]:
        tuning = self.tuning or {}
        kind = get_model(self.kind)
        space = {param.name: (param, tuning["space"][param.name]) for param in kind.tunable(self.task)}
        splits = list(inner.split(X, y))
        sign = METRICS[self.metric].sign

        def objective(trial: optuna.Trial) -> float:
            tried = {name: param.suggest(trial, values) for name, (param, values) in space.items()}
            scores = []
            for step, (fit_rows, score_rows) in enumerate(splits):
                model = clone(base).set_params(params=self._full(tried))
                model.fit(_rows(X, fit_rows), _rows(y, fit_rows))
                scores.append(self._score(model, _rows(X, score_rows), _rows(y, score_rows)))
                trial.report(float(np.mean(scores)), step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return float(np.mean(scores))

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize",
            # TPE guesses from the trials so far after a random start: a quarter of the budget, at least 3
            sampler=optuna.samplers.TPESampler(seed=self.seed, n_startup_trials=max(3, tuning.get("trials", 20) // 4)),
            pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1),
        )
        study.optimize(  # a candidate that fails is recorded as failed, like the grid's NaN scores
            objective, n_trials=tuning.get("trials", 20), timeout=tuning.get("seconds"), catch=(ValueError,)
        )
        trials = [
            {
                "params": trial.params,
                "score": sign * trial.value if trial.state == optuna.trial.TrialState.COMPLETE else None,
            }
            for trial in study.trials
        ]
        return trials, study.best_params


def inner_folds(task: Task, scheme: str, folds: int, seed: int):
    """The folds a search inside an outer fold of `scheme` uses, as the catalog's scheme says: in time order
    for a time-series scheme, else shuffled, stratified for classes."""
    return SCHEMES[scheme].inner_folds(folds, seed, task)


def _rows(data, index):
    return data.iloc[index] if hasattr(data, "iloc") else data[index]


def candidates_for(kind_key: str, tuning: dict, seed: int, task: Task | None = None) -> list[dict]:
    """The parameter sets a grid, random or halving search tries: a grid of GRID_POINTS per number, or
    `trials` draws (log-uniform where the parameter is on a log scale)."""
    kind = get_model(kind_key)
    space = {param.name: (param, tuning["space"][param.name]) for param in kind.tunable(task)}
    if tuning.get("method") == "grid":
        grid = {name: param.grid(values) for name, (param, values) in space.items()}
        return list(ParameterGrid(grid))
    distributions = {name: param.draws(values) for name, (param, values) in space.items()}
    drawn = ParameterSampler(distributions, n_iter=tuning.get("trials", 20), random_state=seed)
    return [{name: _native(value) for name, value in candidate.items()} for candidate in drawn]


def _native(value: Any) -> Any:
    """numpy scalars from the samplers as plain Python, so the spec's validation and JSON take them."""
    return value.item() if isinstance(value, np.generic) else value


def parameter_importance(
    kind_key: str, task: Task, tuning: dict, trials: list[dict], greater_is_better: bool
) -> dict[str, float]:
    """Each parameter's share of the variation in score across the trials (Optuna's PED-ANOVA), whatever
    the search method; empty when too few trials finished to say."""
    kind = get_model(kind_key)
    distributions = {param.name: param.optuna_distribution(tuning["space"][param.name]) for param in kind.tunable(task)}
    finished = [trial for trial in trials if trial["score"] is not None]
    if len(finished) < 4 or len(distributions) < 2:
        return {}
    study = optuna.create_study(direction="maximize" if greater_is_better else "minimize")
    for trial in finished:
        study.add_trial(
            optuna.trial.create_trial(params=trial["params"], distributions=distributions, value=trial["score"])
        )
    try:
        return {name: float(share) for name, share in optuna.importance.get_param_importances(study).items()}
    except (RuntimeError, ValueError):  # every trial scored the same: nothing to apportion
        return {}
