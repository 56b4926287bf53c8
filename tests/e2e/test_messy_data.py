"""An analyst uploads a messy export, reads the validation report, and fixes what it finds in one click."""

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from tests.e2e.test_journey import _nav


def _messy_csv(path) -> None:
    rng = np.random.default_rng(3)
    n = 240
    frame = pd.DataFrame(
        {
            "shop_id": np.arange(1000, 1000 + n),
            "city": rng.choice(["São Paulo", "Zürich", "Kraków", "Besançon"], n),
            "opened": pd.date_range("2015-01-01", periods=n, freq="7D").strftime("%d/%m/%Y"),
            "revenue": [f"${v:,.2f}" for v in rng.uniform(10_000, 90_000, n)],
            "staff": rng.integers(2, 30, n),
            "profitable": rng.choice(["oui", "non"], n),
        }
    )
    frame = pd.concat([frame, frame.iloc[:12]])  # an export that repeated some rows
    frame.to_csv(path, sep=";", index=False, encoding="latin-1")


def test_messy_upload_shows_findings_and_one_click_fixes(app_url, page, shoot, tmp_path):
    data = tmp_path / "shops export.csv"
    _messy_csv(data)
    page.goto(app_url)
    _nav(page, "Data")
    page.locator("input[type=file]").set_input_files(data)

    expect(page.get_by_text("Ready: predict profitable")).to_be_visible()
    expect(page.get_by_text("Zürich").first).to_be_attached()  # latin-1 accents intact, in the table's cells
    duplicates = page.get_by_text("12 rows (4.8%) repeat an earlier row exactly", exact=False)
    expect(page.get_by_text("revenue holds numbers written as text")).to_be_visible()
    expect(page.get_by_text("12 rows (4.8%) repeat an earlier row exactly", exact=False)).to_be_visible()
    expect(page.get_by_text("opened holds dates (%d/%m/%Y)")).to_be_visible()
    shoot(page, "7_data_findings")

    page.get_by_role("button", name="Read as numbers").click()
    expect(page.get_by_text("revenue holds numbers written as text")).to_have_count(0)
    page.get_by_role("button", name="Drop duplicate rows").click()
    expect(page.get_by_text("Before the split: Drop duplicate rows")).to_be_visible()
    expect(duplicates).to_have_count(0)
    shoot(page, "8_data_fixed")
