"""Clustering: group similar rows, score the groups, and describe them.

There is no target to predict, so no folds: each model is fitted once on every row's prepared
features. The spec's target column is never used to form groups; it only describes them afterwards
(its share or mean per group). Scores: silhouette (higher is better, -1 to 1), Calinski–Harabasz
(higher is better) and Davies–Bouldin (lower is better), on a sample for the quadratic silhouette.
"""

import time
from concurrent.futures import as_completed

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from pipeline_core.catalog import get_model, number_repeats, numbered_label
from pipeline_core.columns import read_as
from pipeline_core.model_files import dump_model
from pipeline_core.prepare.build import build_preparation
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.curves import Curves, Groups
from pipeline_core.train.parallel import IN_PROCESS_WORK, cores, make_pool
from pipeline_core.train.results import TrainedModel, finished

SCORE_ROWS = 5000  # the silhouette compares every pair of rows: a sample keeps it quick
MAP_POINTS = 2000  # points drawn on the 2-D map
PROFILE_COLUMNS = 12  # numeric columns shown per group, the most different first


def cluster(spec: PipelineSpec, frame: pd.DataFrame, schema: dict, observer, n_jobs: int | None = None):
    """Fit every clustering model of the spec on the prepared rows; return a TrainResult.

    Args:
        frame: the rows after row-level cleaning; schema: the feature columns and their types.
    """
    X = frame[list(schema)]
    seed = spec.evaluation.seed
    prepared_pipeline = build_preparation(spec, frame)
    prepared = np.asarray(prepared_pipeline.fit_transform(X), dtype=float)
    sample = np.random.default_rng(seed).permutation(len(prepared))[: max(SCORE_ROWS, MAP_POINTS)]
    projection = _map(prepared, sample[:MAP_POINTS], seed)
    observer.on_start(len(frame), 0)
    keys = number_repeats([m.kind for m in spec.models])
    n_jobs = n_jobs or (1 if len(frame) * len(keys) <= IN_PROCESS_WORK else min(cores(), len(keys)))
    pool = make_pool(n_jobs)
    observer.on_progress(0, len(keys), "Forming groups")
    jobs = [
        pool.submit(_fit_one, key, get_model(m.kind).build(m.params, "clustering", seed), prepared, pool.threads)
        for key, m in zip(keys, spec.models, strict=True)
    ]
    results, status = [], "succeeded"
    for done, job in enumerate(as_completed(jobs), start=1):
        key, labels, fitted, seconds, error = job.result()
        kind = spec.models[keys.index(key)].kind
        result = TrainedModel(key=key, kind=kind, label=numbered_label(kind, key), is_baseline=False)
        if error:
            result.status, result.error = "failed", error
        else:
            scores = _scores(prepared[sample[:SCORE_ROWS]], labels[sample[:SCORE_ROWS]])
            result.cv_scores = {metric: [value] for metric, value in scores.items()}
            result.fit_seconds = seconds
            result.curves = _describe(spec, frame, labels, projection, sample[:MAP_POINTS])
            result.n_groups = len(result.curves.groups.names)
            if hasattr(fitted, "predict"):  # k-means and mixtures place new rows; the others cannot
                result.model_file = dump_model(Pipeline([*prepared_pipeline.steps, ("model", fitted)]))
        results.append(result)
        observer.on_progress(done, len(keys), f"{result.label} done")
        observer.on_model_finished(result)
        if observer.should_stop():
            status = "cancelled"
            break
    return finished(status, spec.ranking_metric, sorted(results, key=lambda r: keys.index(r.key)), len(frame), 0)


def _map(prepared: np.ndarray, shown: np.ndarray, seed: int) -> np.ndarray:
    """The shown rows on the first two principal components (one feature: itself, on a flat line)."""
    components = PCA(min(2, prepared.shape[1]), random_state=seed).fit(prepared).transform(prepared[shown])
    return components if components.shape[1] == 2 else np.column_stack([components, np.zeros(len(shown))])


def _fit_one(key: str, model, prepared: np.ndarray, threads: int):
    try:
        with threadpool_limits(limits=threads):
            start = time.perf_counter()
            fitted = clone(model)
            labels = fitted.fit_predict(prepared)
            return key, labels, fitted, time.perf_counter() - start, None
    except Exception as error:  # noqa: BLE001 - a model that fails fails alone
        return key, None, None, 0.0, f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"


def _scores(rows: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """The three scores, NaN when there is a single group (nothing to compare)."""
    if len(set(labels)) < 2:
        return {"silhouette": float("nan"), "calinski_harabasz": float("nan"), "davies_bouldin": float("nan")}
    return {
        "silhouette": float(silhouette_score(rows, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(rows, labels)),
        "davies_bouldin": float(davies_bouldin_score(rows, labels)),
    }


def _describe(spec: PipelineSpec, frame: pd.DataFrame, labels: np.ndarray, projection, shown) -> Curves:
    """Group sizes, the 2-D map, each group's numeric means (the columns that differ most first) and the
    described column's share or mean per group."""
    groups = pd.Series(labels, index=frame.index).astype(str).replace({"-1": "noise"})
    as_read = {
        column: read_as(frame[column], spec.data.column_types.get(column))
        for column in frame.columns
        if column != spec.data.target and spec.data.roles.get(column, "feature") == "feature"
    }
    numeric = {column: values for column, values in as_read.items() if pd.api.types.is_numeric_dtype(values)}
    means = pd.DataFrame(numeric).groupby(groups).mean()
    spread = (means.std() / pd.DataFrame(numeric).std()).sort_values(ascending=False)
    means = means[spread.index[:PROFILE_COLUMNS]]
    target = frame[spec.data.target]
    if pd.api.types.is_numeric_dtype(target) and target.nunique() > 2:
        described = target.groupby(groups).mean()
        described_as = f"mean {spec.data.target}"
    else:
        top = target.astype(str).value_counts().index[-1]  # the rarer value, e.g. churned = yes
        described = (target.astype(str) == top).groupby(groups).mean()
        described_as = f"share {spec.data.target} = {top}"
    sizes = groups.value_counts().sort_index()
    return Curves(
        groups=Groups(
            names=sizes.index.tolist(),
            sizes=sizes.tolist(),
            map_x=projection[:, 0].tolist(),
            map_y=projection[:, 1].tolist(),
            map_group=groups.iloc[shown].tolist(),
            profile_columns=means.columns.tolist(),
            profile_means=means.reindex(sizes.index).to_numpy().tolist(),
            described_as=described_as,
            described=described.reindex(sizes.index).tolist(),
        )
    )
