"""The analyst's journey in a real browser: upload → prepare → train → compare → save → reopen → download."""

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from pipeline_core.data.samples import make_churn


def _nav(page, name: str) -> None:
    """Follow the sidebar link, as a user does (a new URL would start a new session)."""
    page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_analyst_journey(app_url, page, shoot, tmp_path):
    data = tmp_path / "churn.csv"
    make_churn().to_csv(data, index=False)

    page.goto(app_url)
    expect(page.get_by_role("heading", name="Pipewright")).to_be_visible()
    shoot(page, "0_home")

    # Data: upload a CSV; churn, named as targets are, is the target; customer_id is left out
    _nav(page, "Data")
    page.get_by_role("tab", name="Upload a file").click()
    page.locator("input[type=file]").set_input_files(data)
    expect(page.get_by_text("Ready: predict churn (classification, 2 classes)")).to_be_visible()
    expect(page.get_by_text("1,500", exact=True)).to_be_visible()
    shoot(page, "1_data")

    # Prepare: replace the standard scaler by min-max scaling, and see the preview
    _nav(page, "Prepare")
    page.locator(".st-key-numeric-1-standard_scaler-remove button").first.click()
    expect(page.get_by_text("2. Standard scaling")).to_have_count(0)
    _choose(page, "Add a numeric step", "Scale · Min-max scaling")
    page.locator(".st-key-numeric-add button").first.click()
    expect(page.get_by_text("2. Min-max scaling")).to_be_visible()
    page.locator(".st-key-numeric-1-minmax_scaler-up button").first.click()  # reorder: scale, then fill
    expect(page.get_by_text("1. Min-max scaling")).to_be_visible()
    page.locator(".st-key-numeric-0-minmax_scaler-down button").first.click()
    expect(page.get_by_text("2. Min-max scaling")).to_be_visible()
    expect(page.get_by_text("16 features out", exact=False)).to_be_visible()
    page.get_by_text("Add 'was missing' columns").first.click()  # the preview follows the form
    expect(page.get_by_text("16 features out", exact=False)).to_have_count(0)
    page.get_by_text("Add 'was missing' columns").first.click()
    expect(page.get_by_text("16 features out", exact=False)).to_be_visible()
    shoot(page, "2_prepare")

    # Train: the three default models; refresh the browser mid-run and watch the same run finish
    _nav(page, "Train")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("elapsed", exact=False)).to_be_visible(timeout=120_000)
    shoot(page, "3_train_running")
    page.reload()
    expect(page.get_by_text(re.compile(r"^Run \d+ · churn.csv → churn$"))).to_be_visible()  # it outlived the tab
    expect(page.get_by_text(re.compile(r"^Run \d+ on churn.csv → churn finished\.$"))).to_be_visible(timeout=600_000)
    shoot(page, "3_train")

    # Compare: leaderboard, whether the differences are real, charts per tab; save the pipeline
    _nav(page, "Compare")
    expect(page.get_by_text("is better than Baseline (dummy)", exact=False).first).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts.first).to_contain_text("Baseline (dummy)")
    page.get_by_role("tab", name="Curves").click()
    expect(page.locator(".js-plotly-plot", has_text="ROC curves")).to_be_visible()
    expect(page.locator(".js-plotly-plot", has_text="Cumulative gain")).to_be_visible()
    shoot(page, "4_compare_curves")
    page.get_by_role("tab", name="Scores").click()
    page.get_by_label("Pipeline name").fill("Churn e2e")
    page.get_by_role("button", name="Save pipeline and run").click()
    expect(page.get_by_text("Saved as Churn e2e v1.")).to_be_visible()
    shoot(page, "4_compare")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Download the best model")).click()
    model_file = tmp_path / "best.skops"
    download.value.save_as(model_file)

    # Pipelines: the saved pipeline reopens with its min-max scaler
    _nav(page, "Pipelines")
    expect(page.get_by_role("heading", name="Churn e2e · v1")).to_be_visible()
    shoot(page, "5_pipelines")
    page.get_by_role("button", name="Open in Prepare and Train").click()
    expect(page.get_by_role("heading", name="Prepare", exact=True)).to_be_visible()
    expect(page.get_by_text("2. Min-max scaling")).to_be_visible()

    _nav(page, "Export")
    expect(page.get_by_text("sio.load(")).to_be_visible()
    shoot(page, "6_export")

    _predict_without_pipewright(model_file, data, tmp_path)


def _predict_without_pipewright(model_file: Path, data: Path, workdir: Path) -> None:
    """The downloaded file predicts in a Python where the project cannot be imported."""
    script = f"""
import importlib.util, sys
assert importlib.util.find_spec("pipeline_core") is None, "the project must not be importable here"
import pandas as pd, skops.io as sio
model = sio.load({str(model_file)!r}, trusted=sio.get_untrusted_types(file={str(model_file)!r}))
rows = pd.read_csv({str(data)!r}).drop(columns="churn").head(5)
print(",".join(model.predict(rows)))
"""
    out = subprocess.run([sys.executable, "-I", "-c", script], cwd=workdir, capture_output=True, text=True, check=True)
    assert set(out.stdout.strip().split(",")) <= {"yes", "no"}
