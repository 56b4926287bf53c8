"""Has the data moved? Per column, by the catalog's drift tests; over all columns at once, by a classifier
trained to tell the training rows from the new ones."""

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from pipeline_core.catalog.drift import DRIFT_TESTS, ColumnKind, default_test
from pipeline_core.columns import ColumnType, read_as
from pipeline_core.monitor.report import ColumnDrift, DomainClassifier

KIND_OF: dict[ColumnType, ColumnKind] = {"numeric": "numeric", "categorical": "categorical", "boolean": "categorical"}
NOT_TESTED = {
    "datetime": "dates move on by nature: a new batch is always later",
    "text": "free text is not compared value by value",
}

DOMAIN_ROWS = 5000  # of each side, at most: enough to see a shift, and quick
DOMAIN_FOLDS = 3
DOMAIN_MIN_AUC = 0.55  # below this the batch is barely told apart, however sure the test is
DOMAIN_P_VALUE = 0.01
TOP_COLUMNS = 5
MAX_CODES = 250  # levels a column's codes keep for the domain classifier; the rarer ones share one


def column_drift(
    reference: pd.DataFrame, batch: pd.DataFrame, schema: dict[str, ColumnType], test: str | None = None
) -> tuple[list[ColumnDrift], dict[str, str]]:
    """Each column the batch has, tested as the catalog's default picks (or by `test`, on the columns of a kind
    it takes); the p-values adjusted together by Benjamini–Hochberg, so that twenty columns do not bring twenty
    chances of a false alarm: of the columns called drifted, at most the tests' 5 % are so by chance, on average.

    Returns:
        The columns tested, and those not tested with the reason.
    """
    tested, skipped = [], {}
    for column, column_type in schema.items():
        if column not in batch.columns:
            continue
        if column_type not in KIND_OF:
            skipped[column] = NOT_TESTED.get(column_type, f"{column_type} columns are not tested")
            continue
        trained, new = comparable(reference[column], column_type), comparable(batch[column], column_type)
        if trained.empty or new.empty:
            skipped[column] = "no values to compare (every one is missing)"
            continue
        kind = KIND_OF[column_type]
        chosen = test if test and kind in DRIFT_TESTS[test].kinds else None
        tested.append(drift_of(column, trained, new, kind, chosen))
    return adjusted(tested), skipped


def drift_of(name: str, trained: pd.Series, new: pd.Series, kind: ColumnKind, test_key: str | None = None):
    """One column's test, before any adjustment for the other columns."""
    test = DRIFT_TESTS[test_key] if test_key else default_test(kind, min(len(trained), len(new)), trained.nunique())
    statistic, p_value = test.compute(trained, new)
    drifted = p_value < test.threshold if test.has_p_value else statistic > test.threshold
    return ColumnDrift(
        column=name,
        test=test.key,
        statistic=statistic,
        p_value=p_value,
        p_adjusted=p_value,
        threshold=test.threshold,
        drifted=bool(drifted),
    )


def adjusted(columns: list[ColumnDrift]) -> list[ColumnDrift]:
    """The p-values adjusted by Benjamini–Hochberg over the columns tested with one, drift judged on those."""
    with_p = [i for i, column in enumerate(columns) if column.p_value is not None]
    if not with_p:
        return columns
    corrected = stats.false_discovery_control([columns[i].p_value for i in with_p])
    columns = list(columns)
    for i, p in zip(with_p, corrected, strict=True):
        columns[i] = columns[i].model_copy(update={"p_adjusted": float(p), "drifted": bool(p < columns[i].threshold)})
    return columns


def comparable(values: pd.Series, column_type: ColumnType) -> pd.Series:
    values = read_as(values, column_type).dropna()
    return values.astype(float) if column_type == "numeric" else values.astype(str)


def domain_classifier(
    reference: pd.DataFrame, batch: pd.DataFrame, schema: dict[str, ColumnType], seed: int
) -> DomainClassifier | None:
    """Cross-validated: a gradient-boosted model learns to tell reference rows (0) from batch rows (1) on the
    columns both have. Its held-out ROC AUC near 0.5 says it cannot; the columns that cost it most when
    shuffled are those that give the batch away. None when no column can be compared."""
    columns = [c for c, kind in schema.items() if kind in KIND_OF and c in batch.columns]
    if not columns or len(batch) < DOMAIN_FOLDS * 2:
        return None
    with threadpool_limits(limits=1):  # native threads on a busy machine make gradient boosting far slower
        return _domain_classifier(reference, batch, columns, schema, seed)


def _domain_classifier(reference, batch, columns: list[str], schema, seed: int) -> DomainClassifier:
    rng = np.random.default_rng(seed)
    sides = [frame.iloc[rng.permutation(len(frame))[:DOMAIN_ROWS]] for frame in (reference, batch)]
    X = _encoded(pd.concat(sides, ignore_index=True), columns, schema)
    y = np.repeat([0, 1], [len(side) for side in sides])
    categorical = [schema[c] != "numeric" for c in columns]
    scores, top = np.zeros(len(y)), {}
    for fold, (fit, held) in enumerate(StratifiedKFold(DOMAIN_FOLDS, shuffle=True, random_state=seed).split(X, y)):
        model = HistGradientBoostingClassifier(categorical_features=categorical, random_state=seed)
        model.fit(X.iloc[fit], y[fit])
        scores[held] = model.predict_proba(X.iloc[held])[:, 1]
        if fold == 0:  # one held-out fold is enough to rank the columns
            found = permutation_importance(
                model, X.iloc[held], y[held], scoring="roc_auc", n_repeats=3, random_state=seed
            )
            top = {c: float(v) for c, v in zip(columns, found.importances_mean, strict=True) if v > 0.005}
    auc = float(roc_auc_score(y, scores))
    p_value = float(stats.mannwhitneyu(scores[y == 1], scores[y == 0], alternative="greater").pvalue)
    drifted = auc >= DOMAIN_MIN_AUC and p_value < DOMAIN_P_VALUE
    ranked = dict(sorted(top.items(), key=lambda item: item[1], reverse=True)[:TOP_COLUMNS]) if drifted else {}
    return DomainClassifier(roc_auc=auc, p_value=p_value, drifted=drifted, top_columns=ranked)


def _encoded(rows: pd.DataFrame, columns: list[str], schema: dict[str, ColumnType]) -> pd.DataFrame:
    """Numbers as numbers, every other column as codes of its levels (the rarest sharing one), missing kept."""
    encoded = {}
    for column in columns:
        values = read_as(rows[column], schema[column])
        if schema[column] == "numeric":
            encoded[column] = pd.to_numeric(values, errors="coerce").astype(float)
            continue
        text = values.astype("string")
        frequent = text.value_counts().index[: MAX_CODES - 1]
        codes = pd.Categorical(text.where(text.isin(frequent) | text.isna(), "other"))
        encoded[column] = pd.Series(codes.codes, index=rows.index).replace(-1, np.nan).astype(float)
    return pd.DataFrame(encoded)
