"""Page set-up shared by every page."""

import streamlit as st

from storage.errors import StorageError
from ui import messages, resources, signin, state
from ui.messages import as_markdown

# Every page, in the journey's order: the sidebar and the home page link them by these names (Streamlit's own
# navigation would call the home page after its file, "app").
PAGES = [
    ("app.py", "Home", ":material/home:"),
    ("pages/1_Data.py", "Data", ":material/table:"),
    ("pages/2_Prepare.py", "Prepare", ":material/tune:"),
    ("pages/3_Train.py", "Train", ":material/model_training:"),
    ("pages/4_Compare.py", "Compare", ":material/leaderboard:"),
    ("pages/5_Pipelines.py", "Pipelines", ":material/folder_open:"),
    ("pages/6_Export.py", "Export", ":material/download:"),
    ("pages/7_Monitor.py", "Monitor", ":material/monitor_heart:"),
]


def setup(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Pipewright", page_icon=":material/construction:", layout="wide")
    try:
        resources.storage()
    except StorageError as error:  # a wrong PIPEWRIGHT_DB_URL, a server down: tried again on the next page run
        st.error(as_markdown(str(error)))
        st.stop()
    signin.require()
    state.draft_key()  # the session's draft, named in the address so a refresh finds it
    with st.sidebar:
        for path, label, icon in PAGES:
            st.page_link(path, label=label, icon=icon)
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
