"""Page set-up shared by every page."""

import streamlit as st

from ui import messages, state
from ui.messages import as_markdown


def setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Pipewright", page_icon=":material/construction:", layout="wide")
    state.draft_key()  # the session's draft, named in the address so a refresh finds it
    st.title(title)


def require_spec():
    """The draft spec, or stop the page with a message saying what to do first."""
    if state.dataset() is None:
        st.info(messages.NO_DATASET)
        st.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table:")
        st.stop()
    if state.spec() is None:
        st.info(messages.NO_TARGET)
        st.page_link("pages/1_Data.py", label="Go to Data", icon=":material/table:")
        st.stop()
    return state.spec()


def context_caption() -> None:
    """One line saying which dataset and target the page works on."""
    dataset, spec = state.dataset(), state.spec()
    if dataset and spec:
        st.caption(
            as_markdown(
                f"Dataset **{dataset.name}** ({dataset.n_rows:,} rows × {dataset.n_columns} columns) · "
                f"target `{spec.data.target}` · {spec.data.task}"
            )
        )
