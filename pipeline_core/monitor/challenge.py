"""Champion or challenger: is the model better retrained with the new rows than as it is?

Both are scored on the same folds of the batch's labelled rows. The champion is the model as trained; the
challenger is the same pipeline and settings (a tuned decision threshold tuned again, as training does)
fitted, for each fold, on the training rows plus the batch's other folds, so neither ever scores a row it
learned from. The difference is judged by the corrected resampled t-test the Compare page uses, since the
challenger's training rows overlap from fold to fold.
"""

import numpy as np
import pandas as pd
from pydantic import BaseModel
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from pipeline_core.catalog import number_repeats
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.errors import DataError
from pipeline_core.monitor.check import Reference, batch_labels
from pipeline_core.prepare.build import build_preparation
from pipeline_core.spec import ModelSpec, PipelineSpec
from pipeline_core.train.evaluate import predict
from pipeline_core.train.race import corrected_t_test, fold_size_ratio, p_value_text
from pipeline_core.train.supervised import estimator

FOLDS = 5
SIGNIFICANT = 0.05


class Duel(BaseModel):
    metric: str
    champion: list[float]  # per fold of the batch's labelled rows
    challenger: list[float]
    difference: float  # challenger minus champion, in the metric's direction (above 0: the challenger is better)
    p_value: float

    @property
    def challenger_wins(self) -> bool:
        return self.difference > 0 and self.p_value < SIGNIFICANT

    def sentence(self) -> str:
        label = METRICS[self.metric].label
        means = (
            f"{label} {np.mean(self.challenger):.3f} against {np.mean(self.champion):.3f}, {p_value_text(self.p_value)}"
        )
        if self.challenger_wins:
            return f"Retrained with the new rows, the model does better on them ({means})."
        if self.difference < 0 and self.p_value < SIGNIFICANT:
            return f"Retrained with the new rows, the model does worse on them ({means})."
        return (
            f"Retraining with the new rows makes no clear difference on them ({means}): "
            "keep the current model unless the drift worries you."
        )


def duel(
    spec: PipelineSpec,
    frame: pd.DataFrame,
    champion,
    model_key: str,
    batch: pd.DataFrame,
    *,
    params: dict | None = None,
) -> Duel:
    """The champion (a fitted pipeline) against the same model retrained with the batch, fold by fold.

    Args:
        params: the settings the challenger is fitted with, when they differ from the spec's (a search's choice,
            kept rather than searched again on every fold).

    Raises:
        DataError: too few labelled rows in the batch, or too few of a class to score every fold.
    """
    reference = Reference.of(spec, frame)
    target, metric = spec.data.target, METRICS[spec.ranking_metric]
    labelled = batch.assign(**{target: batch_labels(spec, batch)}).dropna(subset=[target]).reset_index(drop=True)
    if len(labelled) < 2 * FOLDS:
        raise DataError(f"The champion and challenger are compared on at least {2 * FOLDS} labelled new rows.")
    model = _model_spec(spec, model_key)
    model = model.model_copy(update={"params": model.params | (params or {}), "tuning": None})
    preparation = build_preparation(spec, reference.training)
    champion_scores, challenger_scores = [], []
    for fit, held in _folds(spec, labelled[target]):
        rows = pd.concat([reference.training, labelled.iloc[fit]], ignore_index=True)
        challenger = Pipeline([*clone(preparation).steps, ("model", estimator(spec, model))])
        challenger.fit(reference.model_input(rows), rows[target])
        X, y = reference.model_input(labelled.iloc[held]), labelled[target].iloc[held]
        average = spec.evaluation.average
        champion_scores.append(float(metric.compute(predict(champion, X, y), average)))
        challenger_scores.append(float(metric.compute(predict(challenger, X, y), average)))
    if np.isnan(champion_scores + challenger_scores).any():
        raise DataError(
            f"{metric.label} is undefined on some folds of the new rows (too few of a class): label more rows."
        )
    difference, _, p_value = corrected_t_test(
        [metric.sign * s for s in challenger_scores],
        [metric.sign * s for s in champion_scores],
        fold_size_ratio("kfold", FOLDS),  # as Compare corrects; the challengers share more rows than that
    )
    return Duel(
        metric=spec.ranking_metric,
        champion=champion_scores,
        challenger=challenger_scores,
        difference=difference,
        p_value=p_value,
    )


def _folds(spec: PipelineSpec, y: pd.Series):
    seed = spec.evaluation.seed
    if spec.data.task == "classification" and y.value_counts().min() >= FOLDS:
        return StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(y, y)
    return KFold(FOLDS, shuffle=True, random_state=seed).split(y)


def _model_spec(spec: PipelineSpec, key: str) -> ModelSpec:
    models = spec.trained_models
    by_key = dict(zip(number_repeats([m.kind for m in models]), models, strict=True))
    if key not in by_key:
        raise DataError(f"The pipeline has no model '{key}'. Its models: {', '.join(by_key)}.")
    return by_key[key]
