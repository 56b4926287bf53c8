"""Plotly figures of the Monitor page: one batch's drift per column, and drift and performance over batches."""

import numpy as np
import plotly.graph_objects as go

from pipeline_core.catalog.drift import DRIFT_TESTS
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.compare.charts import MARGIN, MODEBAR
from pipeline_core.monitor.challenge import Duel
from pipeline_core.monitor.report import BatchReport

OK_COLOR, ALERT_COLOR, LINE_COLOR = "#1f6feb", "#d93025", "#9aa0a6"
_SEVERITY_FLOOR = 0.05  # drawn no lower than this: no drift at all is 0, which a log scale cannot show
_SEVERITY_AXIS = {"type": "log", "tickvals": [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]}


def drift_by_column(report: BatchReport) -> go.Figure:
    """Each column's drift against its test's alert threshold (1 on this scale), drifted columns in red; on a log
    scale, so one column far past the threshold does not flatten the others."""
    columns = sorted(report.columns, key=lambda c: c.severity, reverse=True)
    figure = go.Figure(
        go.Bar(
            x=[_shown(c.severity) for c in columns],
            y=[c.column for c in columns],
            orientation="h",
            marker_color=[ALERT_COLOR if c.drifted else OK_COLOR for c in columns],
            customdata=[[DRIFT_TESTS[c.test].label, c.statistic, _p_text(c.p_adjusted)] for c in columns],
            hovertemplate="%{y}: %{customdata[0]} %{customdata[1]:.3g}%{customdata[2]}<extra></extra>",
        )
    )
    figure.add_vline(x=1, line_dash="dot", line_color=LINE_COLOR)
    figure.update_layout(
        title="Drift per column (red: drifted)",
        xaxis={
            "title": "Drift ÷ the test's alert threshold (dotted line: 1)",
            "range": np.log10([_SEVERITY_FLOOR, 1.5 * max([2.0, *(c.severity for c in columns)])]),
            **_SEVERITY_AXIS,
        },
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        height=140 + 28 * len(columns),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def _shown(severity: float) -> float:
    return max(severity, _SEVERITY_FLOOR)


def _p_text(p_adjusted: float | None) -> str:
    return "" if p_adjusted is None else f" (p corrected {p_adjusted:.2g})"


def drift_history(batches: list[tuple[str, BatchReport]]) -> go.Figure:
    """Each column's drift over the batches checked, against the alert threshold (log scale, as per batch)."""
    figure = go.Figure()
    names = [name for name, _ in batches]
    columns = dict.fromkeys(c.column for _, report in batches for c in report.columns)
    for column in columns:
        found = [next((c for c in r.columns if c.column == column), None) for _, r in batches]
        figure.add_scatter(
            x=names, y=[None if c is None else _shown(c.severity) for c in found], mode="lines+markers", name=column
        )
    figure.add_hline(y=1, line_dash="dot", line_color=LINE_COLOR)
    figure.update_layout(
        title="Drift per column, batch by batch",
        xaxis={"title": "Batch", "type": "category"},
        yaxis={"title": "Drift ÷ alert threshold (dotted: 1)", **_SEVERITY_AXIS},
        height=420,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def performance_history(batches: list[tuple[str, BatchReport]]) -> go.Figure:
    """The ranking metric on each labelled batch, with the band cross-validation promised for a batch of its
    size: a point outside the band is a drop worth acting on."""
    labelled = [(name, r.performance) for name, r in batches if r.performance is not None]
    metric = labelled[0][1].metric
    names = [name for name, _ in labelled]
    figure = go.Figure()
    figure.add_scatter(
        x=names + names[::-1],
        y=[p.expected_high for _, p in labelled] + [p.expected_low for _, p in labelled][::-1],
        fill="toself",
        fillcolor="rgba(31,111,235,0.12)",
        line={"width": 0},
        name="expected from cross-validation",
        hoverinfo="skip",
    )
    figure.add_scatter(x=names, y=[p.cv_mean for _, p in labelled], mode="lines", name="CV mean", line_color=LINE_COLOR)
    figure.add_scatter(
        x=names,
        y=[p.scores[metric] for _, p in labelled],
        mode="lines+markers",
        name="on the batch",
        marker={"size": 10, "color": [ALERT_COLOR if p.fell else OK_COLOR for _, p in labelled]},
        line_color=OK_COLOR,
    )
    figure.update_layout(
        title=f"{METRICS[metric].label} on each labelled batch",
        xaxis={"title": "Batch", "type": "category"},
        yaxis_title=METRICS[metric].label,
        height=420,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.3},
    )
    return figure


def duel_folds(duel: Duel) -> go.Figure:
    """Champion and challenger on each fold of the batch's labelled rows, a line joining each fold's pair."""
    folds = [f"fold {i + 1}" for i in range(len(duel.champion))]
    figure = go.Figure()
    for i, fold in enumerate(folds):
        figure.add_scatter(
            x=[duel.champion[i], duel.challenger[i]],
            y=[fold, fold],
            mode="lines",
            line={"color": LINE_COLOR},
            showlegend=False,
            hoverinfo="skip",
        )
    figure.add_scatter(x=duel.champion, y=folds, mode="markers", name="champion (as trained)", marker={"size": 12})
    figure.add_scatter(
        x=duel.challenger, y=folds, mode="markers", name="challenger (retrained with the new rows)", marker={"size": 12}
    )
    label = METRICS[duel.metric].label
    gap = np.mean(duel.challenger) - np.mean(duel.champion)
    figure.update_layout(
        title=f"{label} on the same folds of the new rows (mean difference {gap:+.3f})",
        xaxis_title=label,
        yaxis={"autorange": "reversed"},
        height=160 + 36 * len(folds),
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.3},
    )
    return figure
