"""Is the difference between two models real? The corrected resampled t-test of Nadeau and Bengio.

Cross-validation folds share most of their training rows, so fold scores are correlated and the
plain paired t-test claims differences far too often. Nadeau and Bengio (2003, "Inference for the
Generalization Error") inflate the variance of the per-fold differences by the share of rows a
validation fold holds relative to its training rows, which keeps the false-alarm rate near its
nominal level. The test itself lives with racing (`train.race`), which stops models by it first.
"""

import math
from dataclasses import dataclass

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.train.race import corrected_t_test, p_value_text
from pipeline_core.train.results import SCORED, best
from pipeline_core.words import score

SIGNIFICANCE_LEVEL = 0.05


@dataclass(frozen=True)
class Difference:
    """The best model against one other, on the same folds."""

    other: str
    mean_difference: float  # best minus other, in the metric's units; positive: best is better
    t: float
    p_value: float
    sentence: str


def compare_to_best(results: list, metric: str, ratio: float) -> list[Difference]:
    """The best model by CV mean against every other succeeded model, each with a plain sentence."""
    top = best(results, metric)
    if top is None:
        return []
    sign = METRICS[metric].sign
    label = METRICS[metric].label
    differences = []
    for other in results:
        if other is top or other.status not in SCORED:
            continue
        a, b = _paired(top, other, metric)
        if len(a) < 2:
            continue
        mean, t, p = corrected_t_test(a, b, ratio)
        better = sign * mean
        odds = p_value_text(p)
        if p < SIGNIFICANCE_LEVEL:
            sentence = (
                f"{top.label} is better than {other.label} by {score(better)} {label}: a gap this size on these folds "
                f"would be unlikely if they were equally good ({odds})."
            )
        else:
            sentence = (
                f"{top.label} is not distinguishable from {other.label} at this sample size: the gap of "
                f"{score(better)} {label} is within the fold-to-fold noise (p = {p:.2f})."
            )
        differences.append(Difference(other.label, better, t, p, sentence))
    return differences


def _paired(top, other, metric: str) -> tuple[list[float], list[float]]:
    """Fold scores of both models where both have one (a fold a metric could not score is left out)."""
    pairs = [
        (a, b)
        for a, b in zip(top.cv_scores.get(metric, []), other.cv_scores.get(metric, []), strict=False)
        if a is not None and b is not None and not (math.isnan(a) or math.isnan(b))
    ]
    return [a for a, _ in pairs], [b for _, b in pairs]
