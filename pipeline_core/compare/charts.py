"""Plotly figure factories: results in, go.Figure out."""

import math
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from pipeline_core.catalog.metrics import METRICS
from pipeline_core.train.results import SCORED, cv_mean, cv_std, folds_done, folds_planned, ranked

BASELINE_COLOR, MODEL_COLOR = "#9aa0a6", "#1f6feb"


def _color(results: list, result) -> str:
    """One colour per model, the same in every chart of a page."""
    models = [r.label for r in results if not r.is_baseline]
    return qualitative.D3[models.index(result.label) % len(qualitative.D3)]


MARGIN = {"l": 10, "r": 10, "t": 50, "b": 40}
MODEBAR = {"orientation": "v"}  # plotly's tools down the right edge, never over the title


def metric_bars(results: list, metric: str) -> go.Figure:
    """CV mean of one metric per model as a dot, ±1 standard deviation across folds as a bar.

    Dots rather than bars: the axis can then zoom to where the models differ without
    exaggerating, and overlapping spreads read at a glance as 'maybe not different'. A model stopped early
    is an open dot, named with the folds its mean is of.
    """
    shown = _scored(results, metric)
    label = METRICS[metric].label
    figure = go.Figure(
        go.Scatter(
            x=[cv_mean(r, metric) for r in shown],
            y=[_with_folds(r) for r in shown],
            mode="markers",
            error_x={"type": "data", "array": [cv_std(r, metric) for r in shown], "visible": True, "thickness": 2},
            marker=_model_dots(shown),
            hovertemplate="%{y}: %{x:,.4~g} ± %{error_x.array:,.3~g}<extra></extra>",
        )
    )
    stopped = " · open: stopped early" if any(r.status == "stopped" for r in shown) else ""
    figure.update_layout(
        title={"text": f"{label}: cross-validation mean ± std", "subtitle": {"text": f"grey: baseline{stopped}"}},
        xaxis_title=label,
        yaxis={"autorange": "reversed"},
        height=120 + 40 * len(shown),
        modebar=MODEBAR,
        margin=MARGIN | {"t": 75},  # room for the subtitle
    )
    return figure


def _model_dots(shown: list) -> dict:
    """One dot per model: grey for the baseline, open for a model the race stopped."""
    return {
        "size": 12,
        "color": [BASELINE_COLOR if r.is_baseline else MODEL_COLOR for r in shown],
        "symbol": ["circle-open" if r.status == "stopped" else "circle" for r in shown],
        "line": {"width": 2},
    }


def _scored(results: list, metric: str) -> list:
    """The models with a cross-validation score, best first (one stopped before its first fold has none)."""
    return [r for r in ranked(results, metric) if r.status in SCORED and not math.isnan(cv_mean(r, metric))]


def _with_folds(result) -> str:
    """A model's name, with how many folds it was scored on when the race or a budget stopped it."""
    if result.status != "stopped":
        return result.label
    return f"{result.label} ({folds_done(result)} of {folds_planned(result)} folds)"


def roc_curves(results: list) -> go.Figure:
    """ROC curves on the held-out test split, one per model, with the chance diagonal."""
    figure = go.Figure()
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="Chance", line={"dash": "dot", "color": BASELINE_COLOR})
    for result, roc in _drawn(results, "roc"):
        auc = result.test_scores.get("roc_auc")
        name = f"{result.label} (AUC {auc:.3f})" if auc is not None else result.label
        figure.add_scatter(x=roc.fpr, y=roc.tpr, mode="lines", name=name, line={"color": _color(results, result)})
    figure.update_layout(
        title="ROC curves on the held-out test split",
        xaxis_title="False positive rate",
        yaxis_title="True positive rate",
        height=460,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def predicted_vs_actual(results: list) -> go.Figure:
    """Predictions against true values on the held-out test split; the diagonal is perfect."""
    samples = _drawn(results, "actual_predicted")
    figure = _held_out_clouds(results, [(result, s.actual, s.predicted) for result, s in samples])
    values = [value for _, s in samples for value in s.actual + s.predicted]
    if values:
        low, high = min(values), max(values)
        figure.add_scatter(
            x=[low, high], y=[low, high], mode="lines", name="Perfect", line={"dash": "dot", "color": BASELINE_COLOR}
        )
    figure.update_layout(
        title="Predicted vs actual on the held-out test split", xaxis_title="Actual", yaxis_title="Predicted"
    )
    return figure


def _held_out_clouds(results: list, points: list) -> go.Figure:
    """One cloud of held-out rows per model, from its (result, x, y)."""
    figure = go.Figure()
    for result, x, y in points:
        marker = {"size": 6, "opacity": 0.6, "color": _color(results, result)}
        figure.add_scatter(x=x, y=y, mode="markers", name=result.label, marker=marker)
    figure.update_layout(height=460, modebar=MODEBAR, margin=MARGIN, legend={"orientation": "h", "y": -0.2})
    return figure


def fold_scores(results: list, metric: str) -> go.Figure:
    """Every fold's score per model, as a box with its points: spread and overlap at a glance."""
    figure = go.Figure()
    for result in _scored(results, metric):
        scores = [v for v in result.cv_scores.get(metric, []) if v is not None]
        figure.add_box(
            x=scores,
            name=_with_folds(result),
            boxpoints="all",
            jitter=0.4,
            pointpos=0,
            marker={"color": BASELINE_COLOR if result.is_baseline else MODEL_COLOR, "size": 6},
            line={"width": 1},
            hovertemplate="%{x:,.4~g}<extra>%{fullData.name}</extra>",
        )
    figure.update_layout(
        title=f"{METRICS[metric].label} on each cross-validation fold",
        xaxis_title=METRICS[metric].label,
        yaxis={"autorange": "reversed"},
        showlegend=False,
        height=120 + 40 * len(figure.data),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def _drawn(results: list, part: str) -> list[tuple[Any, Any]]:
    """The models (not the baseline) that went the whole way and have this part of the curves, with it."""
    return [
        (result, getattr(result.curves, part))
        for result in results
        if result.status == "succeeded" and not result.is_baseline and getattr(result.curves, part) is not None
    ]


def _overlay(results: list, lines: list, title: str, x_title: str, y_title: str, reference=None) -> go.Figure:
    """One line per model from its (result, x, y), with an optional reference."""
    figure = go.Figure()
    if reference:
        figure.add_scatter(**reference, mode="lines", line={"dash": "dot", "color": BASELINE_COLOR})
    for result, x, y in lines:
        figure.add_scatter(x=x, y=y, mode="lines", name=result.label, line={"color": _color(results, result)})
    figure.update_layout(
        title=title,
        xaxis_title=x_title,
        yaxis_title=y_title,
        height=460,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def precision_recall_curves(results: list) -> go.Figure:
    lines = [(result, curve.recall, curve.precision) for result, curve in _drawn(results, "precision_recall")]
    return _overlay(results, lines, "Precision–recall on the held-out test split", "Recall", "Precision")


def gain_curves(results: list) -> go.Figure:
    """Cumulative gain: targeting the top x% of rows by score finds y% of the positives."""
    chance = {"x": [0, 1], "y": [0, 1], "name": "Random targeting"}
    return _overlay(
        results,
        [(result, gain.share, gain.found) for result, gain in _drawn(results, "gain")],
        "Cumulative gain on the held-out test split",
        "Share of rows targeted, highest scores first",
        "Share of positives found",
        reference=chance,
    )


def calibration_curves(results: list) -> go.Figure:
    """Predicted probability against the observed share of positives; the diagonal is perfect."""
    perfect = {"x": [0, 1], "y": [0, 1], "name": "Perfectly calibrated"}
    return _overlay(
        results,
        [(result, curve.predicted, curve.observed) for result, curve in _drawn(results, "calibration")],
        "Calibration on the held-out test split (models with probabilities)",
        "Mean predicted probability",
        "Observed share of positives",
        reference=perfect,
    )


def confusion_matrix(result, *, normalised: bool) -> go.Figure:
    """True classes down, predicted across; counts or the share of each true class."""
    confusion = result.curves.confusion
    counts = np.asarray(confusion.counts, dtype=float)
    values = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalised else counts
    labels = confusion.labels
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=[[f"{v:.0%}" if normalised else f"{v:,.0f}" for v in row] for row in values],
            texttemplate="%{text}",
            hovertemplate="true %{y}, predicted %{x}: %{text}<extra></extra>",
            showscale=False,
        )
    )
    figure.update_layout(
        title=f"{result.label}: confusion on the held-out test split",
        xaxis={"title": "Predicted", "type": "category"},
        yaxis={"title": "True", "type": "category", "autorange": "reversed"},
        height=200 + 40 * len(labels),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def permutation_importance_bars(result, *, top: int = 20) -> go.Figure:
    """How much the run's ranking metric drops on the held-out rows when each column is shuffled."""
    importance = result.curves.importance
    metric = importance.metric
    order = np.argsort(importance.mean)[::-1][:top]
    figure = go.Figure(
        go.Bar(
            x=[importance.mean[i] for i in order],
            y=[importance.features[i] for i in order],
            error_x={"type": "data", "array": [importance.std[i] for i in order]},
            orientation="h",
            marker_color=MODEL_COLOR,
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{result.label}: permutation importance on the held-out test split",
        xaxis_title=f"Drop in {METRICS[metric].label} when the column is shuffled",
        yaxis={"autorange": "reversed", "type": "category"},
        height=140 + 26 * len(order),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def residuals(results: list) -> go.Figure:
    """Actual minus predicted against predicted: a cloud around zero with no shape is what good looks like."""
    points = []
    for result, sample in _drawn(results, "actual_predicted"):
        actual, predicted = np.asarray(sample.actual), np.asarray(sample.predicted)
        points.append((result, predicted, actual - predicted))
    figure = _held_out_clouds(results, points)
    figure.add_hline(y=0, line_dash="dot", line_color=BASELINE_COLOR)
    figure.update_layout(
        title="Residuals on the held-out test split", xaxis_title="Predicted", yaxis_title="Actual − predicted"
    )
    return figure


def score_vs_fit_time(results: list, metric: str) -> go.Figure:
    """CV mean against mean fit time per fold: the models worth their cost sit top left. A model the race
    stopped is an open dot (its mean is of fewer folds)."""
    shown = _scored(results, metric)
    seconds = [max(r.fit_seconds or 0.0, 1e-4) for r in shown]
    figure = go.Figure(
        go.Scatter(
            x=seconds,
            y=[cv_mean(r, metric) for r in shown],
            mode="markers+text",
            text=[_with_folds(r) for r in shown],
            textposition=_label_sides(seconds),
            cliponaxis=False,  # a name near the edge runs into the margin rather than being cut
            marker=_model_dots(shown),
            hovertemplate="%{text}: %{y:,.4~g} in %{x:.3~g} s<extra></extra>",
        )
    )
    times = [math.log10(s) for s in seconds] or [0.0]
    figure.update_layout(
        title=f"{METRICS[metric].label} against fit time",
        # half a decade either side, so the names over the first and last dots are not cut
        xaxis={
            "title": "Mean fit time per fold (s, log scale)",
            "type": "log",
            "range": [min(times) - 0.5, max(times) + 0.5],
            "dtick": 1,  # one tick per power of ten: 0.01, 0.1, 1
        },
        yaxis_title=f"CV {METRICS[metric].label}",
        height=460,
        modebar=MODEBAR,
        margin=MARGIN | {"l": 60, "r": 60},
    )
    return figure


def _label_sides(xs: list[float]) -> list[str]:
    """Where each dot's name goes: toward the middle for the leftmost and rightmost dots, so none is cut."""
    low, high = min(xs, default=0), max(xs, default=0)
    return ["top right" if x == low < high else "top left" if x == high > low else "top center" for x in xs]


def tuning_history(result) -> go.Figure:
    """Each candidate's inner-CV score (in the metric the search ranked by) in the order tried, with the
    best so far as a line."""
    trials, metric = result.curves.tuning.trials, result.curves.tuning.metric
    sign = METRICS[metric].sign
    numbers = [i + 1 for i, t in enumerate(trials) if t["score"] is not None]
    scores = [t["score"] for t in trials if t["score"] is not None]
    best_so_far = [sign * max(sign * s for s in scores[: i + 1]) for i in range(len(scores))]
    figure = go.Figure()
    figure.add_scatter(
        x=numbers,
        y=scores,
        mode="markers",
        name="Candidate",
        marker={"color": MODEL_COLOR, "size": 7, "opacity": 0.6},
        text=[
            ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t["params"].items())
            for t in trials
            if t["score"] is not None
        ],
        hovertemplate="trial %{x}: %{y:,.4~g}<br>%{text}<extra></extra>",
    )
    figure.add_scatter(x=numbers, y=best_so_far, mode="lines", name="Best so far", line={"shape": "hv"})
    pruned = len(trials) - len(scores)
    figure.update_layout(
        title=f"{result.label}: search on the whole training part" + (f" ({pruned} stopped early)" if pruned else ""),
        xaxis_title="Candidate, in the order tried",
        yaxis_title=f"Inner-CV {METRICS[metric].label}",
        height=400,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def parameter_importance_bars(result) -> go.Figure:
    """Each tuned setting's share of the variation in score across the candidates."""
    importance = sorted(result.curves.tuning.importance.items(), key=lambda item: item[1], reverse=True)
    figure = go.Figure(
        go.Bar(
            x=[share for _, share in importance],
            y=[name for name, _ in importance],
            orientation="h",
            marker_color=MODEL_COLOR,
            hovertemplate="%{y}: %{x:.0%}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"{result.label}: which settings mattered (Optuna PED-ANOVA)",
        xaxis={"title": "Share of the score's variation", "tickformat": ".0%"},
        yaxis={"autorange": "reversed", "type": "category"},
        height=140 + 30 * len(importance),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def threshold_tradeoff(result) -> go.Figure:
    """Precision and recall of the positive class on the held-out rows at each decision threshold, with
    the default 0.5 and the tuned threshold (when there is one) marked."""
    trade_off, tuned = result.curves.thresholds, result.curves.tuned_threshold
    figure = go.Figure()
    figure.add_scatter(x=trade_off.threshold, y=trade_off.precision, mode="lines", name="Precision")
    figure.add_scatter(x=trade_off.threshold, y=trade_off.recall, mode="lines", name="Recall")
    figure.add_vline(x=0.5, line_dash="dot", line_color=BASELINE_COLOR, annotation_text="default 0.5")
    if tuned is not None:
        figure.add_vline(x=tuned, line_color=MODEL_COLOR, annotation_text=f"tuned {tuned:.2f}")
    figure.update_layout(
        title=f"{result.label}: precision and recall by decision threshold (held-out test split)",
        xaxis={"title": "Predicted probability of the positive class needed to say 'positive'", "range": [0, 1]},
        yaxis={"title": "Share", "range": [0, 1.02]},
        height=420,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def cluster_map(result) -> go.Figure:
    """The rows on the first two principal components of the prepared features, coloured by group."""
    groups = result.curves.groups
    points = pd.DataFrame({"x": groups.map_x, "y": groups.map_y, "group": groups.map_group})
    figure = go.Figure()
    for group, rows in points.groupby("group", sort=True):
        figure.add_scatter(x=rows["x"], y=rows["y"], mode="markers", name=f"group {group}", marker={"size": 5})
    figure.update_layout(
        title=f"{result.label}: the groups on a 2-D PCA projection ({len(points):,} rows)",
        xaxis_title="First principal component",
        yaxis_title="Second principal component",
        height=480,
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def cluster_profile(result) -> go.Figure:
    """Each group's mean of the numeric columns that differ most between groups, as a share of the
    column's range across groups, with the group sizes and the described column alongside."""
    groups = result.curves.groups
    means = pd.DataFrame(groups.profile_means, index=groups.names, columns=groups.profile_columns)
    scaled = (means - means.min()) / (means.max() - means.min()).replace(0, 1)
    labels = [
        f"group {group} ({size:,} rows; {groups.described_as}: {described:.2f})"
        for group, size, described in zip(groups.names, groups.sizes, groups.described, strict=True)
    ]
    figure = go.Figure(
        go.Heatmap(
            z=scaled.to_numpy(),
            x=means.columns,
            y=labels,
            customdata=means.to_numpy(),
            colorscale="Blues",
            hovertemplate="%{y}<br>%{x}: mean %{customdata:.3g}<extra></extra>",
            showscale=False,
        )
    )
    figure.update_layout(
        title=f"{result.label}: what sets each group apart (darker: higher mean)",
        yaxis={"type": "category", "autorange": "reversed"},
        height=180 + 40 * len(labels),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure


def learning_curves(results: list, metric: str) -> go.Figure:
    """Score against training rows: on the held-out test rows (solid) and on the rows fitted (dotted).
    A gap that stays wide wants more data or a simpler model; curves that meet low want a richer one."""
    figure = go.Figure()
    for result, learning in _drawn(results, "learning"):
        color = _color(results, result)
        figure.add_scatter(x=learning.rows, y=learning.test, name=f"{result.label}: test", line={"color": color})
        figure.add_scatter(
            x=learning.rows, y=learning.train, name=f"{result.label}: fitted rows", line={"color": color, "dash": "dot"}
        )
    figure.update_layout(
        title=f"Learning curves: {METRICS[metric].label} by training rows",
        xaxis_title="Training rows",
        yaxis_title=METRICS[metric].label,
        height=460,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def column_distribution(series: pd.Series, *, numeric: bool, title: str = "") -> go.Figure:
    """A histogram for numbers, the most frequent values for anything else."""
    values = series.dropna()
    if numeric:
        figure = go.Figure(go.Histogram(x=values, nbinsx=40, marker_color=MODEL_COLOR))
    else:
        counts = values.astype(str).value_counts().head(15)
        figure = go.Figure(go.Bar(x=counts.to_numpy(), y=counts.index, orientation="h", marker_color=MODEL_COLOR))
        figure.update_layout(yaxis={"autorange": "reversed", "type": "category"})
    figure.update_layout(title=title or str(series.name), height=320, modebar=MODEBAR, margin=MARGIN, bargap=0.05)
    return figure


def correlation_heatmap(correlations: pd.DataFrame) -> go.Figure:
    """Pearson correlation between numeric columns, -1 (blue) to +1 (red)."""
    figure = go.Figure(
        go.Heatmap(
            z=correlations.to_numpy(),
            x=correlations.columns.astype(str),
            y=correlations.index.astype(str),
            zmin=-1,
            zmax=1,
            colorscale="RdBu_r",
            hovertemplate="%{y} × %{x}: %{z:.2f}<extra></extra>",
        )
    )
    size = 220 + 22 * len(correlations)
    figure.update_layout(
        title="Correlation between numeric columns", height=min(900, size), modebar=MODEBAR, margin=MARGIN
    )
    return figure


def predictive_power(power: dict[str, float], *, classification: bool) -> go.Figure:
    """How well each column alone predicts the target, best first."""
    ordered = sorted(power.items(), key=lambda item: item[1], reverse=True)
    label = "ROC AUC of one column alone (0.5 = no signal)" if classification else "R² of one column alone (0 = none)"
    figure = go.Figure(
        go.Bar(
            x=[max(score, 0.0) for _, score in ordered],
            y=[name for name, _ in ordered],
            orientation="h",
            marker_color=MODEL_COLOR,
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        title="What each column alone says about the target",
        xaxis_title=label,
        yaxis={"autorange": "reversed"},
        height=140 + 26 * len(ordered),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    if classification:
        figure.add_vline(x=0.5, line_dash="dot", line_color=BASELINE_COLOR)
    return figure


def embedding_scatter(points: pd.DataFrame, *, classification: bool) -> go.Figure:
    """The 2-D map, coloured by class or by the target's value."""
    figure = go.Figure()
    if classification:
        for label, group in points.groupby("target", dropna=False):
            figure.add_scatter(
                x=group["x"], y=group["y"], mode="markers", name=str(label), marker={"size": 5, "opacity": 0.7}
            )
    else:
        figure.add_scatter(
            x=points["x"],
            y=points["y"],
            mode="markers",
            marker={"size": 5, "opacity": 0.7, "color": points["target"], "colorscale": "Viridis", "showscale": True},
            name="rows",
        )
    figure.update_layout(
        title=f"t-SNE map of {len(points):,} prepared rows",
        height=480,
        modebar=MODEBAR,
        margin=MARGIN,
        xaxis={"showticklabels": False},
        yaxis={"showticklabels": False},
    )
    return figure


def dependence_chart(found) -> go.Figure:
    """Partial dependence (thick) over one thin line per row (ICE): lines that move alike mean the column acts
    the same way for every row; lines that cross mean it depends on the others."""
    figure = go.Figure()
    grid = [str(v) for v in found.grid] if found.categorical else found.grid
    for line in found.rows:
        figure.add_scatter(
            x=grid,
            y=line,
            mode="lines",
            line={"color": "rgba(154,160,166,0.35)", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    figure.add_scatter(
        x=grid,
        y=found.average,
        mode="lines+markers" if found.categorical else "lines",
        line={"color": MODEL_COLOR, "width": 4},
        name="average over rows (partial dependence)",
        hovertemplate="%{x}: %{y:,.4~g}<extra></extra>",
    )
    figure.update_layout(
        title=f"How the {found.output} moves with {found.column}",
        xaxis={"title": found.column, "type": "category" if found.categorical else "linear", "automargin": True},
        yaxis_title=found.output,
        height=420,
        modebar=MODEBAR,
        margin=MARGIN,
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def contribution_bars(found, output: str, *, top: int = 15) -> go.Figure:
    """What each of one row's values adds to its prediction (SHAP values), largest first: right pushes it up,
    left down."""
    shown = sorted(found.parts.items(), key=lambda item: abs(item[1]), reverse=True)[:top]
    figure = go.Figure(
        go.Bar(
            x=[value for _, value in shown],
            y=[column for column, _ in shown],
            orientation="h",
            marker_color=[MODEL_COLOR if value >= 0 else "#d93025" for _, value in shown],
            hovertemplate="%{y}: %{x:+,.4~g}<extra></extra>",
        )
    )
    figure.update_layout(
        title=f"Why this row: {output} {found.value:,.4g} (average {found.average:,.4g})",
        xaxis_title=f"What the value adds to the {output}",
        yaxis={"autorange": "reversed", "type": "category", "automargin": True},
        height=140 + 26 * len(shown),
        modebar=MODEBAR,
        margin=MARGIN,
    )
    return figure
