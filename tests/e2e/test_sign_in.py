"""A team's server that asks for a password: an account added with the admin's command, a wrong password refused
on the page, the right one letting its owner in, another person seeing none of her work, and signing out."""

import subprocess
import sys

from playwright.sync_api import expect

from tests.e2e.conftest import ROOT, new_page, serving
from tests.e2e.test_journey import _nav
from tests.e2e.test_sessions import _load_sample

PASSWORDS = {"ann": "ann's long password", "bob": "bob's long password"}


def _sign_in(page, name: str, password: str) -> None:
    page.get_by_role("textbox", name="Name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_team_server_lets_in_only_its_accounts_each_seeing_their_own_datasets(tmp_path, browser, page, shoot):
    for name, password in PASSWORDS.items():
        env = {"PIPEWRIGHT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
        command = [sys.executable, "-m", "pipeline_core", "add-account", name]
        subprocess.run(command, input=password + "\n", cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    with serving(tmp_path, PIPEWRIGHT_SIGN_IN="password") as url:
        page.goto(url)
        expect(page.get_by_role("heading", name="Sign in to Pipewright")).to_be_visible()
        _sign_in(page, "ann", "a guess")
        expect(page.get_by_text("Wrong name or password", exact=False)).to_be_visible()
        shoot(page, "15_sign_in_refused")
        _sign_in(page, "ann", PASSWORDS["ann"])
        expect(page.get_by_text("Signed in as ann")).to_be_visible()
        _load_sample(page, "Iris (scikit-learn)", "Ready: predict species")
        page.get_by_role("tab", name="Stored datasets").click()
        expect(page.get_by_role("switch", name="Shared with the team")).to_be_visible()  # hers to share
        shoot(page, "16_signed_in_data")

        other = new_page(browser)
        try:
            other.goto(url)
            _sign_in(other, "bob", PASSWORDS["bob"])
            expect(other.get_by_text("Signed in as bob")).to_be_visible()
            _nav(other, "Data")
            other.get_by_role("tab", name="Stored datasets").click()
            expect(other.get_by_text("Every file you load is stored here once", exact=False)).to_be_visible()
        finally:
            other.context.close()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="Sign in to Pipewright")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
