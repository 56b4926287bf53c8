"""Sign-in on the pages (AppTest, from app.py): nothing but the form until the right password, a sign-in that
expires, an identity provider's users each seeing their own work and the team's, and settings that are wrong
(sign-in's, the database's)."""

from datetime import UTC, datetime, timedelta

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from pipeline_core.spec import default_spec
from services import accounts, pipelines
from storage.db import Storage
from tests.ui.conftest import APP, open_page
from ui.signin import SIGNED_IN_AT

PASSWORD = "correct horse battery"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test", "client_id": "pipewright"}


@pytest.fixture
def signing_in(data_dir, monkeypatch):
    """An app that asks for a password, with one account, Ann's."""
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "password")
    st.cache_resource.clear()
    st.cache_data.clear()
    opened = Storage.open()
    accounts.add(opened, "ann", PASSWORD)
    opened.engine.dispose()
    return AppTest.from_file(APP, default_timeout=60)


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def _headings(at: AppTest) -> list[str]:
    return [heading.value for heading in at.title] + [heading.value for heading in at.subheader]


def test_a_page_shows_only_the_sign_in_form_until_the_right_password_is_given(signing_in):
    at = signing_in.run()
    assert _headings(at) == ["Sign in to Pipewright"] and [box.label for box in at.text_input] == ["Name", "Password"]
    _sign_in(at, "ann", "not her password")
    assert "Wrong name or password" in at.error[0].value and "Where you are" not in _headings(at)
    _sign_in(at, "ann", PASSWORD)
    assert not at.exception and not at.error
    assert "Where you are" in _headings(at)
    assert "Signed in as **ann**" in [caption.value for caption in at.sidebar.caption]
    at.sidebar.button(key="sign_out").click().run()
    assert _headings(at) == ["Sign in to Pipewright"]
    _sign_in(at, "ann", PASSWORD)
    open_page(at, "5_Pipelines")  # every page, not just the first
    assert "Pipelines" in _headings(at) and "Signed in as **ann**" in [c.value for c in at.sidebar.caption]


def test_a_sign_in_older_than_its_hours_asks_for_another(signing_in):
    at = _sign_in(signing_in.run(), "ann", PASSWORD)
    at.session_state[SIGNED_IN_AT] = datetime.now(UTC) - timedelta(hours=8, minutes=1)
    at.run()
    assert "Your sign-in expired after 8 hours: sign in again." in at.warning[0].value
    assert _headings(at) == ["Sign in to Pipewright"]


def test_with_an_identity_provider_each_person_sees_their_own_pipelines_and_the_shared_ones(data_dir, monkeypatch):
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "oidc")
    st.cache_resource.clear()
    spec = default_spec(target="churn", task="classification")
    store = Storage.open()
    ann, bob = store.acting_as("ann@example.com"), store.acting_as("bob@example.com")
    pipelines.save(ann, name="Ann's churn", spec=spec)
    pipelines.save(bob, name="Bob's churn", spec=spec)
    pipelines.share(bob, pipelines.save(bob, name="Team churn", spec=spec).pipeline_id)
    store.engine.dispose()
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert _headings(at) == ["Sign in to Pipewright"] and at.button[0].label == "Sign in"

    at.user = {"is_logged_in": True, "email": "ann@example.com", "iat": datetime.now(UTC).timestamp()}
    at.run()
    listed = at.dataframe[0].value
    assert sorted(zip(listed["Pipeline"], listed["Owner"], strict=True)) == [
        ("Ann's churn", "you"),
        ("Team churn", "bob@example.com"),
    ]
    open_page(at, "5_Pipelines")
    for name, hers in (("Team churn", False), ("Ann's churn", True)):
        choice = at.selectbox(key="pipeline")
        choice.select_index(choice.options.index(name)).run()
        assert at.button(key="rename").disabled is not hers and at.button(key="archive").disabled is not hers
        assert at.button(key="clone").disabled is False  # anyone who sees it may copy it

    at.user = {"is_logged_in": True, "email": "bob@example.com", "iat": datetime.now(UTC).timestamp()}
    at.switch_page("app.py").run()  # another person in the same browser session
    assert "Signed in as **bob@example.com**" in [caption.value for caption in at.sidebar.caption]
    assert sorted(at.dataframe[0].value["Pipeline"]) == ["Bob's churn", "Team churn"]
    monkeypatch.setenv("PIPEWRIGHT_EMAIL_DOMAINS", "example.com")
    at.user = {"is_logged_in": True, "email": "eve@gmail.com", "email_verified": True}
    at.run()
    assert "eve@gmail.com is not one of this team's" in at.error[0].value and "Where you are" not in _headings(at)


def test_settings_that_are_wrong_say_so_and_let_nobody_in(data_dir, monkeypatch):
    st.cache_resource.clear()
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "oidc")  # but no [auth] section in the secrets
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "needs an `[auth]` section" in at.error[0].value and "Where you are" not in _headings(at)
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "yes please")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "must be 'password', 'oidc' or 'off'" in at.error[0].value and not at.exception
    monkeypatch.delenv("PIPEWRIGHT_SIGN_IN")
    monkeypatch.setenv("PIPEWRIGHT_DB_URL", "postgresql+psycopg://ann:secret@127.0.0.1:1/team")  # no server there
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    message = at.error[0].value
    assert "postgresql+psycopg://ann:***@127.0.0.1:1/team cannot be used" in message and "secret" not in message
    assert "Check PIPEWRIGHT_DB_URL" in message and not at.exception


def test_an_owner_shares_a_pipeline_with_its_switch_and_stops_sharing_it_the_same_way(data_dir, monkeypatch):
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "oidc")
    st.cache_resource.clear()
    store = Storage.open()
    pipelines.save(
        store.acting_as("ann@example.com"), name="Ann's churn", spec=default_spec(target="churn", task="classification")
    )
    bob = store.acting_as("bob@example.com")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ann@example.com"}
    at.run()
    open_page(at, "5_Pipelines")
    for shared in (True, False):
        at.toggle(key="shared.PipelineSummary.1").set_value(shared).run()
        assert not at.exception and at.dataframe[0].value["Shared"].tolist() == [shared]
        assert [p.name for p in pipelines.listed(bob)] == (["Ann's churn"] if shared else [])
    store.engine.dispose()
