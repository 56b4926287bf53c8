"""The Compare page's Explain tab: how the prediction moves with a column, why one row gets its prediction, and
what the model would say were its values different."""

import numbers

import numpy as np
import pandas as pd
import streamlit as st

from pipeline_core.compare import charts
from services.explanations import Explainer
from storage.models import ModelResultRead, RunRead
from ui import resources
from ui.messages import as_markdown

WHAT_IF_COLUMNS = 12  # the columns the what-if form offers, the most important first


@st.cache_resource(max_entries=4, show_spinner="Loading the model and its held-out rows…")
def _explainer(result_id: int, _run: RunRead, _result: ModelResultRead) -> Explainer:
    return Explainer.of(resources.storage(), _run, _result)


@st.cache_data(max_entries=64, show_spinner="Trying the column's values on every held-out row…")
def _dependence(result_id: int, column: str, _explainer: Explainer):
    return _explainer.dependence(column)


@st.cache_data(max_entries=64, show_spinner="Working out what each value adds (SHAP)…")
def _why(result_id: int, row_number: int, _explainer: Explainer, _row: pd.DataFrame):
    return _explainer.why(_row)


def show(run: RunRead, result: ModelResultRead) -> None:
    """Worked out when asked for: it costs thousands of predictions, which a page opened to compare scores need
    not wait for."""
    if not st.toggle(f"Explain {result.label}", key=f"explain_on.{result.id}"):
        st.caption(
            "How the prediction moves with each column, why one row gets its prediction, and what it would be "
            "were its values different: switch it on to work it out on the held-out rows."
        )
        return
    explainer = _explainer(result.id, run, result)
    columns = _by_importance(result, explainer.columns)
    if not columns:
        st.info("This model reads only free text or dates: there is no number or category to explain it by.")
        return
    st.markdown("**How the prediction moves with one column**")
    column = st.selectbox("Column", columns, key=f"explain_column.{result.id}")
    st.plotly_chart(charts.dependence_chart(_dependence(result.id, column, explainer)), key="dependence_chart")
    st.caption(
        "Each grey line is one held-out row with only this column changed; the thick line is their average "
        "(partial dependence). Lines that move alike: the column acts the same way for every row. Crossing "
        "lines: its effect depends on the other columns."
    )
    st.markdown("**Why this row**")
    n_rows = len(explainer.rows)
    number = st.number_input(f"Held-out row (1 to {n_rows:,})", 1, n_rows, 1, key=f"explain_row.{result.id}")
    row = explainer.rows.iloc[[number - 1]]
    output, found = _why(result.id, number, explainer, row)
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.contribution_bars(found, output.name), key="contribution_bars")
    right.dataframe(_values(row), height="content")
    st.caption(
        f"SHAP values: from the average {output.name} over held-out rows ({found.average:,.4g}), what each of this "
        f"row's values adds to reach its own ({found.value:,.4g}); the shares add up. Worked out by shap's "
        "permutation explainer through the whole pipeline, so they are of your columns, not of encoded ones."
    )
    _what_if(explainer, row, columns[:WHAT_IF_COLUMNS], output, found.value, result.id)


def _values(row: pd.DataFrame) -> pd.DataFrame:
    """One row's values, one per line, as people write them (a count reads 2, not 2.0, in a column with gaps too)."""
    return pd.DataFrame({"value": [_written(row[column].iloc[0]) for column in row]}, index=row.columns)


def _written(value) -> str:
    if pd.isna(value):
        return "missing"
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    return f"{value:,.10g}" if is_number else str(value)


def _what_if(explainer: Explainer, row: pd.DataFrame, columns: list[str], output, value: float, key: int):
    st.markdown("**What if**")
    with st.form(f"what_if.{key}"):
        changed = row.copy()
        fields = st.columns(3)
        for i, column in enumerate(columns):
            entered = _field(fields[i % 3], explainer, column, row[column].iloc[0])
            changed[column] = pd.Series([entered], index=row.index).astype(row[column].dtype)  # empty: missing
        asked = st.form_submit_button("Predict with these values")
    if asked:
        now = explainer.predicted(changed, output)  # the same class's probability as the row's
        change = now - value if abs(now - value) > 1e-9 else 0.0  # the same values: no change, not rounding noise
        st.metric(as_markdown(f"{output.name} with these values"), f"{now:,.4g}", delta=f"{change:+,.4g}")


def _field(place, explainer: Explainer, column: str, current):
    """A widget for one column's value, as its type takes it: a number, or one of the values seen."""
    label = str(column)
    if explainer.schema[column] == "numeric" and pd.api.types.is_numeric_dtype(explainer.rows[column]):
        return place.number_input(label, value=None if pd.isna(current) else float(current), format="%g")
    seen = list(dict.fromkeys([current, *explainer.rows[column].dropna().unique()[:200]]))
    return place.selectbox(label, seen, format_func=str)


def _by_importance(result: ModelResultRead, columns: list[str]) -> list[str]:
    """The columns, those that matter most first when the model's importance is known."""
    importance = result.curves.importance if result.curves else None
    if importance is None:
        return columns
    rank = dict(zip(importance.features, importance.mean, strict=True))
    return sorted(columns, key=lambda c: -rank.get(str(c), 0.0))
