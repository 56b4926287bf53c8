"""Two people on one server, each in a browser of their own: neither sees the other's draft or run."""

from playwright.sync_api import expect

from tests.e2e.conftest import new_page
from tests.e2e.test_journey import _nav


def _load_sample(page, label: str, ready: str) -> None:
    _nav(page, "Data")
    page.get_by_role("tab", name="Sample datasets").click()
    page.get_by_role("combobox", name="Sample").click()
    page.get_by_role("option", name=label).click()
    page.get_by_role("button", name="Load sample").click()
    expect(page.get_by_text(ready, exact=False)).to_be_visible()


def test_two_sessions_never_see_each_others_draft_or_run(app_url, browser, page, shoot):
    page.goto(app_url)
    _load_sample(page, "Iris (scikit-learn)", "Ready: predict species")
    _nav(page, "Train")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_text("finished.", exact=False)).to_be_visible(timeout=600_000)

    other = new_page(browser)
    try:
        other.goto(app_url)
        _nav(other, "Train")
        expect(other.get_by_text("No dataset yet", exact=False)).to_be_visible()
        _load_sample(other, "Diabetes (scikit-learn)", "Ready: predict progression")
        _nav(other, "Train")
        expect(other.get_by_text("Estimated time", exact=False)).to_be_visible()
        expect(other.get_by_text("finished.", exact=False)).to_have_count(0)  # the first person's run is theirs
        other.reload()  # the address keeps this session's draft
        expect(other.get_by_text("target progression", exact=False)).to_be_visible()
        expect(other.get_by_role("button", name="Train", exact=True)).to_be_visible()
        shoot(other, "12_second_session")
    finally:
        other.context.close()

    page.reload()
    expect(page.get_by_text("target species", exact=False)).to_be_visible()  # still the first person's draft
    expect(page.get_by_text("finished.", exact=False)).to_be_visible()
