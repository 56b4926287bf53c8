"""Clustering in a real browser: customers grouped into segments, each described by its churn share."""

from playwright.sync_api import expect

from tests.e2e.test_journey import _nav


def test_customers_are_grouped_into_segments(app_url, page, shoot):
    page.goto(app_url)
    _nav(page, "Data")
    page.get_by_role("tab", name="Sample datasets").click()
    page.get_by_role("button", name="Load sample").click()
    expect(page.get_by_text("Ready: predict churn", exact=False)).to_be_visible()
    page.get_by_role("radiogroup", name="Task").get_by_text("clustering", exact=True).click()
    expect(page.get_by_text("is left out and describes the groups afterwards", exact=False)).to_be_visible()

    _nav(page, "Train")
    expect(page.get_by_text("Clustering has no target to validate against", exact=False)).to_be_visible()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("finished.", exact=False)).to_be_visible(timeout=600_000)

    _nav(page, "Compare")
    expect(page.locator(".js-plotly-plot", has_text="2-D PCA projection")).to_be_visible()
    expect(page.locator(".js-plotly-plot", has_text="share churn = yes").first).to_be_visible()
    shoot(page, "9_segments")
