"""The serving bundle: its FastAPI app answers good and bad requests; its model loads without Pipewright."""

import importlib.util
import io
import os
import subprocess
import sys
import zipfile

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from pipeline_core.export.serving import serving_bundle
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.results import library_versions
from pipeline_core.train.supervised import train


@pytest.fixture(scope="module")
def bundle_dir(churn, tmp_path_factory):
    """A bundle for a model that needs Pipewright's own transformers (log and frequency encoding)."""
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    steps = spec.preprocessing.model_dump() | {
        "numeric": [{"kind": "numeric_imputer"}, {"kind": "log_transform"}],
        "categorical": [{"kind": "categorical_imputer"}, {"kind": "frequency_encoder"}],
    }
    spec = PipelineSpec.from_dict(
        spec.model_dump() | {"preprocessing": steps, "models": [{"kind": "logistic_regression"}]}
    )
    model = next(m for m in train(spec, churn).models if m.key == "logistic_regression")
    features = feature_schema(spec, churn)
    data = serving_bundle(
        model.model_file, title="Churn", features=features, versions=library_versions(), as_text=frozenset()
    )
    folder = tmp_path_factory.mktemp("bundle")
    zipfile.ZipFile(io.BytesIO(data)).extractall(folder)
    return folder


def test_the_bundle_holds_the_app_model_pinned_requirements_and_a_dockerfile(bundle_dir):
    names = {path.relative_to(bundle_dir).as_posix() for path in bundle_dir.rglob("*") if path.is_file()}
    assert {"serve.py", "model.skops", "model.json", "requirements.txt", "Dockerfile", "README.md"} <= names
    assert "pipeline_core/transformers.py" in names  # this model needs Pipewright's own transformers
    assert "scikit-learn==" in (bundle_dir / "requirements.txt").read_text()


def test_the_app_answers_good_rows_and_refuses_bad_ones_with_422(bundle_dir, churn):
    spec = importlib.util.spec_from_file_location("serve", bundle_dir / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    client = TestClient(serve.app)
    assert client.get("/health").json() == {"status": "ok", "model": "Churn"}

    rows = churn.drop(columns=["churn"]).head(3).astype(object).where(churn.notna(), None).to_dict("records")
    answer = client.post("/predict", json={"rows": rows})
    assert answer.status_code == 200, answer.text
    assert set(answer.json()["predictions"]) <= {"yes", "no"}
    assert answer.json()["probabilities"][0].keys() == {"no", "yes"}

    as_strings = [row | {"tenure_months": str(row["tenure_months"])} for row in rows]  # "12" is a number too
    assert client.post("/predict", json={"rows": as_strings}).json()["predictions"] == answer.json()["predictions"]

    bad = [{k: v for k, v in rows[0].items() if k != "contract"} | {"tenure_months": "long"}]
    refused = client.post("/predict", json={"rows": bad})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        "missing column 'contract'",
        "column 'tenure_months' should hold numbers; got 'long'",
    ]


def test_the_rows_it_scores_are_logged_for_monitoring_when_asked(bundle_dir, churn, tmp_path, monkeypatch):
    log = tmp_path / "rows.csv"
    monkeypatch.setenv("PIPEWRIGHT_LOG_ROWS", str(log))
    spec = importlib.util.spec_from_file_location("serve_logging", bundle_dir / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    client = TestClient(serve.app)
    rows = churn.drop(columns=["churn"]).astype(object).where(churn.notna(), None).to_dict("records")
    for start in (0, 3):
        assert client.post("/predict", json={"rows": rows[start : start + 3]}).status_code == 200
    logged = pd.read_csv(log)
    assert list(logged.columns) == [*serve.FEATURES, "scored_at"] and len(logged) == 6
    assert logged["contract"].tolist() == churn["contract"].head(6).tolist()


def test_the_model_file_loads_in_a_process_where_pipewright_is_not_installed(bundle_dir):
    load = (
        "import json, skops.io as sio; about = json.load(open('model.json')); "
        "model = sio.load('model.skops', trusted=about['trusted']); print(type(model).__name__)"
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(bundle_dir)}  # no PYTHONPATH: only the bundle's own copy
    out = subprocess.run([sys.executable, "-c", load], cwd=bundle_dir, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-1500:]
    assert out.stdout.strip() == "Pipeline"
