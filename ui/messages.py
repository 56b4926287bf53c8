"""Every message a page shows about missing prerequisites or failures, in one place."""

import re

NO_DATASET = "No dataset yet. Load a sample or upload a file on the **Data** page first."
NO_TARGET = "Choose the column to predict on the **Data** page first."
NO_RUNS = "No training runs yet. Train some models on the **Train** page."
NO_PIPELINES = "No saved pipelines yet. Train on the **Train** page, then save from **Compare**."
RUN_STATUS = {
    "queued": "Waiting to start…",
    "running": "Training…",
    "succeeded": "Finished:",
    "failed": "The run failed.",
    "cancelled": "Cancelled. Models that had finished are kept.",
    "interrupted": "Interrupted: the server stopped during this run.",
}


def as_markdown(text: str) -> str:
    """Text that may carry uploaded values (column names, labels, file names) made inert as Markdown.

    Outside code spans, brackets (links, images), dollar signs (math) and angle brackets are escaped,
    so a label such as '![](https://…)' or a value such as '$1 … $2' shows as typed.
    """
    parts = re.split(r"(`[^`\n]*`)", text)
    return "".join(part if index % 2 else re.sub(r"([\[\]$<>\\])", r"\\\1", part) for index, part in enumerate(parts))
