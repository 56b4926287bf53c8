"""Did a run come out the same the second time? Metric by metric, and why not when it did not."""

import math
from dataclasses import dataclass

from pipeline_core.train.results import WHERE


@dataclass(frozen=True)
class Comparison:
    identical: bool
    rows: list[dict]  # one per model and metric: original, again, identical
    version_changes: list[str]  # libraries whose version differs between the two runs
    machines: tuple[str, str] = ("", "")  # where the original and the re-run ran

    def verdict(self) -> str:
        if self.identical:
            return "Reproduced exactly: every metric of every model is identical."
        differing = sum(not row["identical"] for row in self.rows)
        why = (
            f" Library versions changed: {'; '.join(self.version_changes)}."
            if self.version_changes
            else " The library versions are the same, so the difference comes from the data or the machine"
            + (
                f" (it ran on {self.machines[1]}, the original on {self.machines[0]})."
                if len(set(self.machines)) > 1
                else "."
            )
        )
        return f"Not identical: {differing} of {len(self.rows)} scores differ.{why}"


def compare(original: list, again: list, original_versions: dict, again_versions: dict) -> Comparison:
    """Compare two runs' results (anything shaped like a model result: key, label, status, cv_scores,
    test_scores); a model missing or failed on one side counts as a difference."""
    by_key = {result.key: result for result in again}
    rows = []
    for result in original:
        repeat = by_key.get(result.key)
        for metric, scores in sorted(result.cv_scores.items()):
            rows.append(
                _row(result.label, f"CV {metric} (mean)", _mean(scores), repeat and _mean(repeat.cv_scores.get(metric)))
            )
        for metric, score in sorted(result.test_scores.items()):
            rows.append(_row(result.label, f"test {metric}", score, repeat and repeat.test_scores.get(metric)))
    changes = [
        f"{name} {original_versions.get(name)} → {again_versions.get(name)}"
        for name in sorted(set(original_versions) | set(again_versions))
        if original_versions.get(name) != again_versions.get(name) and name not in WHERE
    ]
    identical = bool(rows) and all(row["identical"] for row in rows) and set(by_key) == {r.key for r in original}
    machines = (original_versions.get("machine", ""), again_versions.get("machine", ""))
    return Comparison(identical, rows, changes, machines)


def _row(model: str, metric: str, original: float | None, again: float | None) -> dict:
    same = original == again or (_nan(original) and _nan(again))
    return {"Model": model, "Score": metric, "Original": original, "Again": again, "identical": same}


def _mean(scores: list | None) -> float | None:
    values = [s for s in scores or [] if s is not None]
    return sum(values) / len(values) if values else None


def _nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
