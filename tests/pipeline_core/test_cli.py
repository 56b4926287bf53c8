import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline_core.data.samples import SAMPLES, make_churn
from pipeline_core.model_files import load_model
from pipeline_core.train.results import best as best_result
from storage import repo
from storage.db import make_engine, session_scope

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args, data_dir):
    env = {"PIPEWRIGHT_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline_core", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_cli_run_prints_the_leaderboard_records_the_run_and_the_model_file(tmp_path):
    data = tmp_path / "diabetes.csv"
    data.write_bytes(SAMPLES["diabetes"].csv_bytes())
    out = _cli(
        "run",
        "--data",
        str(data),
        "--target",
        "progression",
        "--models",
        "ridge",
        "--save-as",
        "Diabetes",
        data_dir=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "Ridge regression" in out.stdout and "Baseline (dummy)" in out.stdout and "CV R²" in out.stdout
    model_path = Path(out.stdout.split("saved model file: ")[1].strip())
    model = load_model(model_path.read_bytes())
    assert len(model.predict(SAMPLES["diabetes"].make().head(3))) == 3

    engine = make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}")
    with session_scope(engine) as session:
        [run] = repo.list_runs(session)
        assert (run.status, run.pipeline_name, run.task) == ("succeeded", "Diabetes", "regression")
        assert {r.key for r in repo.list_model_results(session, run_id=run.id)} == {"dummy", "ridge"}


@pytest.mark.parametrize(
    ("target", "task", "message"),
    [
        ("no_such_column", None, "No column 'no_such_column'"),
        ("customer_id", None, "looks like an identifier or a measurement"),
        ("contract", "regression", "Regression needs a numeric target"),
    ],
    ids=["missing target", "identifier as target", "regression on text"],
)
def test_cli_input_the_app_refuses_is_refused_before_anything_is_stored(tmp_path, target, task, message):
    data = tmp_path / "churn.csv"
    make_churn(n_rows=300).to_csv(data, index=False)
    out = _cli("run", "--data", str(data), "--target", target, *(["--task", task] if task else []), data_dir=tmp_path)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "pipewright.db").exists() and not (tmp_path / "artifacts").exists()


def test_cli_run_in_which_every_model_fails_is_recorded_as_failed_and_says_why(tmp_path):
    frame = make_churn(n_rows=300)
    frame["monthly_charges"] = -frame["monthly_charges"].abs()  # Box-Cox cannot take these
    data, spec = tmp_path / "churn.csv", tmp_path / "spec.yaml"
    frame.to_csv(data, index=False)
    spec.write_text(
        "data: {target: churn, task: classification}\nmodels: [{kind: logistic_regression}]\n"
        "preprocessing: {numeric: [{kind: numeric_imputer}, {kind: power_transform, params: {method: box-cox}}]}\n"
    )
    out = _cli("run", "--data", str(data), "--target", "churn", "--spec", str(spec), data_dir=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "failed: Every model failed. Logistic regression: Preparation failed" in out.stdout
    with session_scope(make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}")) as session:
        assert [run.status for run in repo.list_runs(session)] == ["failed"]


def test_cli_runs_started_at_once_on_a_new_database_all_finish_recording_who_ran_them(tmp_path, database_url):
    data = tmp_path / "churn.csv"
    make_churn(n_rows=300).to_csv(data, index=False)
    env = {"PIPEWRIGHT_DATA_DIR": str(tmp_path), "PIPEWRIGHT_DB_URL": database_url, "PATH": "/usr/bin:/bin"}
    env |= {"PIPEWRIGHT_SIGN_IN": "password", "PIPEWRIGHT_USER": "ci-bot"}
    command = [sys.executable, "-m", "pipeline_core", "run", "--data", str(data), "--target", "churn"]
    command += ["--models", "logistic_regression", "--save-as", "Churn"]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    started = [subprocess.Popen(command, cwd=ROOT, env=env, **pipes) for _ in range(4)]
    outcomes = [run.communicate(timeout=300) for run in started]
    assert [run.returncode for run in started] == [0] * 4, [err[-800:] for _, err in outcomes]
    with session_scope(make_engine(database_url)) as session:
        assert [(run.status, run.owner) for run in repo.list_runs(session)] == [("succeeded", "ci-bot")] * 4
        assert [(p.name, p.owner, p.latest_version, p.runs) for p in repo.list_pipelines(session)] == [
            ("Churn", "ci-bot", 1, 4)
        ]
        assert [d.owner for d in repo.list_datasets(session)] == ["ci-bot"]


def test_cli_bad_input_is_a_clear_error_and_records_nothing(tmp_path):
    data = tmp_path / "empty.csv"
    data.write_bytes(b"")
    out = _cli("run", "--data", str(data), "--target", "y", data_dir=tmp_path)
    assert out.returncode == 2 and "is empty (0 bytes)" in out.stderr and "Traceback" not in out.stderr
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04")
    out = _cli("run", "--data", str(notes), "--target", "y", data_dir=tmp_path)
    assert out.returncode == 2 and "not a supported file type" in out.stderr
    assert not (tmp_path / "artifacts").exists()


def test_cli_reproduce_reruns_a_stored_run_and_finds_every_score_identical(tmp_path):
    data = tmp_path / "iris.csv"
    data.write_bytes(SAMPLES["iris"].csv_bytes())
    first = _cli("run", "--data", str(data), "--target", "species", "--models", "random_forest", data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    run_id = int(first.stdout.split("run ")[-1].split(" recorded")[0])

    again = _cli("reproduce", str(run_id), data_dir=tmp_path)

    assert again.returncode == 0, again.stdout + again.stderr
    assert f"reproduces run {run_id}: Reproduced exactly" in again.stdout
    assert "Random forest" in again.stdout and "CV roc_auc (mean)" in again.stdout
    with session_scope(make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}")) as session:
        assert [r.id for r in repo.reproductions(session, run_id=run_id)] == [run_id + 1]


def test_cli_reproduce_of_an_unknown_run_says_so(tmp_path):
    out = _cli("reproduce", "99", data_dir=tmp_path)
    assert out.returncode == 2 and "No run 99" in out.stderr


def test_cli_predict_scores_a_file_and_names_missing_columns(tmp_path):
    data = tmp_path / "iris.csv"
    data.write_bytes(SAMPLES["iris"].csv_bytes())
    first = _cli(
        "run", "--data", str(data), "--target", "species", "--models", "logistic_regression", data_dir=tmp_path
    )
    run_id = int(first.stdout.split("run ")[-1].split(" recorded")[0])
    new = tmp_path / "new.csv"
    SAMPLES["iris"].make().drop(columns=["species"]).head(7).to_csv(new, index=False)
    out = tmp_path / "scored.csv"

    scored = _cli("predict", str(run_id), "--data", str(new), "--out", str(out), data_dir=tmp_path)

    assert scored.returncode == 0, scored.stderr
    table = pd.read_csv(out)
    assert len(table) == 7 and "prediction" in table and "probability setosa" in table
    broken = tmp_path / "broken.csv"
    SAMPLES["iris"].make().drop(columns=["species", "petal width (cm)"]).head(3).to_csv(broken, index=False)
    refused = _cli("predict", str(run_id), "--data", str(broken), "--out", str(out), data_dir=tmp_path)
    assert refused.returncode == 2 and "missing a column the model needs: 'petal width (cm)'" in refused.stderr


def test_cli_export_writes_the_model_spec_script_card_and_bundle(tmp_path):
    data = tmp_path / "diabetes.csv"
    data.write_bytes(SAMPLES["diabetes"].csv_bytes())
    first = _cli("run", "--data", str(data), "--target", "progression", "--models", "ridge", data_dir=tmp_path)
    run_id = int(first.stdout.split("run ")[-1].split(" recorded")[0])

    out = _cli("export", str(run_id), "--out", str(tmp_path / "export"), "--model", "ridge", data_dir=tmp_path)

    assert out.returncode == 0, out.stderr
    written = {path.name for path in (tmp_path / "export").iterdir()}
    assert written == {
        "model.skops",
        "spec.json",
        "spec.yaml",
        "retrain.py",
        "model_card.md",
        "model_card.html",
        "serving.zip",
        "diabetes.parquet",  # what retrain.py reads, as the Export page offers it
    }
    assert "**Ridge regression**" in (tmp_path / "export" / "model_card.md").read_text()
    assert load_model((tmp_path / "export" / "model.skops").read_bytes()).predict(
        SAMPLES["diabetes"].make().head(2)
    ).shape == (2,)


def test_cli_json_holds_the_same_facts_as_the_stored_run(tmp_path):
    data = tmp_path / "churn.csv"
    make_churn(n_rows=400).to_csv(data, index=False)
    report = tmp_path / "run.json"
    models = "logistic_regression,decision_tree,naive_bayes"
    out = _cli(
        "run", "--data", str(data), "--target", "churn", "--models", models, "--json", str(report), data_dir=tmp_path
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(report.read_text())

    engine = make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}")
    with session_scope(engine) as session:
        [run] = repo.list_runs(session)
        stored = {r.key: r for r in repo.list_model_results(session, run_id=run.id)}
    assert (facts["run_id"], facts["status"], facts["ranking_metric"]) == (run.id, "succeeded", "roc_auc")
    assert facts["seconds"] == pytest.approx((run.finished_at - run.started_at).total_seconds(), abs=0.001)
    assert facts["best_model"] == best_result(list(stored.values()), "roc_auc").key
    assert f"best model: {stored[facts['best_model']].label}" in out.stdout
    assert {m["key"] for m in facts["models"]} == set(stored) == {"dummy", *models.split(",")}
    for model in facts["models"]:
        result = stored[model["key"]]
        assert (model["label"], model["status"]) == (result.label, result.status)
        assert model["folds_done"] == sum(v is not None for v in result.cv_scores["roc_auc"])
        for metric, values in result.cv_scores.items():  # rounded to 6 places
            assert model["cv"][metric]["mean"] == pytest.approx(np.nanmean(np.array(values, float)), abs=1e-6)
        assert model["test"] == pytest.approx(result.test_scores, abs=1e-6)
    means = [m["cv"]["roc_auc"]["mean"] for m in facts["models"] if m["status"] in ("succeeded", "stopped")]
    assert means == sorted(means, reverse=True)  # ranked as the printed leaderboard


def test_cli_monitor_exits_0_when_calm_3_on_drift_and_2_on_bad_input_and_records_each_batch(tmp_path):
    data = tmp_path / "churn.csv"
    make_churn(n_rows=900).to_csv(data, index=False)
    trained = _cli(
        "run", "--data", str(data), "--target", "churn", "--models", "logistic_regression", data_dir=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    calm, shifted, other = tmp_path / "calm.csv", tmp_path / "shifted.csv", tmp_path / "other.csv"
    make_churn(n_rows=300, seed=2).to_csv(calm, index=False)
    make_churn(n_rows=300, seed=2).assign(tenure_months=lambda f: f["tenure_months"] // 2).to_csv(shifted, index=False)
    pd.DataFrame({"a": [1, 2]}).to_csv(other, index=False)

    quiet = _cli("monitor", "1", "--data", str(calm), "--json", str(tmp_path / "calm.json"), data_dir=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert "Nothing alarming." in quiet.stdout and "Recorded as batch 1 of run 1." in quiet.stdout
    found = json.loads((tmp_path / "calm.json").read_text())
    assert found["drift"] is False and set(found["performance"]) >= {"roc_auc", "accuracy"}
    assert {"column", "test", "statistic", "p_value", "p_adjusted", "threshold", "drifted"} == set(found["columns"][0])
    assert "The model's probability of yes did not move" in quiet.stdout
    assert "roc_auc" in quiet.stdout and "on 300 rows: within what cross-validation promised" in quiet.stdout
    assert found["performance_check"]["judged"] and found["estimated"] is None

    alarm = _cli("monitor", "1", "--data", str(shifted), "--json", str(tmp_path / "shifted.json"), data_dir=tmp_path)
    assert alarm.returncode == 3, alarm.stderr
    assert "Drift in tenure_months." in alarm.stdout
    drifted = json.loads((tmp_path / "shifted.json").read_text())
    assert [c["column"] for c in drifted["columns"] if c["drifted"]] == ["tenure_months"]
    assert drifted["overall"]["roc_auc"] > 0.6 and "tenure_months" in drifted["overall"]["top_columns"]

    refused = _cli("monitor", "1", "--data", str(other), data_dir=tmp_path)
    assert refused.returncode == 2 and "none of the model's columns" in refused.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'pipewright.db'}")
    with session_scope(engine) as session:
        assert [b.name for b in repo.list_batches(session, run_ids=[1])] == ["calm.csv", "shifted.csv"]
