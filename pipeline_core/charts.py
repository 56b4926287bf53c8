"""Plotly figure factories: results in, go.Figure out."""

import plotly.graph_objects as go

from pipeline_core.evaluate import METRICS
from pipeline_core.leaderboard import cv_mean, cv_std, ranked

BASELINE_COLOR, MODEL_COLOR = "#9aa0a6", "#1f6feb"


def metric_bars(results: list, metric: str) -> go.Figure:
    """CV mean of one metric per model as a dot, ±1 standard deviation across folds as a bar.

    Dots rather than bars: the axis can then zoom to where the models differ without
    exaggerating, and overlapping spreads read at a glance as 'maybe not different'.
    """
    shown = [r for r in ranked(results, metric) if r.status == "succeeded"]
    label = METRICS[metric].label
    figure = go.Figure(
        go.Scatter(
            x=[cv_mean(r, metric) for r in shown],
            y=[r.label for r in shown],
            mode="markers",
            error_x={"type": "data", "array": [cv_std(r, metric) for r in shown], "visible": True, "thickness": 2},
            marker={"size": 12, "color": [BASELINE_COLOR if r.is_baseline else MODEL_COLOR for r in shown]},
            hovertemplate="%{y}: %{x:.3f} ± %{error_x.array:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{label}: cross-validation mean ± std (grey: baseline)",
        xaxis_title=label,
        yaxis={"autorange": "reversed"},
        height=120 + 40 * len(shown),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return figure


def roc_curves(results: list) -> go.Figure:
    """ROC curves on the held-out test split, one per model, with the chance diagonal."""
    figure = go.Figure()
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="Chance", line={"dash": "dot", "color": BASELINE_COLOR})
    for result in results:
        if result.status == "succeeded" and result.curves.get("fpr") and not result.is_baseline:
            auc = result.test_scores.get("roc_auc")
            name = f"{result.label} (AUC {auc:.3f})" if auc is not None else result.label
            figure.add_scatter(x=result.curves["fpr"], y=result.curves["tpr"], mode="lines", name=name)
    figure.update_layout(
        title="ROC curves on the held-out test split",
        xaxis_title="False positive rate",
        yaxis_title="True positive rate",
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def predicted_vs_actual(results: list) -> go.Figure:
    """Predictions against true values on the held-out test split; the diagonal is perfect."""
    figure = go.Figure()
    values = []
    for result in results:
        if result.status == "succeeded" and result.curves.get("actual") and not result.is_baseline:
            figure.add_scatter(
                x=result.curves["actual"],
                y=result.curves["predicted"],
                mode="markers",
                name=result.label,
                marker={"size": 6, "opacity": 0.6},
            )
            values += result.curves["actual"] + result.curves["predicted"]
    if values:
        low, high = min(values), max(values)
        figure.add_scatter(
            x=[low, high], y=[low, high], mode="lines", name="Perfect", line={"dash": "dot", "color": BASELINE_COLOR}
        )
    figure.update_layout(
        title="Predicted vs actual on the held-out test split",
        xaxis_title="Actual",
        yaxis_title="Predicted",
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return figure
