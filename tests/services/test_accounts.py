"""Sign-in with Pipewright's own accounts, on a real store: argon2 hashes, failures logged and rate-limited, the
admin's command, and the settings that turn it on."""

import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from services import accounts
from services.accounts import FAILURES_ALLOWED, LOCKOUT, SignInError
from storage.db import Storage, session_scope
from storage.models import Account, SignIn

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


@pytest.fixture
def storage(database_url, data_dir):
    opened = Storage.open(database_url)
    accounts.add(opened, "ann", PASSWORD)
    yield opened
    opened.engine.dispose()


def _attempts(storage) -> list[tuple[str, bool]]:
    with session_scope(storage.engine) as session:
        return [(row.name, row.succeeded) for row in session.exec(select(SignIn).order_by(SignIn.id))]


def test_the_right_password_signs_in_and_only_a_salted_argon2_hash_is_kept(storage):
    assert accounts.sign_in(storage, " ann ", PASSWORD) == "ann"
    accounts.add(storage, "bob", PASSWORD)
    with session_scope(storage.engine) as session:
        hashes = [account.password_hash for account in session.exec(select(Account).order_by(Account.name))]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # one salt each: the same password does not give the same hash
    assert _attempts(storage) == [("ann", True)]


def test_a_wrong_password_and_an_unknown_name_get_the_same_answer_and_are_logged(storage, caplog):
    with caplog.at_level(logging.WARNING, logger="services.accounts"):
        for name, password in (("ann", "wrong password"), ("nobody", PASSWORD)):
            with pytest.raises(SignInError, match=r"^Wrong name or password \(4 more tries before a 15-minute"):
                accounts.sign_in(storage, name, password)
    assert [record.getMessage() for record in caplog.records] == [
        "failed sign-in as 'ann'",
        "failed sign-in as 'nobody'",
    ]
    assert _attempts(storage) == [("ann", False), ("nobody", False)]


def test_after_five_failures_even_the_right_password_waits_until_the_first_is_fifteen_minutes_old(storage):
    start = datetime.now(UTC)
    for _ in range(FAILURES_ALLOWED - 1):
        with pytest.raises(SignInError, match="more tr"):
            accounts.sign_in(storage, "ann", "guess", now=start)
    with pytest.raises(SignInError, match="too many times: sign-in as 'ann' pauses for 15 minutes"):
        accounts.sign_in(storage, "ann", "guess", now=start)
    with pytest.raises(SignInError, match="Too many failed sign-ins as 'ann': try again in 10 minutes"):
        accounts.sign_in(storage, "ann", PASSWORD, now=start + timedelta(minutes=5))
    accounts.add(storage, "bob", PASSWORD)
    assert accounts.sign_in(storage, "bob", PASSWORD, now=start) == "bob"  # Ann's failures pause her name alone
    assert accounts.sign_in(storage, "ann", PASSWORD, now=start + LOCKOUT + timedelta(seconds=1)) == "ann"
    assert len(_attempts(storage)) == FAILURES_ALLOWED + 2  # a refused attempt is not tried, so not counted


def test_attempts_made_at_the_same_moment_are_limited_as_if_made_one_by_one(storage):
    with ThreadPoolExecutor(12) as attempts:
        outcomes = list(attempts.map(lambda _: _refusal(storage, "ann", "guess"), range(12)))
    assert sum("Wrong name or password" in outcome for outcome in outcomes) == FAILURES_ALLOWED
    assert sum("Too many failed sign-ins" in outcome for outcome in outcomes) == 12 - FAILURES_ALLOWED
    assert _attempts(storage) == [("ann", False)] * FAILURES_ALLOWED  # only those tried are counted


def _refusal(storage, name: str, password: str) -> str:
    try:
        accounts.sign_in(storage, name, password)
    except SignInError as error:
        return str(error)
    return "signed in"


def test_an_identity_providers_user_is_let_in_only_verified_and_of_the_teams_domains(monkeypatch):
    assert accounts.admitted("ann@gmail.com") and not accounts.admitted("ann@example.com", verified=False)
    monkeypatch.setenv("PIPEWRIGHT_EMAIL_DOMAINS", "example.com, @Corp.Example")
    assert accounts.admitted("ann@example.com", verified=True) and accounts.admitted("bob@corp.example")
    assert not accounts.admitted("ann@gmail.com") and not accounts.admitted(None)
    assert not accounts.admitted("ann@example.com.evil.org")


def test_accounts_need_a_name_a_long_enough_password_and_a_free_name(storage):
    for name, password, error in (
        (" ", PASSWORD, "needs a name"),
        ("cy", "short", "at least 10 characters"),
        ("ann", PASSWORD, "already an account called 'ann'"),
    ):
        with pytest.raises(ValueError, match=error):
            accounts.add(storage, name, password)
    accounts.add(storage, "ann", "a new long password", replace=True)
    assert accounts.sign_in(storage, "ann", "a new long password") == "ann"
    with pytest.raises(SignInError):
        accounts.sign_in(storage, "ann", PASSWORD)


def test_the_admin_command_adds_an_account_from_standard_input(storage, data_dir, database_url):
    env = {"PIPEWRIGHT_DATA_DIR": str(data_dir), "PIPEWRIGHT_DB_URL": database_url, "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "pipeline_core", "add-account", "cy"]
    added = subprocess.run(command, input="cy's long password\n", cwd=ROOT, env=env, capture_output=True, text=True)
    assert added.returncode == 0 and "account 'cy' added" in added.stdout, added.stderr
    assert accounts.sign_in(storage, "cy", "cy's long password") == "cy"
    again = subprocess.run(command, input="another password\n", cwd=ROOT, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "already an account called 'cy'" in again.stderr


def test_the_settings_say_what_is_wrong_with_them(monkeypatch):
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "ldap")
    with pytest.raises(SignInError, match="must be 'password', 'oidc' or 'off', not 'ldap'"):
        accounts.mode()
    monkeypatch.setenv("PIPEWRIGHT_SIGN_IN", "Password")
    assert accounts.mode() == "password"
    monkeypatch.setenv("PIPEWRIGHT_SESSION_HOURS", "0")
    with pytest.raises(SignInError, match="above 0, not '0'"):
        accounts.session_hours()
    monkeypatch.setenv("PIPEWRIGHT_SESSION_HOURS", "0.5")
    now = datetime.now(UTC)
    assert accounts.expired(now - timedelta(minutes=31), now) and not accounts.expired(now - timedelta(minutes=29), now)
