"""Monitoring in a real browser: train, upload a shifted batch, see the alert name its column, retrain with it,
compare champion and challenger, promote the challenger."""

import re

import numpy as np
from playwright.sync_api import expect

from pipeline_core.data.samples import make_churn
from tests.e2e.test_journey import _nav


def test_a_shifted_batch_is_flagged_then_retrained_on_and_the_challenger_promoted(app_url, page, shoot, tmp_path):
    data, batch = tmp_path / "customers.csv", tmp_path / "next_month.csv"
    make_churn(800).to_csv(data, index=False)
    shifted = make_churn(500, seed=12)
    shifted["monthly_charges"] *= 1.5
    shifted["churn"] = np.where(shifted["contract"] == "two-year", "yes", "no")  # what churn means has changed
    shifted.to_csv(batch, index=False)

    page.goto(app_url)
    _nav(page, "Data")
    page.get_by_role("tab", name="Upload a file").click()
    page.locator("input[type=file]").set_input_files(data)
    expect(page.get_by_text("Ready: predict churn (classification, 2 classes)")).to_be_visible()
    _nav(page, "Train")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Run \d+ on customers.csv → churn finished\.$"))).to_be_visible(
        timeout=600_000
    )

    _nav(page, "Monitor")
    expect(page.get_by_text("No batch has been checked against this run yet.")).to_be_visible()
    shoot(page, "7_monitor_empty")
    page.locator("input[type=file]").set_input_files(batch)
    page.get_by_role("button", name="Check next_month.csv").click()
    alert = page.get_by_text(re.compile(r"^Alert: drift"))
    expect(alert).to_be_visible(timeout=300_000)
    expect(alert).to_contain_text("monthly_charges")
    expect(page.locator(".js-plotly-plot", has_text="Drift per column")).to_be_visible()
    expect(page.get_by_text("Data contract")).to_be_visible()
    shoot(page, "7_monitor_alert")

    page.get_by_role("button", name="Retrain on the training rows + this batch").click()
    expect(page.get_by_text(re.compile(r"Retrained as run \d+"))).to_be_visible(timeout=600_000)
    page.get_by_role("button", name="Compare champion and challenger").click()
    expect(page.get_by_text("Retrained with the new rows, the model does better on them")).to_be_visible(
        timeout=300_000
    )
    expect(page.locator(".js-plotly-plot", has_text="on the same folds of the new rows")).to_be_visible()
    page.get_by_label("Pipeline name").fill("Churn watched")
    page.get_by_label("Pipeline name").press("Enter")
    page.get_by_role("button", name=re.compile("^Promote the challenger")).click()
    expect(page.get_by_text(re.compile(r"Saved as Churn watched v1"))).to_be_visible()
    shoot(page, "7_monitor_challenger")
