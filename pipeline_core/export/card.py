"""The model card: what a trained model is, what it was trained on, how well it does, and its limits.

Written as Markdown (for a repository or a wiki) and as a self-contained HTML page with the charts.
"""

import html

from markdown_it import MarkdownIt

from pipeline_core.catalog import BRANCHES, get_model, get_step, number_repeats
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.compare import charts
from pipeline_core.compare.diff import GROUP_TITLES
from pipeline_core.compare.leaderboard import leaderboard
from pipeline_core.compare.significance import compare_to_best
from pipeline_core.schema import BRANCH_OF
from pipeline_core.spec import PipelineSpec
from pipeline_core.train import splits
from pipeline_core.train.curves import Importance
from pipeline_core.train.race import fold_size_ratio
from pipeline_core.train.results import cv_mean, cv_std

DRIVERS = 5  # columns the card names


def card_sections(
    spec: PipelineSpec, results: list, model_key: str, lineage: dict[str, str], drivers: Importance | None = None
) -> list[tuple[str, str]]:
    """(title, Markdown body) pairs; `lineage` holds what the run recorded, as label → value; `drivers`, the
    model's permutation importance, when worked out."""
    model = next(r for r in results if r.key == model_key)
    metric = spec.ranking_metric
    label = METRICS[metric].label
    data = spec.data
    steps = [
        f"- **{GROUP_TITLES[branch]}:** " + ", ".join(_step(step) for step in spec.preprocessing.for_type(branch))
        for branch in (*_branches_read(spec), "combined")
        if spec.preprocessing.for_type(branch)
    ]
    keys = number_repeats([m.kind for m in spec.models])
    chosen = next((m.params for key, m in zip(keys, spec.models, strict=True) if key == model.key), {})
    chosen = chosen | (model.curves.tuning.best_params if model.curves.tuning else {})  # a search's choice wins
    labels = {p.name: p.label for p in get_model(model.kind).params}
    settings = ", ".join(f"{labels[name]} = {value}" for name, value in chosen.items()) or "no settings"
    differences = (
        compare_to_best(results, metric, fold_size_ratio(splits.scheme(spec), spec.evaluation.cv_folds))
        if spec.data.task != "clustering"
        else []
    )
    return [
        (
            "Model",
            f"**{model.label}** ({settings}), chosen from {len(results)} models. It predicts `{data.target}` "
            f"({data.task}).",
        ),
        (
            "Data",
            f"{lineage.get('Data', data.dataset_name)}. Columns the model reads: {_list(lineage.get('Features', ''))}. "
            + (f"Rows kept: {', '.join(f.describe() for f in data.filters)}. " if data.filters else "")
            + (f"Row cleaning before the split: {', '.join(data.row_steps)}." if data.row_steps else ""),
        ),
        ("Preparation (inside the model, refit on every fold)", "\n".join(steps) or "None."),
        (
            "Performance",
            f"Validation: {splits.describe(spec)}. {label} of this model: **{cv_mean(model, metric):.3f} ± "
            f"{cv_std(model, metric):.3f}** across folds"
            + (f", {model.test_scores[metric]:.3f} on the held-out rows." if metric in model.test_scores else ".")
            + "\n\n"
            + _table(leaderboard(results, metric)),
        ),
        ("Is the difference real?", "\n".join(f"- {d.sentence}" for d in differences) or "Not applicable."),
        ("What drives its predictions", _drivers(drivers)),
        (
            "Intended use and limits",
            f"Scoring new rows like the training rows, to predict `{data.target}`. It has only seen "
            f"{lineage.get('Rows', 'the training')} rows from one source: rows from another population, period or "
            "collection process, values outside the training range and categories it never saw may be predicted "
            "badly. Watch new data for drift and retrain when it moves. It is not a causal model: a column it relies "
            "on need not cause the outcome.",
        ),
        ("Lineage", "\n".join(f"- **{name}:** {value}" for name, value in lineage.items())),
    ]


def _branches_read(spec: PipelineSpec) -> list[str]:
    """The column groups the model has columns of (all of them when the spec does not record the types)."""
    data = spec.data
    present = {
        BRANCH_OF[kind]
        for column, kind in data.column_types.items()
        if column != data.target and data.roles.get(column, "feature") == "feature" and kind in BRANCH_OF
    }
    return [branch for branch in BRANCHES if branch in present or not data.column_types]


def lineage(run, dataset, features: list[str] | None = None) -> dict[str, str]:
    """What a run recorded about itself, for the card and the Pipelines page (`run` and `dataset` as storage
    returns them); the columns it read, when given."""
    took = run.finished_at - run.started_at if run.started_at and run.finished_at else None
    return {
        "Data": f"{dataset.name} · {dataset.n_rows:,} rows · sha256 {dataset.fingerprint}",
        "Rows": f"{run.n_train or 0:,}",
        **({"Features": ", ".join(features)} if features is not None else {}),
        "Run": str(run.id),
        "Spec sha256": run.spec_hash,
        "Seed": str(run.seed),
        "Trained": f"{run.started_at:%Y-%m-%d %H:%M} UTC" if run.started_at else "–",
        "Took": f"{took.total_seconds():.0f} s" if took else "–",
        **{name: str(version) for name, version in run.library_versions.items()},
    }


def markdown(title: str, sections: list[tuple[str, str]]) -> str:
    return f"# {title}\n\n" + "\n\n".join(f"## {name}\n\n{body}" for name, body in sections) + "\n"


def html_page(
    title: str, sections: list[tuple[str, str]], results: list, metric: str, task: str, dependences: tuple = ()
) -> str:
    """A self-contained page: the sections rendered from their Markdown (raw HTML in it, from a column name say,
    shown as text) and the Compare page's main charts, how the prediction moves with its main columns
    (`dependences`), with plotly.js embedded once so it opens offline."""
    figures = [charts.metric_bars(results, metric), charts.fold_scores(results, metric)]
    if task == "classification":
        figures.append(charts.roc_curves(results))
    elif task == "regression":
        figures.append(charts.predicted_vs_actual(results))
    figures += [charts.dependence_chart(found) for found in dependences]
    chart_html = "".join(
        figure.to_html(full_html=False, include_plotlyjs=index == 0) for index, figure in enumerate(figures)
    )
    render = MarkdownIt("commonmark", {"html": False}).enable("table").render
    body = "".join(f"<h2>{html.escape(name)}</h2>{render(text)}" for name, text in sections)
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left}"
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1>{body}<h2>Charts</h2>{chart_html}"
        "</body></html>"
    )


def _drivers(found: Importance | None) -> str:
    """The columns the model's score depends on most, in words."""
    if found is None:
        return "Not worked out for this card."
    ranked = sorted(zip(found.features, found.mean, strict=True), key=lambda item: item[1], reverse=True)
    lines = [
        f"- `{column}`: {METRICS[found.metric].label} drops by {drop:.3f} when it is shuffled"
        for column, drop in ranked[:DRIVERS]
    ]
    return (
        "Permutation importance on the held-out rows, through the whole pipeline (so of the columns as they came, "
        "not of encoded ones):\n\n" + "\n".join(lines)
    )


def _step(step) -> str:
    text = get_step(step.kind).label
    return text + (f" (on {', '.join(step.columns)})" if step.columns else "")


def _table(frame) -> str:
    """A DataFrame as a Markdown table, numbers to three decimals."""
    cells = [[f"{v:.3f}" if isinstance(v, float) else str(v) for v in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + " --- |" * len(frame.columns)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells])


def _list(text: str) -> str:
    return text or "see the spec"
