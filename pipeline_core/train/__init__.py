"""The train stage: results, splits, supervised training with racing and budgets, clustering, tuning."""
