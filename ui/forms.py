"""Forms rendered from the catalog: one widget per declared parameter, nothing listed by hand."""

from typing import Any

import streamlit as st

from pipeline_core.catalog import Kind
from pipeline_core.catalog.params import BoolParam, ChoiceParam, FloatParam, IntParam, Param


def param_inputs(
    kind: Kind, values: dict[str, Any], *, key: str, task: str | None = None, skip: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Render a widget for each parameter of `kind` that applies to `task` (except those in `skip`),
    starting from `values`; return the chosen values (an unshown parameter keeps its value)."""
    shown = [param for param in kind.params if param.only_for in (None, task) and param.name not in skip]
    if not shown:
        st.caption("Every setting is searched." if skip else "No settings.")
    chosen = {param.name: values.get(param.name, param.default) for param in kind.params}
    return chosen | {param.name: _input(param, chosen[param.name], f"{key}.{param.name}") for param in shown}


def _input(param: Param, value: Any, key: str) -> Any:
    return WIDGETS[type(param)](param, value, key=key, help=param.help or None)


def _choice(param: ChoiceParam, value: str, **options) -> str:
    choices = list(param.choices)
    return st.selectbox(param.label, choices, index=choices.index(value), format_func=param.choices.get, **options)


def _switch(param: BoolParam, value: bool, **options) -> bool:
    return st.checkbox(param.label, value=value, **options)


def _whole(param: IntParam, value: int, **options) -> int:
    return st.number_input(param.label, min_value=param.low, max_value=param.high, value=value, step=1, **options)


def _number(param: FloatParam, value: float, **options) -> float:
    return st.number_input(
        param.label, min_value=param.low, max_value=param.high, value=float(value), format="%g", **options
    )


WIDGETS = {ChoiceParam: _choice, BoolParam: _switch, IntParam: _whole, FloatParam: _number}  # one per parameter type
# A searched number's range: read as whole numbers or as decimals.
RANGE_INPUTS = {IntParam: (int, {"step": 1}), FloatParam: (float, {"format": "%g"})}


def time_limit(
    container, label: str, bounds: tuple[int, int], current: int | None, *, key: str, **options
) -> int | None:
    """A limit in seconds that may be off: a switch, then the seconds (within the spec's `bounds`) when it is on."""
    if not container.toggle(label, value=current is not None, key=f"{key}.on", **options):
        return None
    low, high = bounds
    seconds = current or max(low, 60)
    return container.number_input(
        "Seconds", low, high, seconds, step=30, key=key, disabled=bool(options.get("disabled"))
    )


def space_inputs(kind: Kind, space: dict[str, list], *, key: str, task: str) -> dict[str, list]:
    """A search range per tunable parameter: low and high for a number, the choices tried for a choice."""
    chosen = {}
    for param in kind.tunable():
        if param.only_for not in (None, task):
            continue
        values = space.get(param.name, list(param.space))
        if isinstance(param, ChoiceParam):
            chosen[param.name] = st.multiselect(
                f"{param.label}: try",
                list(param.choices),
                default=values,
                format_func=param.choices.get,
                key=f"{key}.space.{param.name}",
            )
            continue
        low, high = st.columns(2)
        cast, options = RANGE_INPUTS[type(param)]
        limits = cast(param.low), cast(param.high)
        chosen[param.name] = [
            low.number_input(
                f"{param.label}: from", *limits, cast(values[0]), key=f"{key}.space.{param.name}.low", **options
            ),
            high.number_input("to", *limits, cast(values[1]), key=f"{key}.space.{param.name}.high", **options),
        ]
    return chosen
