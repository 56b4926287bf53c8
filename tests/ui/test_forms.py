"""Every form control the catalog makes reaches its parameter: each widget of every step and model kind is
turned to another valid value, and the form returns exactly that value under the parameter's name."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from pipeline_core.catalog import MODELS, STEPS
from pipeline_core.catalog.params import BoolParam, ChoiceParam, FloatParam, IntParam, Param


def _shown(kind, task: str | None) -> list:
    return [param for param in kind.params if param.only_for in (None, task)]


KINDS = [
    (group, key, task)
    for group, kinds in (("model", MODELS), ("step", STEPS))
    for key, kind in kinds.items()
    for task in (sorted(kind.tasks) if group == "model" else [None])
    if _shown(kind, task)  # a kind without settings has no form
]


def _form(group: str, kind_key: str, task: str | None) -> None:
    import json

    import streamlit as st

    from pipeline_core.catalog import MODELS, STEPS
    from ui.forms import param_inputs

    kind = (MODELS if group == "model" else STEPS)[kind_key]
    st.code(json.dumps(param_inputs(kind, {}, key="form", task=task)), language="json")


def _another(param: Param):
    """A valid value other than the default."""
    if isinstance(param, ChoiceParam):
        return next(choice for choice in param.choices if choice != param.default)
    if isinstance(param, BoolParam):
        return not param.default
    if isinstance(param, IntParam | FloatParam):
        return param.high if param.default != param.high else param.low
    raise TypeError(type(param).__name__)


def _turn(at: AppTest, param: Param, value) -> None:
    key = f"form.{param.name}"
    if isinstance(param, ChoiceParam):
        at.selectbox(key=key).select(value)
    elif isinstance(param, BoolParam):
        at.checkbox(key=key).check() if value else at.checkbox(key=key).uncheck()
    else:
        at.number_input(key=key).set_value(value)


@pytest.mark.parametrize(("group", "kind_key", "task"), KINDS, ids=lambda v: str(v))
def test_each_control_reaches_its_parameter(group, kind_key, task):
    kind = (MODELS if group == "model" else STEPS)[kind_key]
    shown = _shown(kind, task)
    at = AppTest.from_function(_form, args=(group, kind_key, task), default_timeout=30).run()
    assert not at.exception
    turned = {param.name: _another(param) for param in shown}
    for param in shown:
        _turn(at, param, turned[param.name])
    at.run()
    assert not at.exception
    chosen = json.loads(at.code[0].value)
    assert {name: chosen[name] for name in turned} == pytest.approx(turned)
    assert kind.validate_params(chosen) == pytest.approx(chosen)  # what the form gives, the spec takes
