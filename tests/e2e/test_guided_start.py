"""A new analyst's first steps: the home page says where they stand, the target is guessed on a table whose
target is not last, scores appear fold by fold while the run goes on, and the model explains itself."""

import re

from playwright.sync_api import expect

from pipeline_core.data.samples import make_churn
from tests.e2e.test_journey import _nav


def test_a_guided_start_from_home_to_why_the_model_predicts_what_it_does(app_url, page, shoot, tmp_path):
    table = make_churn(1500)
    table = table[["churn", *[c for c in table.columns if c != "churn"]]]  # the target first, not last
    data = tmp_path / "customers.csv"
    table.to_csv(data, index=False)

    page.goto(app_url)
    expect(page.get_by_role("link", name="Upload a table or load a sample")).to_be_visible()  # the next step
    page.get_by_role("link", name="Upload a table or load a sample").click()
    page.get_by_role("tab", name="Upload a file").click()
    page.locator("input[type=file]").set_input_files(data)
    expect(page.get_by_text("Guessed: its name, churn, is how what is predicted is often named")).to_be_visible()
    expect(page.get_by_text("Ready: predict churn (classification, 2 classes)")).to_be_visible()
    shoot(page, "8_data_target_guessed")

    page.get_by_test_id("stSidebar").get_by_role("link", name="Home", exact=True).click()
    expect(page.get_by_role("heading", name="Pipewright")).to_be_visible()
    expect(page.get_by_text("Target: churn (classification)")).to_be_visible()
    expect(page.get_by_role("link", name="Review the preparation, pick models and train them")).to_be_visible()
    shoot(page, "8_home_next_step")

    _nav(page, "Train")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("Scores so far, fold by fold", exact=False)).to_be_visible(timeout=240_000)
    shoot(page, "8_train_scores_so_far")
    expect(page.get_by_text(re.compile(r"^Run \d+ on customers.csv → churn finished\.$"))).to_be_visible(
        timeout=600_000
    )

    _nav(page, "Compare")
    page.get_by_role("tab", name="Explain").click()
    page.get_by_text(re.compile(r"^Explain ")).click()  # the best model's explanation, worked out when asked for
    expect(page.locator(".js-plotly-plot", has_text="How the probability of yes moves with")).to_be_visible()
    expect(page.locator(".js-plotly-plot", has_text="Why this row")).to_be_visible()
    page.get_by_role("button", name="Predict with these values").click()
    expect(page.get_by_text("probability of yes with these values")).to_be_visible()
    shoot(page, "8_compare_explain")
