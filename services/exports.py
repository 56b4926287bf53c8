"""What a trained model is exported as — its file, spec, model card, retraining script and serving bundle —
made one way for the Export page and the command line. Each part is made when asked for: a page offers them
as downloads made on click."""

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from pipeline_core.compare import explain
from pipeline_core.export import card
from pipeline_core.export.script import standalone_script
from pipeline_core.export.serving import serving_bundle
from pipeline_core.model_files import load_model, own_modules
from pipeline_core.schema import feature_schema, numbers_as_text
from pipeline_core.spec import PipelineSpec
from pipeline_core.train.curves import Importance
from storage.models import DatasetRead, ModelResultRead, RunRead


@dataclass(frozen=True)
class Export:
    run: RunRead
    dataset: DatasetRead
    frame: pd.DataFrame  # the run's stored rows
    results: list[ModelResultRead]  # every model of the run, for the card's comparisons
    model: ModelResultRead  # the one exported
    model_file: bytes

    @cached_property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.from_json(self.run.spec_json)

    @cached_property
    def features(self):
        return feature_schema(self.spec, self.frame)

    @property
    def title(self) -> str:
        return f"{self.run.pipeline_name or self.run.target}: {self.model.label}"

    @cached_property
    def card_sections(self) -> list:
        lineage = card.lineage(self.run, self.dataset, list(self.features))
        return card.card_sections(self.spec, self.results, self.model.key, lineage, self.drivers[0])

    @cached_property
    def drivers(self) -> tuple[Importance, list[explain.Dependence]]:
        """The model's permutation importance (as Compare worked it out, or now) and how its prediction moves
        with its main columns, on the run's held-out rows."""
        model = load_model(self.model_file)
        X, y = explain.held_out_rows(self.spec, self.frame)
        found = self.model.curves.importance if self.model.curves and self.model.curves.importance else None
        found = found or explain.importance(model, X, y, self.run.primary_metric, self.spec.evaluation.average)
        ranked = sorted(zip(found.features, found.mean, strict=True), key=lambda item: item[1], reverse=True)
        output = explain.output_of(model, self.spec.data.target, X)
        shown = [column for column, _ in ranked if self.features[column] in ("numeric", "categorical", "boolean")]
        return found, [explain.dependence(model, X, column, self.features, output) for column in shown[:3]]

    def card_markdown(self) -> str:
        return card.markdown(self.title, self.card_sections)

    def card_html(self) -> str:
        run = self.run
        return card.html_page(
            self.title, self.card_sections, self.results, run.primary_metric, run.task, dependences=self.drivers[1]
        )

    def serving_bundle(self) -> bytes:
        as_text = numbers_as_text(self.features, self.frame)
        versions = self.run.library_versions
        return serving_bundle(
            self.model_file, title=self.title, features=self.features, versions=versions, as_text=as_text
        )

    def script(self) -> str:
        """The retraining script, with scikit-learn and pandas only.

        Raises:
            ValueError: a step or model the script cannot write (said in plain words).
        """
        spec = self.spec
        n_classes = self.frame[spec.data.target].nunique() if spec.data.task == "classification" else 0
        title = self.run.pipeline_name or f"Run {self.run.id}"  # it retrains every model of the run
        return standalone_script(spec, self.frame, title=title, n_classes=n_classes)

    @property
    def data_name(self) -> str:
        """The file name of the run's rows, which the retraining script reads."""
        return f"{self.dataset.name.rsplit('.', 1)[0]}.parquet"

    def data(self) -> bytes:
        return self.frame.to_parquet()

    def files(self) -> tuple[dict[str, bytes | str], str | None]:
        """Every part, named as the command line writes them; and why the script is missing, if it is."""
        files: dict[str, bytes | str] = {
            "model.skops": self.model_file,
            "spec.json": self.spec.to_json(),
            "spec.yaml": self.spec.to_yaml(),
            "model_card.md": self.card_markdown(),
            "model_card.html": self.card_html(),
            "serving.zip": self.serving_bundle(),
            **own_modules(self.model_file),  # beside model.skops, so it loads where Pipewright is not installed
        }
        try:
            files["retrain.py"] = self.script()
        except ValueError as error:
            return files, str(error)
        files[self.data_name] = self.data()  # what the script reads, as the page offers it beside the script
        return files, None
