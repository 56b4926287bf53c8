"""The standalone script: run in a clean process without Pipewright, it reproduces the run's CV scores."""

import os
import subprocess
import sys

import numpy as np
import pytest

from pipeline_core.export.script import standalone_script
from pipeline_core.spec import PipelineSpec, default_spec
from pipeline_core.train.supervised import train

STEPS = {
    "scikit-learn steps": None,
    "Pipewright's own steps": {
        "numeric": [{"kind": "numeric_imputer"}, {"kind": "log_transform"}, {"kind": "clip_outliers"}],
        "categorical": [{"kind": "rare_levels"}, {"kind": "frequency_encoder"}],
    },
}
# As the Data page stores them: a typed value stays text, even for a numeric column
FILTERS = [
    {"column": "tenure_months", "operator": "gt", "value": "10"},
    {"column": "contract", "operator": "ne", "value": "two-year"},
]
TITLE = '"""\nprint("INJECTED")\n"""'  # a pipeline name is user text


@pytest.mark.parametrize("steps", STEPS.values(), ids=STEPS.keys())
def test_the_script_runs_without_pipewright_and_reproduces_the_cv_scores(churn, tmp_path, steps):
    spec = default_spec(target="churn", task="classification", roles={"customer_id": "id"})
    spec = spec.replace(evaluation={"racing": False})  # the script cross-validates every model on every fold
    changes = {"models": [{"kind": "logistic_regression"}, {"kind": "random_forest", "params": {"n_estimators": 25}}]}
    if steps:
        changes["preprocessing"] = spec.preprocessing.model_dump() | steps
    spec = PipelineSpec.from_dict(
        spec.model_dump() | changes | {"data": spec.data.model_dump() | {"row_steps": ["drop_duplicates"]}}
    )
    result = train(spec, churn)
    script = tmp_path / "retrain.py"
    script.write_text(standalone_script(spec, churn, title=TITLE))
    churn.to_parquet(tmp_path / "churn.parquet")

    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}  # no PYTHONPATH: Pipewright is not importable
    out = subprocess.run(
        [sys.executable, str(script), "churn.parquet"], cwd=tmp_path, env=env, capture_output=True, text=True
    )

    assert out.returncode == 0, out.stderr[-2000:]
    assert "INJECTED" not in out.stdout and not out.stderr  # scores only: no flood of warnings
    bare = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert bare.returncode == 1 and bare.stderr.startswith("Usage: python ") and "Traceback" not in bare.stderr
    printed = {line.split()[0]: dict(pair.split("=") for pair in line.split()[1:]) for line in out.stdout.splitlines()}
    for model in result.models:
        for metric in ("balanced_accuracy", "roc_auc", "f1"):
            assert float(printed[model.key][metric]) == pytest.approx(np.mean(model.cv_scores[metric]), abs=1e-9)
    lines = script.read_text().splitlines()
    assert not any(line.startswith(("from pipeline_core", "import pipeline_core")) for line in lines)
