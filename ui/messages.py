"""Every message a page shows about missing prerequisites or failures, in one place."""

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
