"""The declarative pipeline spec: the single source of truth shared by the UI, the CLI and exports."""

import hashlib
import json
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline_core.catalog import BASELINE, BRANCHES, MODELS, Branch, Task, get_model, get_step
from pipeline_core.catalog.metrics import METRICS, default_primary_metric
from pipeline_core.catalog.schemes import SCHEMES
from pipeline_core.columns import ColumnType, Role
from pipeline_core.errors import SpecError

SCHEMA_VERSION = 1
MAX_SPEC_BYTES = 1024**2
MAX_PROBLEMS_SHOWN = 12
WEEK = 7 * 86400  # the longest time budget

ROW_STEPS = {
    "drop_missing_target": "Drop rows whose target is missing",
    "drop_duplicates": "Drop duplicate rows",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StepSpec(_Strict):
    """One preparation step: a catalog kind, its parameters, the columns it runs on, and whether it runs."""

    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    columns: list[str] = Field(
        default_factory=list, description="the columns of its group it runs on (the others pass by); empty: all"
    )
    enabled: bool = True

    @model_validator(mode="after")
    def _check_against_catalog(self) -> "StepSpec":
        self.params = get_step(self.kind).validate_params(self.params)
        return self


TUNING_METHODS = {
    "optuna": "Bayesian optimisation (Optuna TPE, with pruning)",
    "random": "Random search",
    "halving": "Successive halving (random candidates, more rows for the best)",
    "grid": "Grid search (3 values per number)",
}


class TuningSpec(_Strict):
    """How a model's parameters are searched: inside each outer fold, on that fold's training rows only."""

    method: Literal["optuna", "random", "halving", "grid"] = "optuna"
    trials: int = Field(default=20, ge=2, le=500, description="candidates tried per search")
    seconds: int | None = Field(default=None, ge=5, le=86400, description="time budget per search (Optuna only)")
    inner_folds: int = Field(default=3, ge=2, le=10)
    space: dict[str, list] = Field(
        default_factory=dict, description="narrowed ranges, [low, high] or the choices tried; unlisted: the catalog's"
    )


class ModelSpec(_Strict):
    """One candidate model: a catalog kind, its parameters, and optionally how to tune them."""

    kind: str
    params: dict[str, Any] = Field(default_factory=dict)
    tuning: TuningSpec | None = None

    @model_validator(mode="after")
    def _check_against_catalog(self) -> "ModelSpec":
        kind = get_model(self.kind)
        self.params = kind.validate_params(self.params)
        if self.tuning is not None:
            self.tuning.space = kind.validate_space(self.tuning.space)
        return self


OPERATORS = {
    "eq": "equals",
    "ne": "does not equal",
    "lt": "is less than",
    "le": "is at most",
    "gt": "is more than",
    "ge": "is at least",
    "missing": "is missing",
    "present": "is not missing",
}


class RowFilter(_Strict):
    """Keep only rows where `column` `operator` `value`: built from pickers, applied as a comparison,
    never evaluated as code."""

    column: str
    operator: Literal["eq", "ne", "lt", "le", "gt", "ge", "missing", "present"]
    value: float | str | None = None

    @model_validator(mode="after")
    def _value_fits_operator(self) -> "RowFilter":
        if self.operator in ("missing", "present"):
            self.value = None
        elif self.value is None:
            raise ValueError(f"the filter '{self.column} {OPERATORS[self.operator]}' needs a value")
        return self

    def describe(self) -> str:
        value = "" if self.value is None else f" {self.value}"
        return f"{self.column} {OPERATORS[self.operator]}{value}"


class DataSpec(_Strict):
    """Which data, which column is predicted, and how columns are read."""

    dataset_fingerprint: str | None = None
    dataset_name: str | None = None
    target: str = Field(min_length=1)
    task: Task
    column_types: dict[str, ColumnType] = Field(
        default_factory=dict, description="each column's type as inferred or set; unlisted columns are inferred"
    )
    roles: dict[str, Role] = Field(default_factory=dict, description="columns whose role is not 'feature'")
    row_steps: list[str] = Field(default_factory=list, description="row-level cleaning, run before the split")
    filters: list[RowFilter] = Field(default_factory=list, description="rows kept, decided before the split")

    @field_validator("row_steps")
    @classmethod
    def _known_row_steps(cls, steps: list[str]) -> list[str]:
        unknown = [step for step in steps if step not in ROW_STEPS]
        if unknown:
            raise ValueError(f"unknown row step(s) {unknown}; available: {', '.join(ROW_STEPS)}")
        return steps


class PreprocessingSpec(_Strict):
    """Steps per column type, applied in order inside the scikit-learn Pipeline (so refit per fold)."""

    numeric: list[StepSpec] = Field(
        default_factory=lambda: [StepSpec(kind="numeric_imputer"), StepSpec(kind="standard_scaler")]
    )
    categorical: list[StepSpec] = Field(
        default_factory=lambda: [StepSpec(kind="categorical_imputer"), StepSpec(kind="levels_encoder")]
    )
    datetime: list[StepSpec] = Field(
        default_factory=lambda: [StepSpec(kind="date_parts"), StepSpec(kind="standard_scaler")]
    )
    text: list[StepSpec] = Field(default_factory=lambda: [StepSpec(kind="tfidf")])
    combined: list[StepSpec] = Field(default_factory=list, description="on all features, after the groups join")

    def for_type(self, branch: Branch) -> list[StepSpec]:
        """The branch's enabled steps, in order."""
        return [step for step in getattr(self, branch) if step.enabled]


AVERAGES = {"macro": "Macro: every class counts the same", "weighted": "Weighted by class size", "micro": "Micro"}


class EvaluationSpec(_Strict):
    """How models are validated: cross-validation on the training part, then one held-out test split."""

    cv_scheme: Literal[tuple(SCHEMES)] = "auto"  # the catalog's keys, listed in the JSON schema
    cv_folds: int = Field(default=5, ge=2, le=20)
    cv_repeats: int = Field(default=1, ge=1, le=10, description="k-fold repeated with new shuffles")
    test_size: float = Field(default=0.2, ge=0.05, le=0.5)
    seed: int = Field(default=42, ge=0, le=2**32 - 1)
    primary_metric: str | None = None
    average: Literal["macro", "weighted", "micro"] = Field(
        default="macro", description="how precision, recall and F1 combine the classes"
    )
    learning_curve: bool = Field(
        default=False, description="refit each model on growing shares of the training part to draw learning curves"
    )
    tune_threshold: bool = Field(
        default=False, description="two classes: pick each classifier's decision threshold for the ranking metric"
    )
    model_seconds: int | None = Field(
        default=None, ge=1, le=WEEK, description="time budget per model; past it, even mid-fit, the model is stopped"
    )
    run_seconds: int | None = Field(
        default=None, ge=1, le=WEEK, description="time budget of the run; past it, every model still fitting stops"
    )
    racing: bool = Field(
        default=False,
        description="stop a model early once it is clearly behind the leader (new specs: on); off: every model "
        "is cross-validated on every fold",
    )


class PipelineSpec(_Strict):
    """A complete, versioned pipeline definition."""

    schema_version: Literal[1] = SCHEMA_VERSION
    data: DataSpec
    preprocessing: PreprocessingSpec = Field(default_factory=PreprocessingSpec)
    models: list[ModelSpec] = Field(default_factory=list, description="the dummy baseline is always added")
    evaluation: EvaluationSpec = Field(default_factory=EvaluationSpec)

    @model_validator(mode="after")
    def _check_consistency(self) -> "PipelineSpec":
        metric = self.evaluation.primary_metric
        if metric is not None and (metric not in METRICS or METRICS[metric].task != self.data.task):
            usable = ", ".join(m.key for m in METRICS.values() if m.task == self.data.task)
            raise ValueError(f"the metric {metric!r} does not rank {self.data.task} models; use one of {usable}")
        self._check_validation()
        for model in self.models:
            kind = get_model(model.kind)
            if self.data.task not in kind.tasks:
                raise ValueError(f"{kind.label} does not do {self.data.task}")
        for branch in (*BRANCHES, "combined"):
            for step in self.preprocessing.for_type(branch):
                if branch not in get_step(step.kind).applies_to:
                    raise ValueError(f"step {step.kind!r} does not apply to {branch} columns")
                if self.data.task == "clustering" and get_step(step.kind).uses_target:
                    raise ValueError(
                        f"{get_step(step.kind).label} learns from the target; clustering forms groups without one"
                    )
                if branch == "combined" and step.columns:
                    raise ValueError(f"step {step.kind!r} runs on all features together and cannot name columns")
        return self

    def _check_validation(self) -> None:
        scheme, roles = SCHEMES[self.evaluation.cv_scheme], self.data.roles
        if self.data.task not in scheme.tasks:
            raise ValueError(scheme.task_refusal)
        if scheme.role and list(roles.values()).count(scheme.role) != 1:
            raise ValueError(
                f"{scheme.name} needs exactly one column with the role '{scheme.role_label}' (set it on the Data page)"
            )
        if self.data.task == "clustering" and (self.evaluation.tune_threshold or any(m.tuning for m in self.models)):
            raise ValueError("clustering has no target to tune settings or thresholds against")
        if self.evaluation.tune_threshold:
            if self.data.task != "classification" or self.ranking_metric == "roc_auc":
                raise ValueError(
                    "threshold tuning needs classification ranked by a metric that depends on the threshold "
                    "(balanced accuracy, accuracy, F1, precision or recall; ROC AUC does not)"
                )
        if self.evaluation.cv_repeats > 1 and not scheme.repeatable:
            raise ValueError(f"{scheme.name} cannot be repeated: its folds do not shuffle")

    @property
    def trained_models(self) -> list[ModelSpec]:
        """What a run trains: the catalog's baseline first, then the spec's models (a baseline listed once)."""
        return [ModelSpec(kind=BASELINE), *[model for model in self.models if model.kind != BASELINE]]

    @property
    def ranking_metric(self) -> str:
        """The metric models are ranked by: the spec's choice, or the task's default."""
        evaluation = self.evaluation
        return evaluation.primary_metric or default_primary_metric(
            self.data.task, tune_threshold=evaluation.tune_threshold
        )

    def replace(self, **changes: Any) -> "PipelineSpec":
        """A copy with sections changed, validated again: a dict updates a section's fields, anything else
        (a list of models) replaces it. `spec.replace(data={"target": "price"}, models=[...])`.

        Raises:
            SpecError: the changed spec is invalid.
        """
        dumped = self.model_dump()
        for section, value in changes.items():
            current = dumped.get(section)
            dumped[section] = current | value if isinstance(value, dict) and isinstance(current, dict) else value
        return PipelineSpec.from_dict(dumped)

    def with_data(self, **changes: Any) -> "PipelineSpec":
        """The data part changed; a new task also brings that task's default models and ranking metric.

        Raises:
            SpecError: the changed spec is invalid.
        """
        task = changes.get("task", self.data.task)
        if task == self.data.task:
            return self.replace(data=changes)
        defaults = default_spec(target=changes.get("target", self.data.target), task=task)
        return self.replace(data=changes, models=defaults.models, evaluation={"primary_metric": None})

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)

    def content_hash(self) -> str:
        """sha256 of the canonical JSON: equal specs hash equal, whatever their key order."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    @classmethod
    def from_json(cls, text: str | bytes) -> "PipelineSpec":
        """Parse and validate a spec; raise SpecError with every problem in plain words."""
        try:
            return cls.model_validate_json(text)
        except ValidationError as error:
            raise SpecError(describe_validation_error(error)) from error

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)

    @classmethod
    def from_file(cls, data: bytes, filename: str) -> "PipelineSpec":
        """A spec from a .json, .yaml or .yml file (YAML read safely: data only, never objects or code, and no
        anchors or aliases, which a spec never needs and which can expand a small file into a huge one).

        Raises:
            SpecError: too large, not readable as the format its name says, or not a valid spec; in plain words.
        """
        if len(data) > MAX_SPEC_BYTES:
            raise SpecError(f"'{filename}' is {len(data) / 1024**2:,.1f} MB; a pipeline spec is a few KB.")
        if not filename.lower().endswith((".yaml", ".yml")):
            return cls.from_json(data)
        try:
            parsed = yaml.load(data, Loader=_PlainYamlLoader)  # a SafeLoader that also refuses aliases
        except RecursionError:
            raise SpecError(f"'{filename}' nests its values too deeply to be a pipeline spec.") from None
        except (yaml.YAMLError, ValueError) as error:  # ValueError: a number of over 4,300 digits
            raise SpecError(f"'{filename}' is not valid YAML: {str(error).splitlines()[0][:300]}") from error
        if not isinstance(parsed, dict):
            raise SpecError(f"'{filename}' does not hold a pipeline spec (a mapping of data, models, …).")
        return cls.from_dict(parsed)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PipelineSpec":
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise SpecError(describe_validation_error(error)) from error


def bounds(model: type[BaseModel], name: str) -> tuple[Any, Any]:
    """A field's lowest and highest allowed values as the spec declares them (None where it sets none), so that
    a form offers exactly what validates."""
    metadata = model.model_fields[name].metadata
    lowest = next((item.ge for item in metadata if hasattr(item, "ge")), None)
    return lowest, next((item.le for item in metadata if hasattr(item, "le")), None)


def describe_validation_error(error: ValidationError) -> str:
    """One line per problem (the first few of many): where in the spec, and what is wrong."""
    problems = error.errors(include_input=False)
    lines = []
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        where = ".".join(str(part) for part in problem["loc"]) or "spec"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {message}"[:300])
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(f"… and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    return "The pipeline spec is invalid:\n" + "\n".join(f"- {line}" for line in lines)


class _PlainYamlLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing anchors and aliases."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
            raise yaml.YAMLError("anchors and aliases (& and *) are not allowed in a pipeline spec")
        return super().compose_node(parent, index)


def default_spec(*, target: str, task: Task, **data: Any) -> PipelineSpec:
    """A spec with the default steps and the catalog's default models for the task."""
    models = [ModelSpec(kind=kind.key) for kind in MODELS.values() if task in kind.default_for]
    racing = EvaluationSpec(racing=True)  # off by default only so that specs saved before racing existed stay as run
    return PipelineSpec(data=DataSpec(target=target, task=task, **data), models=models, evaluation=racing)
