"""What changed between two pipeline specs, step by step, in plain words."""

from typing import Any

from pipeline_core.catalog import BRANCHES, STEPS, get_model, get_step, number_repeats, unnumbered
from pipeline_core.spec import ModelSpec, PipelineSpec, StepSpec

GROUP_TITLES = {
    "numeric": "Numeric",
    "categorical": "Categorical",
    "datetime": "Dates",
    "text": "Text",
    "combined": "All features",
}


def spec_diff(old: PipelineSpec, new: PipelineSpec) -> list[str]:
    """One line per change from `old` to `new`: data settings, each step added, removed, moved or
    changed (parameter old → new), each model added, removed or changed, each validation setting."""
    lines = _fields(
        "Data", old.data.model_dump(exclude={"dataset_name"}), new.data.model_dump(exclude={"dataset_name"})
    )
    for branch in (*BRANCHES, "combined"):
        lines += _steps(GROUP_TITLES[branch], getattr(old.preprocessing, branch), getattr(new.preprocessing, branch))
    lines += _models(old.models, new.models)
    lines += _fields("Validation", old.evaluation.model_dump(), new.evaluation.model_dump())
    return lines


def _fields(section: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per differing field; a field holding a mapping (column types, roles) key by key."""
    lines = []
    for name in sorted(set(old) | set(new)):
        was, now = old.get(name), new.get(name)
        if was == now:
            continue
        label = name.replace("_", " ")
        if isinstance(was, dict | None) and isinstance(now, dict | None) and (was or now):
            lines += _fields(f"{section}: {label}", was or {}, now or {})
        else:
            lines.append(f"{section}: {label} {_show(was)} → {_show(now)}")
    return lines


def _steps(group: str, old: list[StepSpec], new: list[StepSpec]) -> list[str]:
    """Steps are matched by kind and occurrence (the second 'Standard scaling' with the second)."""
    before = dict(zip(number_repeats([s.kind for s in old]), old, strict=True))
    after = dict(zip(number_repeats([s.kind for s in new]), new, strict=True))
    lines = [f"{group}: added step '{_step_label(key)}'" for key in after if key not in before]
    lines += [f"{group}: removed step '{_step_label(key)}'" for key in before if key not in after]
    kept_before = [key for key in before if key in after]
    kept_after = [key for key in after if key in before]
    for key in kept_after:
        label = _step_label(key)
        if kept_before.index(key) != kept_after.index(key):
            lines.append(
                f"{group}: moved '{label}' from position {kept_before.index(key) + 1} to {kept_after.index(key) + 1}"
            )
        was, now = before[key], after[key]
        if was.enabled != now.enabled:
            lines.append(f"{group}: switched '{label}' {'on' if now.enabled else 'off'}")
        if was.columns != now.columns:
            lines.append(f"{group}: '{label}' runs on {_columns(was.columns)} → {_columns(now.columns)}")
        lines += _fields(f"{group}: '{label}'", was.params, now.params)
    return lines


def _models(old: list[ModelSpec], new: list[ModelSpec]) -> list[str]:
    before = dict(zip(number_repeats([m.kind for m in old]), old, strict=True))
    after = dict(zip(number_repeats([m.kind for m in new]), new, strict=True))
    lines = [f"Models: added {get_model(after[key].kind).label}" for key in after if key not in before]
    lines += [f"Models: removed {get_model(before[key].kind).label}" for key in before if key not in after]
    for key in [key for key in after if key in before]:
        label = get_model(after[key].kind).label
        lines += _fields(f"Models: {label}", before[key].params, after[key].params)
        was, now = before[key].tuning, after[key].tuning
        if was is None and now is not None:
            lines.append(f"Models: {label} tuning off → {now.method}, {now.trials} candidates")
        elif now is None and was is not None:
            lines.append(f"Models: {label} tuning {was.method} → off")
        elif was != now:
            lines += _fields(f"Models: {label} tuning", was.model_dump(), now.model_dump())
    return lines


def _step_label(key: str) -> str:
    kind, number = unnumbered(key, STEPS)
    return get_step(kind).label if number is None else f"{get_step(kind).label} ({number})"


def _columns(columns: list[str]) -> str:
    return ", ".join(columns) if columns else "all columns of its group"


def _show(value: Any) -> str:
    if value in (None, [], {}):
        return "(none)"
    return str(value)
