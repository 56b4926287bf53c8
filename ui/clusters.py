"""The Compare page's view of a clustering run: scores, the groups on a map, what sets them apart."""

import streamlit as st

from pipeline_core.compare import charts
from pipeline_core.compare.leaderboard import leaderboard
from ui.messages import as_markdown
from ui.runs import pick_model


def show(results: list, metric: str) -> None:
    st.caption(
        "Clustering has no target and no folds: each model grouped every row once. The silhouette (−1 to 1, higher "
        "is better) says how well rows sit in their own group rather than the nearest other; Davies–Bouldin (lower "
        "is better) and Calinski–Harabasz (higher is better) weigh how compact and separate the groups are. The "
        "target column did not shape the groups; it only describes them."
    )
    board = leaderboard(results, metric)
    st.dataframe(board, hide_index=True, column_config={"Fit time (s)": st.column_config.NumberColumn(format="%.3f")})
    for result in results:
        if result.status == "failed":
            st.error(as_markdown(f"{result.label} failed: {result.error}"))
    grouped = [r for r in results if r.status == "succeeded" and r.curves.groups]
    if not grouped:
        return
    chosen = pick_model(grouped, metric, key="cluster_model")
    st.plotly_chart(charts.cluster_map(chosen), key="cluster_map")
    st.plotly_chart(charts.cluster_profile(chosen), key="cluster_profile")
    if not chosen.artifact_sha256:
        st.caption(f"{chosen.label} cannot place new rows in its groups, so it has no model file to export.")
