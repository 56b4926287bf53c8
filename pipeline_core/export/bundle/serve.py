"""Serve a Pipewright model over HTTP: `uvicorn serve:app --host 0.0.0.0 --port 8000`.

POST /predict with {"rows": [{column: value, ...}, ...]} returns predictions (and class probabilities for a
classifier). Rows are checked against the training columns first: a missing column or text where a number
belongs is a 422 with every problem listed. GET /health says the model is loaded.

With PIPEWRIGHT_LOG_ROWS=rows.csv set, every row scored is appended to that CSV (its training columns and when
it was scored), for `python -m pipeline_core monitor RUN_ID --data rows.csv` to check for drift.
"""

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import skops.io as sio
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

HERE = Path(__file__).parent
ABOUT = json.loads((HERE / "model.json").read_text())
MODEL = sio.load(HERE / "model.skops", trusted=ABOUT["trusted"])
FEATURES: dict[str, str] = ABOUT["features"]  # column -> type it had in training
AS_TEXT = set(ABOUT["numbers_as_text"])  # numeric columns that were text ('$1,200'): the model reads those itself
NUMBERS = [column for column, kind in FEATURES.items() if kind == "numeric" and column not in AS_TEXT]
LOG = os.environ.get("PIPEWRIGHT_LOG_ROWS")
LOG_LOCK = threading.Lock()  # requests are served on several threads: one appends at a time

app = FastAPI(title=ABOUT["title"], description="A Pipewright model, served with FastAPI.")


class Rows(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1, description="one object per row, keyed by column name")


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok", "model": ABOUT["title"]}


@app.post("/predict")
def predict(body: Rows) -> dict[str, Any]:
    frame = pd.DataFrame(body.rows)
    problems = [f"missing column '{column}'" for column in FEATURES if column not in frame.columns]
    numbers = {column: pd.to_numeric(frame[column], errors="coerce") for column in NUMBERS if column in frame}
    problems += [
        f"column '{column}' should hold numbers; got {frame[column][bad].iloc[0]!r}"
        for column, values in numbers.items()
        for bad in [values.isna() & frame[column].notna()]
        if bad.any()
    ]
    if problems:
        raise HTTPException(status_code=422, detail=problems)
    X = frame[list(FEATURES)].assign(**numbers)
    answer: dict[str, Any] = {"predictions": MODEL.predict(X).tolist()}
    if LOG:
        _log(frame[list(FEATURES)])
    if hasattr(MODEL, "predict_proba") and hasattr(MODEL, "classes_"):
        classes = [str(label) for label in MODEL.classes_]
        answer["probabilities"] = [dict(zip(classes, row.tolist(), strict=True)) for row in MODEL.predict_proba(X)]
    return answer


def _log(rows: pd.DataFrame) -> None:
    logged = rows.assign(scored_at=datetime.now(UTC).isoformat(timespec="seconds"))
    with LOG_LOCK:
        new = not Path(LOG).exists()
        logged.to_csv(LOG, mode="a", header=new, index=False)
