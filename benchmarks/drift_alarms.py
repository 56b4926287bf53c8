"""How often the Monitor's per-column drift tests cry wolf, and how often they catch a real shift, side by side
with the rule Evidently uses by default (its test chosen by the reference's size alone, each column judged on
its own, no correction for many columns).

For each (reference rows, batch rows): random splits of one generated churn table (no drift: any column called
drifted is a false alarm), then the same splits with one numeric column scaled by 1.1 (a shift to catch).
Prints, per rule, the share of splits with a false alarm and the share in which the shifted column was caught,
and the time of one check.
Run: `python -m benchmarks.drift_alarms [--splits 100]`.
"""

import argparse
import time

import numpy as np

from pipeline_core.catalog.drift import DRIFT_TESTS, SMALL_SAMPLE
from pipeline_core.data.samples import make_churn
from pipeline_core.monitor.drift import KIND_OF, column_drift, comparable
from pipeline_core.schema import feature_schema
from pipeline_core.spec import default_spec

SIZES = [(900, 400), (3800, 400), (3800, 1200)]
SHIFTED = "monthly_charges"


def evidently_rule(reference, batch, schema) -> list[str]:
    """Evidently's default: by the reference's rows only; a p-value below 0.05 or a distance above 0.1."""
    drifted = []
    for column, column_type in schema.items():
        if column_type not in KIND_OF:
            continue
        trained, new = comparable(reference[column], column_type), comparable(batch[column], column_type)
        as_numbers = KIND_OF[column_type] == "numeric" and trained.nunique() > 5
        small = len(trained) <= SMALL_SAMPLE
        test = DRIFT_TESTS[
            ("ks" if as_numbers else "chi_squared") if small else ("wasserstein" if as_numbers else "jensen_shannon")
        ]
        statistic, p_value = test.compute(trained, new)
        if (p_value < test.threshold) if test.has_p_value else (statistic > test.threshold):
            drifted.append(column)
    return drifted


def pipewright_rule(reference, batch, schema) -> list[str]:
    return [c.column for c in column_drift(reference, batch, schema)[0] if c.drifted]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", type=int, default=100)
    args = parser.parse_args()
    table = make_churn(6000, seed=11)
    schema = feature_schema(default_spec(target="churn", task="classification"), table)
    print(f"{'reference':>9} {'batch':>6} {'rule':<11} {'false alarms':>12} {'caught ×1.1':>11} {'ms per check':>12}")  # noqa: T201 - the benchmark's output
    for n_reference, n_batch in SIZES:
        for name, rule in (("Pipewright", pipewright_rule), ("Evidently", evidently_rule)):
            false, caught, seconds = 0, 0, 0.0
            for seed in range(args.splits):
                order = np.random.default_rng(seed).permutation(len(table))
                reference, batch = table.iloc[order[n_batch : n_batch + n_reference]], table.iloc[order[:n_batch]]
                start = time.perf_counter()
                false += bool(rule(reference, batch, schema))
                seconds += time.perf_counter() - start
                caught += SHIFTED in rule(reference, batch.assign(**{SHIFTED: batch[SHIFTED] * 1.1}), schema)
            shares = f"{false / args.splits:>12.0%} {caught / args.splits:>11.0%}"
            print(f"{n_reference:>9,} {n_batch:>6,} {name:<11} {shares} {1000 * seconds / args.splits:>12.1f}")  # noqa: T201 - the benchmark's output


if __name__ == "__main__":
    main()
