"""The benchmark tables: a customer table of 16 columns as analysts meet them, at any number of rows.

12 numeric columns (skewed, on different scales) and 4 categorical ones with 3, 8, 30 and 200 levels of
Zipf-like popularity, 5–10 % missing cells in 8 columns. The label (25 % positives) or, for regression, the
value depends on numbers and on every categorical column, the 200-level one included, so an encoding that
drops rare levels loses signal. `python -m benchmarks.tables ROWS OUT.csv [--regression]` writes one.
"""

import argparse

import numpy as np
import pandas as pd

LEVELS = {"plan": 3, "region": 8, "channel": 30, "city": 200}
MISSING = ("tenure", "monthly_spend", "support_calls", "discount", "plan", "city", "logins", "age")


def customer_table(n_rows: int, *, regression: bool = False, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    numbers = {
        "tenure": rng.gamma(2.0, 12.0, n_rows),
        "monthly_spend": rng.lognormal(4.0, 0.5, n_rows),
        "support_calls": rng.poisson(1.5, n_rows).astype(float),
        "discount": rng.beta(2, 8, n_rows),
        "logins": rng.poisson(20, n_rows).astype(float),
        "age": rng.normal(45, 12, n_rows).clip(18, 90),
        "devices": rng.integers(1, 6, n_rows).astype(float),
        "late_payments": rng.poisson(0.4, n_rows).astype(float),
        "data_gb": rng.exponential(30, n_rows),
        "satisfaction": rng.normal(7, 1.5, n_rows).clip(0, 10),
        "referrals": rng.poisson(0.8, n_rows).astype(float),
        "noise": rng.normal(0, 1, n_rows),
    }
    categories, effects = {}, np.zeros(n_rows)
    for column, levels in LEVELS.items():
        popularity = 1 / np.arange(1, levels + 1) ** 1.1
        codes = rng.choice(levels, n_rows, p=popularity / popularity.sum())
        categories[column] = np.array([f"{column}_{level:03d}" for level in range(levels)])[codes]
        effects += rng.normal(0, 0.9 if levels == 200 else 0.6, levels)[codes]
    score = (
        -0.035 * numbers["tenure"]
        + 0.012 * (numbers["monthly_spend"] - 60)
        + 0.45 * numbers["support_calls"]
        - 3.0 * numbers["discount"]
        - 0.03 * numbers["logins"]
        + 0.6 * numbers["late_payments"]
        - 0.35 * (numbers["satisfaction"] - 7)
        + 0.4 * np.sin(numbers["age"] / 8)
        + effects
    )
    frame = pd.DataFrame(numbers | categories)
    for column in MISSING:
        frame.loc[rng.random(n_rows) < rng.uniform(0.05, 0.10), column] = np.nan
    if regression:
        frame["lifetime_value"] = np.round(100 * np.exp(0.35 * score) + rng.normal(0, 10, n_rows), 2)
    else:
        noisy = score + rng.logistic(0, 0.7, n_rows)
        frame["churn"] = np.where(noisy > np.quantile(noisy, 0.75), "yes", "no")  # a quarter churn
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int)
    parser.add_argument("out")
    parser.add_argument("--regression", action="store_true")
    args = parser.parse_args()
    customer_table(args.rows, regression=args.regression).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
