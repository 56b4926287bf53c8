"""Who is at the keyboard, when sign-in is on (services.accounts): every page shows nothing else until someone
signs in, and a sign-in that has outlived PIPEWRIGHT_SESSION_HOURS asks for another."""

from collections.abc import Callable
from datetime import UTC, datetime

import streamlit as st

from services import access, accounts
from services.accounts import SignInError
from storage.errors import StorageError
from ui import resources
from ui.messages import as_markdown

SIGNED_IN_AT = "signed_in_at"
NO_PROVIDER = (
    "Sign-in through an identity provider (PIPEWRIGHT_SIGN_IN=oidc) needs an `[auth]` section in "
    "`.streamlit/secrets.toml`: see the README."
)


def require() -> None:
    """Stop the page at a sign-in form (or button) unless someone is signed in, and freshly; then say who in the
    sidebar, with a way to sign out."""
    try:
        mode, hours = accounts.mode(), accounts.session_hours()
    except SignInError as error:
        st.error(str(error))
        st.stop()
    if mode is None:
        return
    user = _by_password() if mode == "password" else _by_provider()
    if user is None:
        with st.container(horizontal_alignment="center"), st.container(width=520):  # a card, not a page-wide form
            st.title("Sign in to Pipewright")
            if mode == "password":
                _password_form(hours)
            else:
                _provider_button(hours)
        st.stop()
    previous = st.session_state.get(resources.SIGNED_IN_AS)
    if previous != user:  # the provider's user, the first time seen
        if previous is not None:
            st.session_state.clear()  # another person in this browser: nothing of the last one's session stays
        st.session_state[resources.SIGNED_IN_AS] = user
    with st.sidebar:
        st.caption(as_markdown(f"Signed in as **{user}**"))
        st.button("Sign out", key="sign_out", icon=":material/logout:", on_click=_sign_out, args=(mode,))


def _sign_out(mode: str) -> None:
    """Before the page runs again: forget everything of this session (the next person starts afresh)."""
    st.session_state.clear()
    if mode == "oidc":
        st.logout()  # ends the identity cookie too


def _by_password() -> str | None:
    user, since = st.session_state.get(resources.SIGNED_IN_AS), st.session_state.get(SIGNED_IN_AT)
    return user if since is not None and not accounts.expired(since) else None


def _password_form(hours: float) -> None:
    if SIGNED_IN_AT in st.session_state:
        st.session_state.clear()
        st.warning(f"Your sign-in expired after {hours:g} hours: sign in again.")
    with st.form("sign_in"):
        name = st.text_input("Name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        if st.form_submit_button("Sign in", type="primary"):
            try:
                signed_in = accounts.sign_in(resources.storage(), name, password)
            except SignInError as error:
                st.error(str(error))
                return
            st.session_state[resources.SIGNED_IN_AS], st.session_state[SIGNED_IN_AT] = signed_in, datetime.now(UTC)
            st.rerun()
    st.caption("No account yet? Ask whoever runs Pipewright for your team to add one.")


def _by_provider() -> str | None:
    """The provider's user, when let in and signed in within the hours (since the provider issued their token,
    or, saying nothing of it, since this session first saw them)."""
    if not _provider_configured() or not st.user.is_logged_in or not _admitted():
        return None
    issued = st.user.get("iat")
    since = (
        datetime.fromtimestamp(issued, UTC) if issued else st.session_state.setdefault(SIGNED_IN_AT, datetime.now(UTC))
    )
    return None if accounts.expired(since) else st.user.get("email") or st.user.get("sub")


def _admitted() -> bool:
    return accounts.admitted(st.user.get("email"), verified=st.user.get("email_verified"))


def _provider_button(hours: float) -> None:
    if not _provider_configured():
        st.error(as_markdown(NO_PROVIDER))
        return
    if st.user.is_logged_in and not _admitted():
        st.error(
            as_markdown(f"{st.user.get('email') or 'This account'} is not one of this team's: sign in with another.")
        )
        if st.button("Sign out", icon=":material/logout:"):
            st.logout()
        return
    if st.user.is_logged_in:
        st.warning(f"Your sign-in expired after {hours:g} hours: sign in again.")
    else:
        st.info("Sign in with your team's account to use Pipewright.")
    if st.button("Sign in", type="primary", icon=":material/login:"):
        st.login()


def _provider_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def is_on() -> bool:
    """Whether someone is signed in to this session (sign-in is on, and the page got past `require`)."""
    return resources.storage().user is not None


def whose(owner: str) -> str:
    """A record's owner as the lists say it: 'you', their name, or 'team' (made while sign-in was off)."""
    return "you" if owner == resources.storage().user else owner or "team"


def ownership(record) -> dict:
    """A list's Owner and Shared columns for a dataset or pipeline, when people sign in (none when they do not)."""
    return {"Owner": whose(record.owner), "Shared": record.shared} if is_on() else {}


def made_by(run) -> dict:
    """A list of runs' By column, when people sign in."""
    return {"By": whose(run.owner)} if is_on() else {}


def share_switch(record, share: Callable[..., None], *, what: str, where=st) -> None:
    """For the signed-in owner of a dataset, run or pipeline: a switch sharing it with the team (`what` the team
    then sees), which calls `share(storage, id, shared=…)` when flipped, before the page runs again."""
    if not is_on() or record.owner != resources.storage().user:
        return
    key = f"shared.{type(record).__name__}.{record.id}"
    where.toggle(
        "Shared with the team",
        value=record.shared,
        key=key,
        help=f"The team sees {what}; only you change it.",
        on_change=_share,
        args=(share, record.id, key),
    )


def _share(share: Callable[..., None], record_id: int, key: str) -> None:
    try:
        share(resources.storage(), record_id, shared=st.session_state[key])
    except StorageError as error:  # gone, or no longer theirs, since the page was drawn
        st.toast(str(error), icon=":material/error:")


def may_change(owner: str) -> bool:
    return access.may_change(resources.storage(), owner)
