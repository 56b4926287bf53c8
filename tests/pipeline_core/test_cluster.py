"""Clustering: groups found, scored and described; the target never shapes them."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from pipeline_core.compare.leaderboard import leaderboard
from pipeline_core.errors import SpecError
from pipeline_core.model_files import load_model
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.estimate import estimate
from pipeline_core.train.results import best
from pipeline_core.train.supervised import train


@pytest.fixture(scope="module")
def blobs() -> pd.DataFrame:
    points, group = make_blobs(n_samples=600, centers=3, n_features=4, cluster_std=1.0, random_state=0)
    frame = pd.DataFrame(points, columns=["a", "b", "c", "d"])
    frame["segment"] = np.where(group == 0, "gold", "standard")  # describes the groups; never used to form them
    return frame


def _spec(models: list[dict], **preprocessing) -> PipelineSpec:
    spec = default_spec(target="segment", task="clustering")
    return PipelineSpec.from_dict(
        spec.model_dump() | {"models": models, "preprocessing": spec.preprocessing.model_dump() | preprocessing}
    )


def test_well_separated_groups_are_found_scored_and_described(blobs):
    models = [{"kind": "kmeans", "params": {"n_clusters": 3}}, {"kind": "kmeans", "params": {"n_clusters": 6}}]
    result = train(_spec(models), blobs)
    three, six = result.models
    assert result.primary_metric == "silhouette" and best(result.models, "silhouette") is three
    assert three.cv_scores["silhouette"][0] > 0.6 > six.cv_scores["silhouette"][0]
    assert sorted(three.curves.groups.sizes) == [200, 200, 200] and three.n_groups == 3
    assert sorted(three.curves.groups.described) == [0.0, 0.0, 1.0]  # one group is exactly the gold segment
    assert three.curves.groups.described_as == "share segment = gold"
    assert len(three.curves.groups.map_x) == 600 and set(three.curves.groups.map_group) == {"0", "1", "2"}
    groups = load_model(three.model_file).predict(blobs.head(5))  # k-means places new rows
    assert len(groups) == 5
    board = leaderboard(result.models, "silhouette")
    assert board.loc[0, "Groups"] == 3 and board.loc[0, "Davies–Bouldin"] < board.loc[1, "Davies–Bouldin"]


def test_models_that_cannot_place_new_rows_have_no_model_file_and_noise_is_its_own_group(blobs):
    models = [{"kind": "dbscan", "params": {"eps": 0.3}}, {"kind": "agglomerative", "params": {"n_clusters": 3}}]
    dbscan, agglomerative = train(_spec(models), blobs).models
    assert "noise" in dbscan.curves.groups.names
    assert dbscan.model_file is None and agglomerative.model_file is None
    assert agglomerative.cv_scores["silhouette"][0] > 0.6


def test_steps_that_learn_from_a_target_are_refused_for_clustering():
    with pytest.raises(SpecError, match="Target encoding learns from the target"):
        _spec([{"kind": "kmeans"}], categorical=[{"kind": "target_encoder"}])
    with pytest.raises(SpecError, match="no target to tune"):
        PipelineSpec.from_dict(_spec([{"kind": "kmeans"}]).model_dump() | {"evaluation": {"tune_threshold": True}})


def test_the_estimate_counts_one_fit_per_model_on_every_row(blobs):
    found = estimate(_spec([{"kind": "kmeans"}, {"kind": "dbscan"}]), blobs)
    assert (found.rows_per_fit, found.fits) == (600, 1)


def test_one_feature_is_grouped_and_mapped_on_a_line(blobs):
    one = blobs[["a", "segment"]]
    [kmeans] = train(_spec([{"kind": "kmeans", "params": {"n_clusters": 2}}]), one).models
    assert kmeans.status == "succeeded" and set(kmeans.curves.groups.map_y) == {0.0}
