"""The Monitor page's view of one checked batch: the verdict, the data contract, drift and performance."""

import pandas as pd
import streamlit as st

from pipeline_core.catalog.drift import DRIFT_TESTS
from pipeline_core.catalog.metrics import METRICS
from pipeline_core.monitor import charts
from pipeline_core.monitor.performance import MIN_JUDGED_ROWS
from pipeline_core.monitor.report import BatchReport
from pipeline_core.words import counted
from services import monitoring
from storage.models import BatchRead
from ui import resources
from ui.messages import as_markdown


def verdict(report: BatchReport) -> None:
    drifted = report.drifted_columns
    what = []
    if drifted:
        what.append(f"drift in {', '.join(f'`{c}`' for c in drifted)}")
    if report.overall and report.overall.drifted:
        what.append(f"the batch is told apart from the training rows (ROC AUC {report.overall.roc_auc:.2f})")
    if report.predictions and report.predictions.drifted:
        what.append(f"the model's {report.predictions.column} moved")
    if report.contract.missing:
        what.append("the model cannot score it: a column it needs is missing")
    if report.performance and report.performance.fell:
        what.append(f"{METRICS[report.performance.metric].label} fell outside what cross-validation promised")
    if what:
        st.error(as_markdown("**Alert:** " + "; ".join(what) + "."))
    else:
        st.success("Nothing alarming: the batch looks like the training rows, and the model performs as promised.")
    for note in report.notes:
        st.caption(as_markdown(note))


def contract(storage_batch: BatchRead, report: BatchReport) -> None:
    st.subheader("Data contract")
    found = report.contract
    if found.missing:
        renamed = [
            f"`{m}` (perhaps `{found.likely_renamed[m]}`)" if m in found.likely_renamed else f"`{m}`"
            for m in found.missing
        ]
        needed = "Missing a column the model needs" if len(renamed) == 1 else "Missing columns the model needs"
        st.error(as_markdown(f"{needed}: {', '.join(renamed)}. It cannot score this batch."))
    if found.extra:
        st.caption(as_markdown(f"Not used by the model, ignored: {', '.join(f'`{c}`' for c in found.extra)}."))
    if not found.breaches:
        if not found.missing:
            st.success("Every value fits what the model was trained on: types, ranges, categories and missing values.")
        return
    st.warning(
        f"The values differ from the training rows in {counted(len(found.breaches), 'way')}, on "
        f"{counted(found.rows_breaking, 'row')}."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {"Column": b.column, "Problem": b.problem, "Rows": b.rows, "Examples": ", ".join(b.examples)}
                for b in found.breaches
            ]
        ),
        hide_index=True,
    )
    st.download_button(
        "Download the rows that break it (CSV)",
        lambda: monitoring.breaches_csv(resources.storage(), storage_batch),
        f"contract-breaches-batch{storage_batch.id}.csv",
        "text/csv",
        key=f"breaches.{storage_batch.id}",
    )


def drift(report: BatchReport) -> None:
    st.subheader("Drift")
    left, right = st.columns([3, 2])
    if report.columns:
        left.plotly_chart(charts.drift_by_column(report), key="drift_by_column")
        left.caption(
            "Each bar is a column's drift divided by its test's alert threshold, on a log scale: past 1 it is "
            "drifted. For a test with a p-value, 2 means a corrected p-value of 0.05² = 0.0025, 3 of 0.05³."
        )
    with right:
        overall = report.overall
        if overall:
            st.metric(
                "Domain classifier ROC AUC",
                f"{overall.roc_auc:.3f}",
                help="A model trained (cross-validated) to tell training rows from the batch's: 0.5 means it cannot, "
                "1 that it always can. Called drift at 0.55 or more when so high an AUC would arise by chance less "
                "than once in a hundred.",
            )
            if overall.drifted and overall.top_columns:
                st.caption(
                    as_markdown(
                        "The columns that give the batch away: "
                        + ", ".join(f"`{c}` ({v:.2f})" for c, v in overall.top_columns.items())
                        + " (the AUC each costs when shuffled)."
                    )
                )
        if report.predictions:
            moved = "moved" if report.predictions.drifted else "did not move"
            test = DRIFT_TESTS[report.predictions.test].label
            st.caption(
                as_markdown(
                    f"The model's **{report.predictions.column}** on the batch {moved} against its held-out training "
                    f"rows ({test} {report.predictions.statistic:.3g})."
                )
            )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Column": c.column,
                    "Test": DRIFT_TESTS[c.test].label,
                    "Statistic": c.statistic,
                    "p-value": c.p_value,
                    "p-value, corrected": c.p_adjusted,
                    "Threshold": c.threshold,
                    "Drifted": c.drifted,
                }
                for c in report.columns
            ]
        ),
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(format="%.4g")
            for name in ("Statistic", "p-value", "p-value, corrected")
        },
    )
    used = dict.fromkeys(c.test for c in report.columns)
    meanings = "; ".join(f"**{DRIFT_TESTS[t].label}**: drift when {DRIFT_TESTS[t].meaning}" for t in used)
    st.caption(
        as_markdown(
            "Each column's test is chosen by its type and the rows of the smaller sample (a test with a p-value up "
            f"to 1,000 rows, a distance beyond; {report.reference_rows:,} training rows here). {meanings}. With many "
            "columns some would cross a threshold by chance: p-values are corrected (Benjamini–Hochberg), so that "
            "of the columns called drifted at most 5% are, on average, false alarms."
        )
    )
    for column, why in report.not_tested.items():
        st.caption(as_markdown(f"`{column}` not tested: {why}."))


def performance(report: BatchReport) -> None:
    st.subheader("Performance")
    found, estimate = report.performance, report.estimated
    if found:
        label = METRICS[found.metric].label
        value = found.scores[found.metric]
        left, right = st.columns(2)
        left.metric(f"{label} on the batch ({found.rows:,} labelled rows)", "—" if value is None else f"{value:.3f}")
        right.metric("Cross-validation promised", f"{found.expected_low:.3f} – {found.expected_high:.3f}")
        if not found.judged:
            st.info(
                f"Too few labelled rows to judge: {label} on {found.rows:,} rows says little (a batch needs at least "
                f"{MIN_JUDGED_ROWS} and, for some metrics, every class) — the band shows how wide chance is here."
            )
        else:
            (st.error if found.fell else st.success)(
                f"{label} is {'outside' if found.fell else 'within'} what cross-validation promised for a batch of "
                f"this size (mean {found.cv_mean:.3f}; the band widens as batches get smaller)."
            )
        st.dataframe(
            pd.DataFrame([{"Metric": METRICS[k].label, "On the batch": v} for k, v in found.scores.items()]),
            hide_index=True,
        )
    elif estimate:
        st.info(
            f"No labels in this batch. From the model's own probabilities it expects an accuracy of "
            f"{estimate.on_batch:.3f} on it ({estimate.on_reference:.3f} on the held-out training rows, where it "
            f"really had {estimate.actual_on_reference:.3f}). The estimate holds while the model's probabilities stay "
            "calibrated and only the mix of rows changes, not what the columns say about the target: check it with "
            "labels when they come."
        )
        if not estimate.trustworthy:
            st.warning(
                "On the held-out rows the estimate was off by more than 0.05: this model's probabilities are not "
                "calibrated enough to estimate its accuracy without labels."
            )
    else:
        st.info(
            "No labels in this batch, and this model gives no probabilities to estimate its performance from: "
            "upload the batch again with its target to measure it."
        )
