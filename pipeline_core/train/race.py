"""Racing: which models are clearly behind the leader, by the test the Compare page uses too (the corrected
resampled t-test lives here, below the compare stage, since training needs it first)."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.catalog.schemes import SCHEMES

RACE_MIN_FOLDS = 2
RACE_MIN_GAP = 0.01  # of the leader's score: a model closer than that keeps racing however sure the test is
RACE_P_VALUE = 0.05


@dataclass(frozen=True)
class Race:
    """Which models are clearly behind the leader on the folds both have finished: at least RACE_MIN_FOLDS of
    them, a gap of at least RACE_MIN_GAP of the leader's score, and the corrected resampled t-test (Nadeau and
    Bengio) below RACE_P_VALUE — the very test by which the Compare page calls one model better than another,
    so a model the race stopped is one the page will call worse. A close model keeps racing."""

    metric: str
    fold_size_ratio: float

    def behind(self, scores: dict[str, dict[int, float]]) -> list[tuple[str, str, float, float]]:
        """(model, leader, gap, p) for each model to stop now."""
        scored = {key: {f: v for f, v in folds.items() if not math.isnan(v)} for key, folds in scores.items()}
        ready = {key: folds for key, folds in scored.items() if len(folds) >= RACE_MIN_FOLDS}
        if len(ready) < 2:
            return []
        sign = METRICS[self.metric].sign
        leader = max(ready, key=lambda key: sign * np.mean(list(ready[key].values())))
        stopped = []
        for key, folds in ready.items():
            common = sorted(set(folds) & set(ready[leader]))
            if key == leader or len(common) < RACE_MIN_FOLDS:
                continue
            ahead = [ready[leader][fold] for fold in common]
            difference, _, p = corrected_t_test(ahead, [folds[fold] for fold in common], self.fold_size_ratio)
            gap = sign * difference
            if gap >= RACE_MIN_GAP * abs(np.mean(ahead)) and p < RACE_P_VALUE:
                stopped.append((key, leader, gap, p))
        return stopped


def corrected_t_test(a: list[float], b: list[float], size_ratio: float) -> tuple[float, float, float]:
    """Mean of a - b over paired folds, the corrected t statistic and its two-sided p-value.

    Args:
        a, b: scores of two models on the same folds, in the same order.
        size_ratio: validation rows / training rows of one fold (1 / (k - 1) for k-fold).
    """
    differences = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = len(differences)
    mean = float(differences.mean())
    variance = float(differences.var(ddof=1)) * (1 / n + size_ratio)
    if variance == 0:
        return mean, (0.0 if mean == 0 else math.copysign(math.inf, mean)), (1.0 if mean == 0 else 0.0)
    t = mean / math.sqrt(variance)
    return mean, t, float(2 * stats.t.sf(abs(t), df=n - 1))


def p_value_text(p: float) -> str:
    """A p-value as a sentence writes it."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def fold_size_ratio(scheme: str, folds: int) -> float:
    """Validation rows over training rows of a fold: 1/(k-1) for k-fold; for a scheme whose training grows
    fold by fold (a time-series split), the mean over the folds."""
    if SCHEMES[scheme].training_grows:
        return float(np.mean([1 / i for i in range(1, folds + 1)]))
    return 1 / (folds - 1)
