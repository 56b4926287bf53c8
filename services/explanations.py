"""Why a trained model says what it says, for the Compare page: how its prediction moves with each column,
what one row's values add to its prediction, and what it would say were a value different."""

from dataclasses import dataclass

import pandas as pd

from pipeline_core.columns import ColumnType
from pipeline_core.compare import explain
from pipeline_core.model_files import load_model
from pipeline_core.schema import feature_schema
from pipeline_core.spec import PipelineSpec
from services import runs
from storage.db import Storage
from storage.models import ModelResultRead, RunRead


@dataclass(frozen=True)
class Explainer:
    """One model with the held-out rows of its run: the rows it is explained on, never ones it learned from."""

    model: object
    rows: pd.DataFrame  # held-out feature columns, as the model reads them
    schema: dict[str, ColumnType]
    target: str

    @classmethod
    def of(cls, storage: Storage, run: RunRead, result: ModelResultRead) -> "Explainer":
        spec = PipelineSpec.from_json(run.spec_json)
        frame = runs.rows(storage, run)
        X, _ = explain.held_out_rows(spec, frame)
        model = load_model(runs.model_file(storage, run, result))
        return cls(model, X.reset_index(drop=True), feature_schema(spec, frame), spec.data.target)

    @property
    def columns(self) -> list[str]:
        """The columns explained: numbers and categories (free text and dates are not a line or a field)."""
        return [c for c in self.rows.columns if self.schema[c] in ("numeric", "categorical", "boolean")]

    def dependence(self, column: str) -> explain.Dependence:
        output = explain.output_of(self.model, self.target, self.rows)
        return explain.dependence(self.model, self.rows, column, self.schema, output)

    def why(self, row: pd.DataFrame) -> tuple[explain.Output, explain.Contributions]:
        """What is explained for this row (its class's probability, or the prediction), and what each of the
        row's values adds to it against the held-out rows."""
        row = row[self.rows.columns]
        output = explain.output_of(self.model, self.target, row)
        return output, explain.contributions(self.model, row, self.rows, output)

    def predicted(self, row: pd.DataFrame, output: explain.Output) -> float:
        """The explained number for a row whose values were changed, of the same class as before."""
        return float(explain.outputs(self.model, row[self.rows.columns], output)[0])
