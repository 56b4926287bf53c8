"""Forms rendered from the catalog: one widget per declared parameter, nothing listed by hand."""

from typing import Any

import streamlit as st

from pipeline_core.catalog import Kind
from pipeline_core.params import BoolParam, ChoiceParam, FloatParam, IntParam, Param


def param_inputs(kind: Kind, values: dict[str, Any], *, key: str, task: str | None = None) -> dict[str, Any]:
    """Render a widget for each parameter of `kind` that applies to `task`, starting from `values`;
    return the chosen values (a parameter for another task keeps its value, unseen)."""
    shown = [param for param in kind.params if param.only_for in (None, task)]
    if not shown:
        st.caption("No settings.")
    chosen = {param.name: values.get(param.name, param.default) for param in kind.params}
    return chosen | {param.name: _input(param, chosen[param.name], f"{key}.{param.name}") for param in shown}


def _input(param: Param, value: Any, key: str) -> Any:
    help_text = param.help or None
    if isinstance(param, ChoiceParam):
        options = list(param.choices)
        return st.selectbox(
            param.label, options, index=options.index(value), format_func=param.choices.get, key=key, help=help_text
        )
    if isinstance(param, BoolParam):
        return st.checkbox(param.label, value=value, key=key, help=help_text)
    if isinstance(param, IntParam):
        return st.number_input(
            param.label, min_value=param.low, max_value=param.high, value=value, step=1, key=key, help=help_text
        )
    if isinstance(param, FloatParam):
        return st.number_input(
            param.label,
            min_value=param.low,
            max_value=param.high,
            value=float(value),
            format="%g",
            key=key,
            help=help_text,
        )
    raise TypeError(f"No widget for {type(param).__name__}")
