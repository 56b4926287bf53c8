"""Sign-in: off by default; with PIPEWRIGHT_SIGN_IN=oidc, through the team's identity provider (Streamlit's own
st.login); with PIPEWRIGHT_SIGN_IN=password, with Pipewright's own accounts, added by an admin's command.

Passwords are kept as argon2id hashes (argon2-cffi: the memory-hard hash OWASP recommends first, each with its own
salt, its cost raised by re-hashing at the next sign-in). Every attempt is logged, and after FAILURES_ALLOWED
failures within LOCKOUT a name is refused until the oldest is that old, attempts made at the same moment included:
guessing one name's password gets at most FAILURES_ALLOWED tries per LOCKOUT."""

import logging
import os
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pipeline_core.words import counted
from storage import repo
from storage.db import Storage, session_scope

MODES = ("password", "oidc")
FAILURES_ALLOWED = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD = 10
SESSION_HOURS = 8.0  # a sign-in's life unless PIPEWRIGHT_SESSION_HOURS says otherwise
_HASHER = PasswordHasher()
_NOBODY = _HASHER.hash("no such account")  # checked against for an unknown name, so it takes as long as a known one
log = logging.getLogger(__name__)


class SignInError(Exception):
    """A sign-in refused, or sign-in set up wrongly; the message says which, in plain words."""


def mode() -> str | None:
    """How people sign in (PIPEWRIGHT_SIGN_IN): 'password', 'oidc', or None when sign-in is off.

    Raises:
        SignInError: a setting that is none of these (the app then lets nobody in, rather than everybody).
    """
    setting = os.environ.get("PIPEWRIGHT_SIGN_IN", "").strip().lower()
    if setting in ("", "off"):
        return None
    if setting not in MODES:
        raise SignInError(f"PIPEWRIGHT_SIGN_IN must be 'password', 'oidc' or 'off', not {setting!r}.")
    return setting


def session_hours() -> float:
    """How long a sign-in lasts (PIPEWRIGHT_SESSION_HOURS, default 8)."""
    setting = os.environ.get("PIPEWRIGHT_SESSION_HOURS") or str(SESSION_HOURS)
    try:
        hours = float(setting)
    except ValueError:
        hours = 0.0
    if not hours > 0:
        raise SignInError(f"PIPEWRIGHT_SESSION_HOURS must be a number of hours above 0, not {setting!r}.")
    return hours


def admitted(email: str | None, *, verified: bool | None = None) -> bool:
    """Whether an identity provider's user may come in: not an address the provider says is unverified, and, when
    PIPEWRIGHT_EMAIL_DOMAINS lists the team's domains (as it should with a public provider), of one of them."""
    setting = os.environ.get("PIPEWRIGHT_EMAIL_DOMAINS", "")
    domains = {domain.strip().lower().removeprefix("@") for domain in setting.split(",") if domain.strip()}
    if verified is False:
        return False
    return not domains or (email is not None and email.rpartition("@")[2].lower() in domains)


def expired(signed_in_at: datetime, now: datetime | None = None) -> bool:
    return (now or datetime.now(UTC)) - signed_in_at > timedelta(hours=session_hours())


def add(storage: Storage, name: str, password: str, *, replace: bool = False) -> None:
    """Add an account (or, `replace`, give it a new password).

    Raises:
        ValueError: no name, a name taken, or a password shorter than MIN_PASSWORD.
    """
    name = name.strip()
    if not name:
        raise ValueError("An account needs a name.")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"A password needs at least {MIN_PASSWORD} characters.")
    with session_scope(storage.engine) as session:
        repo.add_account(session, name=name, password_hash=_HASHER.hash(password), replace=replace)


def sign_in(storage: Storage, name: str, password: str, now: datetime | None = None) -> str:
    """The account's name when the password is its own; each attempt is logged.

    Raises:
        SignInError: a wrong name or password, or too many failures of late (said how long to wait).
    """
    name, now = name.strip(), now or datetime.now(UTC)
    with session_scope(storage.engine) as session:  # attempts take turns here, each a failure until it succeeds
        repo.take_turns_signing_in(session)
        attempt = repo.record_sign_in(session, name=name, at=now)
        failures = repo.failed_sign_ins(session, name=name, since=now - LOCKOUT, before=attempt)
        locked = len(failures) >= FAILURES_ALLOWED
        if locked:
            repo.forget_sign_in(session, attempt_id=attempt)  # not tried, so not counted
    if locked:
        log.warning("sign-in as %r refused: %d failures within %s", name, len(failures), LOCKOUT)
        free_at = failures[-FAILURES_ALLOWED] + LOCKOUT
        raise SignInError(f"Too many failed sign-ins as '{name}': try again in {_minutes(free_at - now)} minutes.")
    with session_scope(storage.engine) as session:
        stored = repo.password_hash(session, name=name)
        succeeded = _verify(stored or _NOBODY, password) and stored is not None
        if succeeded:
            repo.sign_in_succeeded(session, attempt_id=attempt)
            if _HASHER.check_needs_rehash(stored):
                repo.add_account(session, name=name, password_hash=_HASHER.hash(password), replace=True)
    if not succeeded:
        log.warning("failed sign-in as %r", name)
        left = FAILURES_ALLOWED - len(failures) - 1
        minutes = _minutes(LOCKOUT)
        raise SignInError(
            f"Wrong name or password ({counted(left, 'more try', 'more tries')} before a {minutes}-minute pause)."
            if left
            else f"Wrong name or password, too many times: sign-in as '{name}' pauses for {minutes} minutes."
        )
    log.info("signed in: %r", name)
    return name


def _minutes(span: timedelta) -> int:
    return max(1, round(span.total_seconds() / 60))


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
