"""Versions in a real browser: save v1, change a setting, save v2, see what changed, take the serving bundle."""

import zipfile

from playwright.sync_api import expect

from tests.e2e.test_journey import _nav


def _train_and_save(page, note: str):
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("Training…", exact=False)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("finished.", exact=False)).to_be_visible(timeout=600_000)
    _nav(page, "Compare")
    page.get_by_label("Pipeline name").fill("Iris e2e")
    page.get_by_label("Note on this version (optional)").fill(note)
    page.get_by_role("button", name="Save pipeline and run").click()
    expect(page.get_by_text("Saved as Iris e2e", exact=False)).to_be_visible()


def test_two_versions_their_differences_and_the_serving_bundle(app_url, page, shoot, tmp_path):
    page.goto(app_url)
    _nav(page, "Data")
    page.get_by_role("tab", name="Sample datasets").click()
    page.get_by_role("combobox", name="Sample").click()
    page.get_by_role("option", name="Iris (scikit-learn)").click()
    page.get_by_role("button", name="Load sample").click()
    expect(page.get_by_text("Ready: predict species", exact=False)).to_be_visible()
    _nav(page, "Train")
    _train_and_save(page, "first")

    _nav(page, "Train")
    page.get_by_role("spinbutton", name="Random seed").fill("7")
    page.get_by_role("spinbutton", name="Random seed").press("Enter")
    expect(page.get_by_role("spinbutton", name="Random seed")).to_have_value("7")  # Train sends it with the click
    _train_and_save(page, "another seed")

    _nav(page, "Pipelines")
    page.get_by_role("combobox", name="Pipeline").click()
    page.get_by_role("option", name="Iris e2e").click()
    expect(page.get_by_text("Validation: seed 42 → 7")).to_be_visible()
    shoot(page, "10_versions")

    _nav(page, "Export")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the serving bundle (.zip)").click()
    bundle = tmp_path / "bundle.zip"
    download.value.save_as(bundle)
    assert {"serve.py", "model.skops", "Dockerfile", "requirements.txt"} <= set(zipfile.ZipFile(bundle).namelist())
    shoot(page, "11_export")
