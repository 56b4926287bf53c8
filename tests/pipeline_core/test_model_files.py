"""Model files load with trusted types only: anything else, or a damaged file, is refused in plain words."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from pipeline_core.errors import PipelineCoreError
from pipeline_core.model_files import dump_model, load_model


def double(values):
    """Code of someone else's: a model file naming it must not be loaded on trust."""
    return values * 2


def test_a_model_file_with_a_type_outside_the_allowlist_is_refused(iris):
    X, y = iris.drop(columns=["species"]), iris["species"]
    pipeline = Pipeline([("double", FunctionTransformer(double)), ("model", LogisticRegression(max_iter=500))])
    with pytest.raises(PipelineCoreError, match="Refusing to load a model file with untrusted types: .*double"):
        load_model(dump_model(pipeline.fit(X, y)))


def test_a_damaged_file_is_refused():
    with pytest.raises(PipelineCoreError, match="Not a readable skops model file"):
        load_model(b"PK\x03\x04 not really a zip")


def test_a_model_file_written_before_the_engine_moved_into_stages_still_loads_and_predicts_the_same():
    # Written by the flat pipeline_core of December 2026 (transformers.py has kept its path since).
    folder = Path(__file__).with_name("fixtures")
    model = load_model((folder / "model_before_the_engine_moved.skops").read_bytes())
    rows = pd.read_csv(folder / "rows_for_the_old_model.csv")
    then = np.loadtxt(folder / "old_model_probabilities.txt")
    assert np.allclose(model.predict_proba(rows)[:, 1], then)


def test_a_model_file_with_an_iterative_imputer_loads_though_skops_was_imported_before_the_catalog_built_one():
    # skops trusts the estimators scikit-learn lists at skops' import; this experimental one is listed once enabled
    code = """
import numpy as np
import skops.io
from pipeline_core.catalog import STEPS
from pipeline_core.model_files import dump_model, load_model
imputer = STEPS["iterative_imputer"].make(STEPS["iterative_imputer"].defaults(), "regression", None)
load_model(dump_model(imputer.fit(np.array([[1.0, 2.0], [np.nan, 3.0], [4.0, 5.0]]))))
"""
    loaded = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
